// The Start-here study "Width vs depth": the shipped pair brown-gpt2-wide (2 layers, wide FFN) and
// brown-gpt2-deep (8 layers, narrow FFN), the same parameter count, data, steps and seed. One click
// runs, as ordinary named jobs, whatever is missing of: importing each model, capturing each on the
// same training documents, and measuring each one's layer sensitivity on the same held-out
// documents. The state is read back from the database (a restart loses nothing); the result is the
// comparison of the two captures (compare.ts), which finds the sensitivity runs by itself.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { listAblations } from '../db/ablations.js';
import { listDatasets } from '../db/datasets.js';
import { listModels, type ModelRecord } from '../db/models.js';
import type { ModelSpec } from '../native-models/spec.js';
import type { Job, Params } from './api.js';
import { demoModelsDir } from './paths.js';
import { brownCorpus, splitOf, START_HERE_BUDGET, WIDTH_DEPTH_MODELS } from './start-here.js';

export { WIDTH_DEPTH_MODELS };
const PREFIX = 'Width vs depth: ';
const nameFor = (model: string) => `${PREFIX}${model}`;

/** The share of each layer's neurons the random condition of the sensitivity run zeroes. */
export const WIDTH_DEPTH_FRACTION = 0.25;

export interface WidthDepthModel {
  name: string;
  modelId: number | null;
  datasetId: number | null;
  ablationId: number | null;
}

export interface WidthDepthStatus {
  corpusId: number | null;
  /** where the pair's folders are looked for */
  folder: string;
  /** both folders are there (a checkout or the installed package has them) */
  available: boolean;
  models: WidthDepthModel[];
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

export function widthDepthStatus(db: Db): WidthDepthStatus {
  const folder = demoFolder(db);
  const datasets = listDatasets(db);
  const ablations = listAblations(db);
  const models = WIDTH_DEPTH_MODELS.map((name) => {
    const m = pairModel(db, name);
    return {
      name,
      modelId: m?.id ?? null,
      datasetId: (m && datasets.find((d) => d.modelId === m.id && d.name === nameFor(name) && d.status === 'ready')?.id) ?? null,
      ablationId: (m && ablations.find((a) => a.modelId === m.id && a.name === nameFor(name))?.id) ?? null,
    };
  });
  return {
    corpusId: brownCorpus(db)?.id ?? null,
    folder,
    available: WIDTH_DEPTH_MODELS.every((n) => fs.existsSync(path.join(folder, n, 'config.json'))),
    models,
    datasets: models.every((m) => m.datasetId !== null && m.ablationId !== null) ? models.map((m) => m.datasetId as number) : null,
  };
}

export type WidthDepthStep =
  | { method: 'model.import'; params: Params<'model.import'> }
  | { method: 'capture.start'; params: Params<'capture.start'> }
  | { method: 'ablation.sensitivity'; params: Params<'ablation.sensitivity'> };

/** The next step of the study, or null when it is done. Throws (with what to do) when it cannot go on. */
export function widthDepthStep(db: Db): WidthDepthStep | null {
  const status = widthDepthStatus(db);
  if (!status.available) throw new Error(`the width-vs-depth demo pair is not in ${status.folder} (expected ${WIDTH_DEPTH_MODELS.join(' and ')}); see native-models/demo/README.md to make it`);
  for (const m of status.models) if (m.modelId === null) return { method: 'model.import', params: { path: path.join(status.folder, m.name), name: m.name } };
  const corpus = brownCorpus(db);
  if (!corpus) throw new Error('the Brown corpus is not imported yet; import it (Corpora, or ffn-lab corpus import brown) and try again');
  const records = status.models.map((m) => listModels(db).find((r) => r.id === m.modelId) as ModelRecord);
  const split = splitOf(records[0] as ModelRecord);
  if (!split) throw new Error('the width-vs-depth pair has no recipe/split.json beside it');
  // both captures read the same training documents and the same token budget (same tokenizer), so they read the same text
  for (const [i, m] of status.models.entries()) {
    if (m.datasetId !== null) continue;
    const spec = (records[i] as ModelRecord).spec as ModelSpec;
    return {
      method: 'capture.start',
      params: { modelId: m.modelId as number, corpusId: corpus.id, filter: { names: split.train }, seqLen: Math.min(256, spec.maxPositions), batch: 8, maxTokens: START_HERE_BUDGET.captureTokens, topK: 8, samples: 500, name: nameFor(m.name) },
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
        filter: { names: split.validation },
        seqLen: Math.min(256, spec.maxPositions),
        batch: 4,
        maxTokens: START_HERE_BUDGET.evalTokens,
        resamples: START_HERE_BUDGET.resamples,
        seed: 0,
        method: 'zero',
        fraction: WIDTH_DEPTH_FRACTION,
        name: nameFor(m.name),
      },
    };
  }
  return null;
}

/**
 * Whether a finished job is a capture or sensitivity step of the study, after which the next one
 * should start. (An import continues the study only when the study started it: the backend keeps
 * that in memory, so a model imported by hand does not start jobs by itself.)
 */
export function isWidthDepthJob(job: Job): boolean {
  const p = job.params as { name?: string };
  return job.state === 'done' && (job.kind === 'capture' || job.kind === 'ablate') && typeof p.name === 'string' && p.name.startsWith(PREFIX);
}
