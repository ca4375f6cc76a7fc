// The Start-here pair studies: two shipped demo models trained with the same recipe, data, steps and
// seed that differ in one design choice, side by side. "Width vs depth": brown-gpt2-wide (2 layers,
// wide FFN) against brown-gpt2-deep (8 layers, narrow FFN), the same parameter count. "Dense vs
// MoE": brown-llama-dense (one SwiGLU FFN per layer) against brown-mixtral-moe (8 experts, top-2),
// the same active parameters per token. One click runs, as ordinary named jobs, whatever is missing
// of: importing each model, capturing each on the same training documents, and measuring each one's
// layer sensitivity on the same held-out documents. The state is read back from the database (a
// restart loses nothing); the result is the comparison of the two captures (compare.ts), which
// finds the sensitivity runs by itself.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { listAblations } from '../db/ablations.js';
import { listDatasets } from '../db/datasets.js';
import { listModels, type ModelRecord } from '../db/models.js';
import type { ModelSpec } from '../native-models/spec.js';
import { PairStudyKey, type Job, type Params } from './api.js';
import { demoModelsDir } from './paths.js';
import { brownCorpus, DENSE_MOE_MODELS, splitOf, START_HERE_BUDGET, START_HERE_SPREAD, WIDTH_DEPTH_MODELS } from './start-here.js';

export { DENSE_MOE_MODELS, WIDTH_DEPTH_MODELS };

/** The share of each layer's neurons the random condition of the sensitivity run zeroes. */
export const PAIR_STUDY_FRACTION = 0.25;

export const PAIR_STUDY_KEYS = PairStudyKey.options;
export type { PairStudyKey };

export interface PairStudy {
  key: PairStudyKey;
  /** the study's name; its jobs are named "<title>: <model>" */
  title: string;
  models: readonly [string, string];
}

export const PAIR_STUDIES: Record<PairStudyKey, PairStudy> = {
  'width-depth': { key: 'width-depth', title: 'Width vs depth', models: WIDTH_DEPTH_MODELS },
  'dense-moe': { key: 'dense-moe', title: 'Dense vs MoE', models: DENSE_MOE_MODELS },
};

const prefixOf = (study: PairStudy) => `${study.title}: `;
const nameFor = (study: PairStudy, model: string) => `${prefixOf(study)}${model}`;

export interface PairStudyModel {
  name: string;
  modelId: number | null;
  datasetId: number | null;
  ablationId: number | null;
}

export interface PairStudyStatus {
  study: PairStudyKey;
  title: string;
  corpusId: number | null;
  /** where the pair's folders are looked for */
  folder: string;
  /** both folders are there (a checkout or the installed package has them) */
  available: boolean;
  models: PairStudyModel[];
  /** every step done: the two captures to compare */
  datasets: number[] | null;
}

/** The folder of the demo models: beside an imported demo model, else the one shipped with this build. */
function demoFolder(db: Db): string {
  const demo = listModels(db).find((m) => splitOf(m) !== null);
  return demo ? path.dirname(demo.path) : demoModelsDir;
}

function pairModel(db: Db, name: string): ModelRecord | undefined {
  return listModels(db).find((m) => path.basename(m.path) === name && splitOf(m) !== null);
}

export function pairStudyStatus(db: Db, key: PairStudyKey): PairStudyStatus {
  const study = PAIR_STUDIES[key];
  const folder = demoFolder(db);
  const datasets = listDatasets(db);
  const ablations = listAblations(db);
  const models = study.models.map((name) => {
    const m = pairModel(db, name);
    return {
      name,
      modelId: m?.id ?? null,
      datasetId: (m && datasets.find((d) => d.modelId === m.id && d.name === nameFor(study, name) && d.status === 'ready')?.id) ?? null,
      ablationId: (m && ablations.find((a) => a.modelId === m.id && a.name === nameFor(study, name))?.id) ?? null,
    };
  });
  return {
    study: key,
    title: study.title,
    corpusId: brownCorpus(db)?.id ?? null,
    folder,
    available: study.models.every((n) => fs.existsSync(path.join(folder, n, 'config.json'))),
    models,
    datasets: models.every((m) => m.datasetId !== null && m.ablationId !== null) ? models.map((m) => m.datasetId as number) : null,
  };
}

export type PairStudyStep =
  | { method: 'model.import'; params: Params<'model.import'> }
  | { method: 'capture.start'; params: Params<'capture.start'> }
  | { method: 'ablation.sensitivity'; params: Params<'ablation.sensitivity'> };

/** The next step of the study, or null when it is done. Throws (with what to do) when it cannot go on. */
export function pairStudyStep(db: Db, key: PairStudyKey): PairStudyStep | null {
  const study = PAIR_STUDIES[key];
  const status = pairStudyStatus(db, key);
  if (!status.available) throw new Error(`the ${study.title} demo pair is not in ${status.folder} (expected ${study.models.join(' and ')}); see native-models/demo/README.md to make it`);
  for (const m of status.models) if (m.modelId === null) return { method: 'model.import', params: { path: path.join(status.folder, m.name), name: m.name } };
  const corpus = brownCorpus(db);
  if (!corpus) throw new Error('the Brown corpus is not imported yet; import it (Corpora, or ffn-lab corpus import brown) and try again');
  const records = status.models.map((m) => listModels(db).find((r) => r.id === m.modelId) as ModelRecord);
  const split = splitOf(records[0] as ModelRecord);
  if (!split) throw new Error(`the ${study.title} pair has no recipe/split.json beside it`);
  // both captures read the same training documents and the same token budget (same tokenizer), so they read the same text
  for (const [i, m] of status.models.entries()) {
    if (m.datasetId !== null) continue;
    const spec = (records[i] as ModelRecord).spec as ModelSpec;
    return {
      method: 'capture.start',
      params: { modelId: m.modelId as number, corpusId: corpus.id, filter: { names: split.train, ...START_HERE_SPREAD.capture }, seqLen: Math.min(256, spec.maxPositions), batch: 8, maxTokens: START_HERE_BUDGET.captureTokens, topK: 8, samples: 500, name: nameFor(study, m.name) },
    };
  }
  for (const [i, m] of status.models.entries()) {
    if (m.ablationId !== null) continue;
    const spec = (records[i] as ModelRecord).spec as ModelSpec;
    return {
      method: 'ablation.sensitivity',
      params: {
        modelId: m.modelId as number,
        corpusId: corpus.id,
        filter: { names: split.validation, ...START_HERE_SPREAD.evaluation },
        seqLen: Math.min(256, spec.maxPositions),
        batch: 4,
        maxTokens: START_HERE_BUDGET.evalTokens,
        resamples: START_HERE_BUDGET.resamples,
        seed: 0,
        method: 'zero',
        fraction: PAIR_STUDY_FRACTION,
        name: nameFor(study, m.name),
      },
    };
  }
  return null;
}

/**
 * The study whose capture or sensitivity step a finished job is, after which the next step should
 * start; null for any other job. (An import continues a study only when the study started it: the
 * backend keeps that in memory, so a model imported by hand does not start jobs by itself.)
 */
export function pairStudyOfJob(job: Job): PairStudyKey | null {
  const p = job.params as { name?: string };
  if (job.state !== 'done' || (job.kind !== 'capture' && job.kind !== 'ablate') || typeof p.name !== 'string') return null;
  const name = p.name;
  return PAIR_STUDY_KEYS.find((k) => name.startsWith(prefixOf(PAIR_STUDIES[k]))) ?? null;
}
