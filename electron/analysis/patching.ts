// Activation patching, the maths: the metric read from a next-token distribution, the effect of a
// patch normalised between the clean and the corrupted run, the per-token values the graph's
// resample inputs take to patch chosen positions, and the summary over a dataset of pairs.
//
// Patching through the graph's condition axis (native-models/graph/builder.ts): a neuron with
// scale 0, resample mask 1 and token_shift = the other run's activation at that token IS the other
// run's activation there, so the patch is exact (no approximation, unlike attribution patching).

export type PatchMetric = 'logit-diff' | 'loss';
/** denoise: clean activations into the corrupted run; noise: corrupted activations into the clean run */
export type PatchDirection = 'denoise' | 'noise';

/**
 * The metric of one next-token distribution: logit-diff = logit(target) - logit(foil); loss =
 * -log p(target) (nats). Both are computed in float64 from the row of logits.
 */
export function metricOf(logits: ArrayLike<number>, metric: PatchMetric, target: number, foil: number): number {
  const V = logits.length;
  if (!Number.isInteger(target) || target < 0 || target >= V) throw new RangeError(`patching: target token ${target} is outside the vocabulary 0..${V - 1}`);
  if (metric === 'logit-diff') {
    if (!Number.isInteger(foil) || foil < 0 || foil >= V) throw new RangeError(`patching: foil token ${foil} is outside the vocabulary 0..${V - 1}`);
    return (logits[target] as number) - (logits[foil] as number);
  }
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[v] as number);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp((logits[v] as number) - max);
  return max + Math.log(sum) - (logits[target] as number);
}

/** Gaps smaller than this (in the metric's units) leave nothing to restore: the effect is undefined. */
export const MIN_GAP = 1e-6;

/**
 * The effect of a patch as the fraction of the clean-corrupt gap it moves: denoise (patched
 * corrupted run) (m - m_corrupt) / (m_clean - m_corrupt), 1 = fully restored; noise (patched clean
 * run) (m_clean - m) / (m_clean - m_corrupt), 1 = fully destroyed. 0 = no change either way. Null
 * when the two runs give the same metric.
 */
export function normalisedEffect(patched: number, clean: number, corrupt: number, direction: PatchDirection): number | null {
  const gap = clean - corrupt;
  if (!(Math.abs(gap) >= MIN_GAP)) return null;
  return direction === 'denoise' ? (patched - corrupt) / gap : (clean - patched) / gap;
}

/**
 * The graph's token_shift [rows*T, L, F] for rows that each patch some positions of the same
 * prompt: at a patched position the source run's activation, elsewhere the base run's own (so the
 * neuron, replaced there too, keeps its value: positions are independent within a layer, and
 * earlier layers are not edited). `base` and `source` are per layer [T * F]; `rows[b]` is the
 * position row b patches, or 'all'.
 */
export function patchTokenShift(base: readonly Float32Array[], source: readonly Float32Array[], T: number, F: number, rows: readonly (number | 'all')[]): Float32Array {
  const L = base.length;
  if (source.length !== L) throw new Error(`patching: ${L} layers of base activations but ${source.length} of source`);
  for (const [i, a] of [...base, ...source].entries()) {
    if (a.length !== T * F) throw new Error(`patching: activations of layer ${i % L} have ${a.length} values, expected T*F = ${T}*${F}`);
  }
  const out = new Float32Array(rows.length * T * L * F);
  rows.forEach((row, b) => {
    if (row !== 'all' && (!Number.isInteger(row) || row < 0 || row >= T)) throw new RangeError(`patching: position ${row} is not in 0..${T - 1}`);
    for (let t = 0; t < T; t++) {
      const from = row === 'all' || row === t ? source : base;
      for (let l = 0; l < L; l++) out.set((from[l] as Float32Array).subarray(t * F, (t + 1) * F), ((b * T + t) * L + l) * F);
    }
  });
  return out;
}

export interface Estimate {
  /** the mean over pairs */
  effect: number;
  /** 95% interval of the mean (normal, standard error over pairs); equal to effect with one pair */
  low: number;
  high: number;
}

/** Mean and a 95% interval over pairs (t-free normal interval: 1.96 standard errors). Null: no finite value. */
export function estimate(values: readonly (number | null)[]): Estimate | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return null;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { effect: mean, low: mean, high: mean };
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const half = 1.96 * Math.sqrt(variance / n);
  return { effect: mean, low: mean - half, high: mean + half };
}

/** Indices of the k largest values (ties: lower index first); nulls last, never picked. */
export function topIndices(values: readonly (number | null)[], k: number): number[] {
  return values
    .map((v, i) => ({ v, i }))
    .filter((x): x is { v: number; i: number } => x.v !== null && Number.isFinite(x.v))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, Math.max(0, k))
    .map((x) => x.i);
}
