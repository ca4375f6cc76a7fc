// Exact activation patching of FFN neurons on clean/corrupted prompt pairs (pure maths in
// analysis/patching.ts). Per pair: one run of both prompts reads every layer's neuron activations
// (the taps) and the two metrics; then, in each direction, every layer's whole FFN is patched at
// each position and at all positions at once (conditions = layers, rows = positions, one batch);
// then every neuron of the layers where patching mattered most is patched alone (all positions),
// many neurons per run on the condition axis.
//
// Why not attribution patching (the gradient of the metric with respect to each neuron, one
// backward pass for all of them): onnxruntime-node runs inference graphs only and has no autograd,
// and a hand-written backward graph for every family would be a second model to keep correct. Exact
// patching of every neuron of a layer costs F forward passes of the prompt (batched: one run per
// ~NEURON_BATCH neurons), per pair, direction and searched layer.
import { FfnSession } from '../../native-models/runtime/session.js';
import { asFloat32, float32, int64 } from '../../native-models/runtime/tensors.js';
import type { LoadedModel } from '../../native-models/spec.js';
import { hook } from '../../native-models/graph/builder.js';
import { estimate, metricOf, normalisedEffect, patchTokenShift, topIndices, type Estimate, type PatchDirection, type PatchMetric } from '../analysis/patching.js';

export interface PatchPairIds {
  clean: readonly number[];
  corrupt: readonly number[];
  target: number;
  foil: number;
}

export interface PatchOptions {
  metric: PatchMetric;
  /** neurons reported (the highest denoising effects) */
  top: number;
  /** how many of the most effective layers have every neuron patched */
  searchLayers: number;
  cacheDir?: string;
  /** floats one run's per-token inputs may take (default RUN_FLOATS); smaller: more, smaller runs */
  runFloats?: number;
}

export interface LayerEffect {
  layer: number;
  /** the whole FFN patched at every position */
  all: Estimate | null;
  /** the whole FFN patched at one position; null when the pairs differ in length */
  positions: (Estimate | null)[] | null;
}

export interface NeuronEffect {
  layer: number;
  neuron: number;
  denoise: Estimate | null;
  noise: Estimate | null;
}

export interface PatchRun {
  metric: PatchMetric;
  pairs: { clean: number; corrupt: number }[];
  /** mean metric of the clean and the corrupted runs over pairs */
  clean: number;
  corrupt: number;
  layers: { denoise: LayerEffect[]; noise: LayerEffect[] };
  /** the layers whose every neuron was patched (the highest whole-layer denoising effects) */
  searchedLayers: number[];
  neurons: NeuronEffect[];
  /** forward rows run (one row = one prompt of its length): the cost of the sweep */
  rows: number;
}

/** Neurons patched in one run at most (one condition each). */
const NEURON_BATCH = 256;
/** Floats a run's per-token inputs and activations may take, roughly (token_shift, tapped neurons). */
const RUN_FLOATS = 1 << 25;

export class PatchError extends Error {}

/** Checks a pair before anything runs: equal lengths and tokens inside the vocabulary and context. */
export function checkPair(model: LoadedModel, p: PatchPairIds, where: string): void {
  const { vocabSize: V, maxPositions } = model.spec;
  if (p.clean.length !== p.corrupt.length) {
    throw new PatchError(`${where}: the clean prompt has ${p.clean.length} tokens and the corrupted one ${p.corrupt.length}; patching pairs positions, so both need the same number of tokens`);
  }
  if (p.clean.length === 0) throw new PatchError(`${where}: the prompts have no tokens`);
  if (p.clean.length > maxPositions) throw new PatchError(`${where}: ${p.clean.length} tokens exceed the model's context of ${maxPositions}`);
  for (const id of [...p.clean, ...p.corrupt, p.target, p.foil]) {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new PatchError(`${where}: token id ${id} is outside the vocabulary 0..${V - 1}`);
  }
}

interface Sessions {
  taps: FfnSession;
  patch: FfnSession;
}

interface Edits {
  scale: Float32Array;
  mask: Float32Array;
  count: number;
}

/** Conditions that each replace some neurons by token_shift (scale 0, mask 1). */
function patchEdits(L: number, F: number, conditions: readonly (readonly number[])[]): Edits {
  const n = L * F;
  const scale = new Float32Array(conditions.length * n).fill(1);
  const mask = new Float32Array(conditions.length * n);
  conditions.forEach((flat, c) => {
    for (const i of flat) {
      scale[c * n + i] = 0;
      mask[c * n + i] = 1;
    }
  });
  return { scale, mask, count: conditions.length };
}

async function patchedMetrics(s: Sessions, model: LoadedModel, ids: readonly number[], edits: Edits, tokenShift: Float32Array, rows: number, m: (logits: Float32Array) => number): Promise<number[]> {
  const { nLayers: L, dFf: F, vocabSize: V } = model.spec;
  const T = ids.length;
  const tiled = Array.from({ length: rows }, () => ids).flat();
  const out = await s.patch.run(
    {
      input_ids: int64(tiled, [rows, T]),
      scale: float32(edits.scale, [edits.count, L, F]),
      shift: float32(new Float32Array(edits.count * L * F), [edits.count, L, F]),
      resample_mask: float32(edits.mask, [edits.count, L, F]),
      token_shift: float32(tokenShift, [rows * T, L, F]),
    },
    ['last_logits'],
  );
  const logits = asFloat32(out['last_logits'], 'last_logits');
  return Array.from({ length: edits.count * rows }, (_, n) => m(logits.subarray(n * V, (n + 1) * V)));
}

interface PairRun {
  /** the pair's length in tokens */
  T: number;
  clean: number;
  corrupt: number;
  posts: { clean: Float32Array[]; corrupt: Float32Array[] };
  /** [direction][layer]: effect at each position, then at all positions (index T) */
  layer: Record<PatchDirection, (number | null)[][]>;
}

async function runPair(s: Sessions, model: LoadedModel, p: PatchPairIds, o: PatchOptions, count: (rows: number) => void): Promise<PairRun> {
  const { nLayers: L, dFf: F, vocabSize: V } = model.spec;
  const T = p.clean.length;
  const m = (logits: Float32Array) => metricOf(logits, o.metric, p.target, p.foil);
  const taps = await s.taps.run({ input_ids: int64([...p.clean, ...p.corrupt], [2, T]) }, ['last_logits', ...Array.from({ length: L }, (_, l) => hook.post(l))]);
  count(2);
  const last = asFloat32(taps['last_logits'], 'last_logits');
  const clean = m(last.subarray(0, V));
  const corrupt = m(last.subarray(V, 2 * V));
  const post = (l: number) => asFloat32(taps[hook.post(l)], hook.post(l));
  const posts = { clean: Array.from({ length: L }, (_, l) => post(l).slice(0, T * F)), corrupt: Array.from({ length: L }, (_, l) => post(l).slice(T * F, 2 * T * F)) };

  // conditions = layers (the whole FFN), rows = one per position and one for all positions
  const layerEdits = patchEdits(L, F, Array.from({ length: L }, (_, l) => Array.from({ length: F }, (_, f) => l * F + f)));
  const allRows: (number | 'all')[] = [...Array.from({ length: T }, (_, t) => t), 'all'];
  const perChunk = Math.max(1, Math.floor((o.runFloats ?? RUN_FLOATS) / (T * L * F * 2)));
  const layer = { denoise: [] as (number | null)[][], noise: [] as (number | null)[][] };
  for (const direction of ['denoise', 'noise'] as const) {
    const [base, source, ids] = direction === 'denoise' ? [posts.corrupt, posts.clean, p.corrupt] : [posts.clean, posts.corrupt, p.clean];
    const effects = Array.from({ length: L }, () => new Array<number | null>(T + 1).fill(null));
    for (let start = 0; start < allRows.length; start += perChunk) {
      const rows = allRows.slice(start, start + perChunk);
      const metrics = await patchedMetrics(s, model, ids, layerEdits, patchTokenShift(base, source, T, F, rows), rows.length, m);
      count(L * rows.length);
      for (let l = 0; l < L; l++) rows.forEach((_, b) => ((effects[l] as (number | null)[])[start + b] = normalisedEffect(metrics[l * rows.length + b] as number, clean, corrupt, direction)));
    }
    layer[direction] = effects;
  }
  return { T, clean, corrupt, posts, layer };
}

/** Every neuron of `layers` patched alone at all positions, in both directions: [direction][layer index][neuron]. */
async function neuronSweep(s: Sessions, model: LoadedModel, p: PatchPairIds, run: PairRun, layers: readonly number[], o: PatchOptions, count: (rows: number) => void): Promise<Record<PatchDirection, (number | null)[][]>> {
  const { nLayers: L, dFf: F } = model.spec;
  const T = p.clean.length;
  const m = (logits: Float32Array) => metricOf(logits, o.metric, p.target, p.foil);
  const budget = o.runFloats ?? RUN_FLOATS;
  const batch = Math.max(1, Math.min(NEURON_BATCH, Math.floor(budget / (L * F * 2)), Math.floor(budget / (T * F * 2))));
  const out = { denoise: [] as (number | null)[][], noise: [] as (number | null)[][] };
  for (const direction of ['denoise', 'noise'] as const) {
    const [base, source, ids] = direction === 'denoise' ? [run.posts.corrupt, run.posts.clean, p.corrupt] : [run.posts.clean, run.posts.corrupt, p.clean];
    const shift = patchTokenShift(base, source, T, F, ['all']);
    for (const l of layers) {
      const effects: (number | null)[] = [];
      for (let f0 = 0; f0 < F; f0 += batch) {
        const neurons = Array.from({ length: Math.min(batch, F - f0) }, (_, i) => [l * F + f0 + i]);
        const metrics = await patchedMetrics(s, model, ids, patchEdits(L, F, neurons), shift, 1, m);
        count(neurons.length);
        for (const v of metrics) effects.push(normalisedEffect(v, run.clean, run.corrupt, direction));
      }
      out[direction].push(effects);
    }
  }
  return out;
}

/**
 * The sweep over pairs; `progress` hears the forward rows run so far. Refuses a pair whose clean
 * and corrupted runs give the same metric (there is no gap to normalise by).
 */
export async function runPatching(model: LoadedModel, pairs: readonly PatchPairIds[], o: PatchOptions, progress?: (rows: number) => void): Promise<PatchRun> {
  if (pairs.length === 0) throw new PatchError('no prompt pairs given');
  pairs.forEach((p, i) => checkPair(model, p, pairs.length === 1 ? 'patching' : `pair ${i + 1}`));
  const { nLayers: L, dFf: F } = model.spec;
  const maxT = Math.max(...pairs.map((p) => p.clean.length));
  const session = o.cacheDir ? { cacheDir: o.cacheDir } : {};
  const taps = await FfnSession.create(model, { logits: 'last', taps: Array.from({ length: L }, (_, l) => l) }, { ...session, workload: { rows: 2, seqLen: maxT } });
  let patch: FfnSession | undefined;
  let rows = 0;
  const count = (n: number) => {
    rows += n;
    progress?.(rows);
  };
  try {
    patch = await FfnSession.create(model, { conditions: true, resample: true, logits: 'last' }, { ...session, workload: { rows: Math.min(NEURON_BATCH, L * (maxT + 1)), seqLen: maxT } });
    const s = { taps, patch };
    const runs: PairRun[] = [];
    for (const [i, p] of pairs.entries()) {
      const r = await runPair(s, model, p, o, count);
      if (normalisedEffect(r.clean, r.clean, r.corrupt, 'denoise') === null) {
        throw new PatchError(`${pairs.length === 1 ? 'patching' : `pair ${i + 1}`}: the clean and corrupted prompts give the same ${o.metric} (${r.clean.toFixed(6)}), so there is no difference for patching to restore; choose prompts whose answers differ`);
      }
      runs.push(r);
    }
    const sameLength = pairs.every((p) => p.clean.length === pairs[0]?.clean.length);
    const T = pairs[0]?.clean.length ?? 0;
    const summarise = (direction: PatchDirection): LayerEffect[] =>
      Array.from({ length: L }, (_, l) => ({
        layer: l,
        all: estimate(runs.map((r) => r.layer[direction][l]?.[r.T] ?? null)),
        positions: sameLength ? Array.from({ length: T }, (_, t) => estimate(runs.map((r) => r.layer[direction][l]?.[t] ?? null))) : null,
      }));
    const layers = { denoise: summarise('denoise'), noise: summarise('noise') };
    const searchedLayers = topIndices(layers.denoise.map((e) => e.all?.effect ?? null), o.searchLayers).sort((a, b) => a - b);
    const perPair: Record<PatchDirection, (number | null)[][]>[] = [];
    for (const [i, p] of pairs.entries()) perPair.push(await neuronSweep(s, model, p, runs[i] as PairRun, searchedLayers, o, count));
    const candidates: NeuronEffect[] = searchedLayers.flatMap((layer, li) =>
      Array.from({ length: F }, (_, neuron) => ({
        layer,
        neuron,
        denoise: estimate(perPair.map((r) => r.denoise[li]?.[neuron] ?? null)),
        noise: estimate(perPair.map((r) => r.noise[li]?.[neuron] ?? null)),
      })),
    );
    const neurons = topIndices(candidates.map((c) => c.denoise?.effect ?? null), o.top).map((i) => candidates[i] as NeuronEffect);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      metric: o.metric,
      pairs: runs.map((r) => ({ clean: r.clean, corrupt: r.corrupt })),
      clean: mean(runs.map((r) => r.clean)),
      corrupt: mean(runs.map((r) => r.corrupt)),
      layers,
      searchedLayers,
      neurons,
      rows,
    };
  } finally {
    await taps.release();
    await patch?.release();
  }
}
