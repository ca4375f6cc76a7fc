// The prompt playground, in the worker process: one prompt through the graph with two conditions
// (intact, ablated: neurons switched off and single W_out weights set) for the per-token loss and
// the next-token distributions, then a greedy continuation under each (both in the same runs of the
// KV-cache graph: one over the prompt, then one per new token). Sessions stay warm between
// requests for the same model, so after the first request an update costs one forward pass and
// the continuations.
import type { Db } from '../../db/database.js';
import { getModel, type ModelRecord } from '../../db/models.js';
import { loadModel } from '../../native-models/load.js';
import { Generator } from '../../native-models/runtime/generate.js';
import { asFloat32 } from '../../native-models/runtime/tensors.js';
import { decodeModelIds, loadTokenizer, type Tokenizer } from '../../native-models/tokenizers/tokenizer.js';
import { W, type LoadedModel, type ModelSpec } from '../../native-models/spec.js';
import type { PlaygroundRequest, PlaygroundResult } from '../api.js';
import { promptIds } from './prompt-ids.js';
import { identityEdit } from '../analysis/ablation-edit.js';
import { ablationEditFor } from '../ablation-sets.js';
import { canonical } from '../analysis/neuron-sets.js';
import { weightEdit } from '../analysis/weight-edits.js';
import { canonicalWeights } from '../../common/weight-refs.js';
import { graphCacheDir } from '../inference.js';
import { ApiError } from '../errors.js';
import { steeringEditFor } from '../steering.js';
import { klFromLogits, meanOf } from '../analysis/steering.js';

interface Warm {
  key: string;
  model: LoadedModel;
  tokenizer: Tokenizer;
  /** the KV-cache graph with the loss head: the prompt's run gives the losses and the cache the continuations go on from */
  generator: Generator;
}

let warm: Warm | undefined;

async function sessionsFor(db: Db, dataDir: string, modelId: number): Promise<Warm & { record: ModelRecord; spec: ModelSpec }> {
  const record = getModel(db, modelId);
  if (!record) throw new ApiError('not-found', `model ${modelId} does not exist`);
  const key = `${record.id}:${record.sha256}`;
  if (warm?.key !== key) {
    await release();
    const model = loadModel(record.path);
    if (model.source.sha256 !== record.sha256) throw new ApiError('conflict', `the files of model "${record.name}" at ${record.path} changed since import (sha256 differs); import them again`);
    const tokenizer = loadTokenizer(record.path, record.tokenizerPath);
    if (!tokenizer) throw new ApiError('bad-request', `model "${record.name}" has no tokenizer; the playground needs one to read the prompt`);
    const options = { cacheDir: graphCacheDir(dataDir) };
    warm = { key, model, tokenizer, generator: await Generator.create(model, options, 'weights', { nll: true }) };
  }
  return { ...warm, record, spec: record.spec as ModelSpec };
}

export async function release(): Promise<void> {
  const w = warm;
  warm = undefined;
  if (w) await w.generator.release();
}

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const p = Float64Array.from(logits, (v) => Math.exp(v - max));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

function topIndices(p: Float64Array, k: number): number[] {
  return Array.from(p.keys())
    .sort((a, b) => (p[b] as number) - (p[a] as number))
    .slice(0, k);
}

export async function runPlayground(db: Db, dataDir: string, req: PlaygroundRequest): Promise<PlaygroundResult> {
  const { model, tokenizer, generator, record, spec } = await sessionsFor(db, dataDir, req.modelId);
  // "[1, 345, 17]": the ids as given; any other prompt is text for the tokenizer
  const ids = promptIds(req.prompt, spec.vocabSize) ?? tokenizer.encode(req.prompt);
  if (ids.length === 0) throw new ApiError('bad-request', 'the prompt has no tokens');
  if (ids.length >= spec.maxPositions) throw new ApiError('bad-request', `the prompt has ${ids.length} tokens; the model's context is ${spec.maxPositions}`);
  const shape = { layers: spec.nLayers, neurons: spec.dFf };
  const neurons = canonical(req.neurons);
  // steer mode: the second row steers the neurons (shift += strength x capture mean) instead of ablating them
  const steerBy = req.steer && (req.steer.by === 'value' ? ({ by: 'value' } as const) : ({ by: 'mean', datasetId: req.steer.datasetId as number } as const));
  const ablated = req.steer && steerBy ? steeringEditFor(db, record, neurons, steerBy, req.steer.strength, req.steer.layers) : ablationEditFor(db, record, neurons, req.method, req.datasetId);
  const intact = identityEdit(shape);
  const T = ids.length;
  // single weights: W_out is stored [D, F], so W_out[f -> d] is element [d, f]
  const D = spec.dModel;
  const weights = req.steer ? [] : canonicalWeights(req.weights);
  const wShape = { layers: shape.layers, neurons: shape.neurons, dims: D };
  const read = (l: number, f: number, d: number) => model.weight(W.layer(l).mlpOut).data[d * shape.neurons + f] as number;
  let wAblated;
  try {
    wAblated = weightEdit(wShape, weights, read);
  } catch (e) {
    throw new ApiError('bad-request', `${(e as Error).message} (model "${record.name}")`);
  }

  // the prompt's run, intact and ablated as two rows: per-token losses, next-token logits and the cache
  const t0 = performance.now();
  const { results: out, state } = await generator.prefill(ids, [intact, { ...ablated, weights: wAblated }]);
  const forwardMs = performance.now() - t0;
  const V = spec.vocabSize;
  const last = asFloat32(out.last_logits, 'last_logits');
  const pIntact = softmax(last.subarray(0, V));
  const pAblated = softmax(last.subarray(V, 2 * V));
  let nextKl = 0;
  for (let v = 0; v < V; v++) {
    const p = pIntact[v] as number;
    if (p > 0) nextKl += p * (Math.log(p) - Math.log(Math.max(pAblated[v] as number, 1e-300)));
  }
  const shown = [...new Set([...topIndices(pIntact, req.topK), ...topIndices(pAblated, req.topK)])].sort((a, b) => (pIntact[b] as number) - (pIntact[a] as number));
  const nll = asFloat32(out.nll, 'nll');
  const nllOf = (c: number) => Array.from(nll.subarray(c * T, c * T + T - 1));

  // both continuations side by side, from the prompt's cache: one run of one position per new token after the first
  const t1 = performance.now();
  // per step, KL(intact || second row) of the distributions each token is picked from: the prompt's, then each run's
  // (steer mode only: a KL over the vocabulary per step is not free on a large one)
  const stepKl: number[] = req.steer && req.maxNew > 0 ? [klFromLogits(last.subarray(0, V), last.subarray(V, 2 * V))] : [];
  const onLogits = req.steer ? (l: Float32Array) => void stepKl.push(klFromLogits(l.subarray(0, V), l.subarray(V, 2 * V))) : undefined;
  const [idsIntact, idsAblated] = await generator.continue(state, req.maxNew, tokenizer.eos ?? undefined, onLogits);
  stepKl.length = Math.min(stepKl.length, Math.max(idsIntact?.length ?? 0, idsAblated?.length ?? 0));
  const generateMs = performance.now() - t1;
  const cont = (c: number[] = []) => ({ ids: c, text: decodeModelIds(tokenizer, c, { skipSpecial: true }) });
  const contIntact = cont(idsIntact);
  const contAblated = cont(idsAblated);

  const text = (id: number) => decodeModelIds(tokenizer, [id], { skipSpecial: false });
  return {
    tokens: ids.map((id) => ({ id, text: text(id) })),
    next: shown.map((v) => ({ token: v, text: text(v), intact: pIntact[v] as number, ablated: pAblated[v] as number })),
    nextKl: Math.max(0, nextKl),
    intact: { continuation: contIntact, nll: nllOf(0) },
    ablated: { continuation: contAblated, nll: nllOf(1) },
    neurons: neurons.length,
    weights: weights.length,
    timing: { forwardMs, generateMs },
    ...(req.steer ? { steer: { by: req.steer.by, strength: req.steer.strength, stepKl, meanKl: meanOf(stepKl) } } : {}),
  };
}
