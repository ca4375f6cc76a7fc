// Steering with real data: the edit from a capture's per-neuron means (analysis/steering.ts), and
// the intact and steered continuations side by side in one generator (two rows of the same cached
// runs) with the KL between their next-token distributions at every generated step.
import type { Db } from '../db/database.js';
import { loadMeans } from '../db/datasets.js';
import type { ModelRecord } from '../db/models.js';
import type { GenerationEdit } from '../native-models/runtime/generate.js';
import { asFloat32 } from '../native-models/runtime/tensors.js';
import type { ModelSpec } from '../native-models/spec.js';
import { identityEdit, type NeuronEdit } from './analysis/ablation-edit.js';
import type { NeuronRef } from './analysis/neuron-sets.js';
import { klFromLogits, meanOf, steeringEdit, valueVectorEdit } from './analysis/steering.js';
import { checkDataset } from './ablation-sets.js';
import { ApiError } from './errors.js';
import { loadModel } from '../native-models/load.js';
import { Generator } from '../native-models/runtime/generate.js';
import { checkIds, sessionOptions, type ProviderReport, type RunPlace } from './inference.js';

/** What steering adds to each chosen neuron: strength x its mean over a capture, or strength along its value vector. */
export type SteerBy = { by: 'mean'; datasetId: number } | { by: 'value' };

/** The steering edit of `neurons` of a model at `layers` (all when absent): shift += strength x mean over the capture, or += strength (its value vector). */
export function steeringEditFor(db: Db, model: ModelRecord, neurons: readonly NeuronRef[], source: SteerBy, strength: number, layers?: readonly number[]): NeuronEdit {
  const spec = model.spec as ModelSpec;
  const shape = { layers: spec.nLayers, neurons: spec.dFf };
  if (source.by === 'value') {
    try {
      return valueVectorEdit(shape, neurons, strength, layers);
    } catch (e) {
      throw new ApiError('bad-request', `${(e as Error).message} (model "${model.name}")`);
    }
  }
  const datasetId = source.datasetId;
  checkDataset(db, model, datasetId);
  try {
    return steeringEdit(shape, neurons, loadMeans(db, datasetId, spec.nLayers, spec.dFf), strength, layers);
  } catch (e) {
    throw new ApiError('bad-request', `${(e as Error).message} (model "${model.name}", capture ${datasetId})`);
  }
}

export interface SteeredGeneration {
  intact: number[];
  steered: number[];
  /** per generated step, KL(intact || steered) of the distributions each row's token was picked from, nats */
  stepKl: number[];
  meanKl: number;
  /** the prompt's last-position logits [2 * V]: intact row, then steered */
  firstLogits: Float32Array;
}

/**
 * Greedy continuations of `ids`, intact and under `steer`, side by side (each row follows its own
 * tokens). `generator` must be made with edits.
 */
export async function generateSteered(generator: Generator, ids: readonly number[], steer: GenerationEdit, maxNew: number, stopToken?: number): Promise<SteeredGeneration> {
  // the intact row: scale 1, shift 0 over the same [L * F] as the steering edit
  const intactEdit = identityEdit({ layers: 1, neurons: steer.scale.length });
  const { results, state } = await generator.prefill(ids, [intactEdit, steer]);
  const first = asFloat32(results['last_logits'], 'last_logits');
  const V = first.length / 2;
  const stepKl: number[] = [];
  const klOf = (l: Float32Array) => stepKl.push(klFromLogits(l.subarray(0, V), l.subarray(V, 2 * V)));
  if (maxNew > 0) klOf(first);
  const [intact = [], steered = []] = maxNew > 0 ? await generator.continue(state, maxNew, stopToken, klOf) : [[], []];
  // a step runs while either row goes on; KL is kept for the steps both rows took part in
  const steps = Math.min(stepKl.length, Math.max(intact.length, steered.length));
  stepKl.length = steps;
  return { intact, steered, stepKl, meanKl: meanOf(stepKl), firstLogits: Float32Array.from(first) };
}

/** generateSteered on a model's files with a generator made for this one call (the CLI's `generate --steer`). */
export async function generateSteeredAt(modelPath: string, ids: readonly number[], steer: GenerationEdit, maxNew: number, place: RunPlace, stopToken?: number): Promise<SteeredGeneration & ProviderReport> {
  const model = loadModel(modelPath);
  checkIds(model, ids);
  const generator = await Generator.create(model, sessionOptions(place), true);
  try {
    return { ...(await generateSteered(generator, ids, steer, maxNew, stopToken)), provider: generator.provider, failedProviders: generator.failedProviders };
  } finally {
    await generator.release();
  }
}
