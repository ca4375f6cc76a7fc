// Per-neuron activation statistics over a corpus, as a mergeable accumulator.
//
// The instrumented graph reduces each batch to per-neuron power sums, extremes and fire counts
// (native-models/graph/heads.ts, layerStats); this module folds those batches together and turns
// the totals into means, spreads and tail measures. Everything kept is a sum, a count, a min or a
// max, so two accumulators over disjoint token sets merge into exactly the accumulator of their
// union: a capture can be split in shards (or resumed after its last committed batch) and merged.
//
// Numerics: the graph sums each batch in float32; across batches and shards the accumulator sums
// in float64, so the accumulated error is that of the per-batch float32 sums, not of the number of
// batches. Moments are raw power sums (about 0), which merge by plain addition; central moments are
// recovered at the end (see summarize for when that is too ill-conditioned to trust).

import type { LayerIndex, NeuronIndex } from './ids.js';
import { median } from './median.js';

/** Integer outputs: onnxruntime returns int64 tensors as BigInt64Array; tests and shards may use plain numbers. */
export type CountArray = BigInt64Array | Float64Array | Float32Array | Int32Array | Uint32Array | readonly number[];
/** Real-valued outputs: float32 from the graph, float64 from other sources. */
export type ValueArray = Float32Array | Float64Array | readonly number[];

/**
 * One batch's reductions, row-major: [L] for `count`, [L, F] (index l*F + f) for the per-neuron
 * arrays. The required fields are what the graph's stats head always outputs; the optional ones are
 * reductions it adds on request (moments) or does not have yet (activeCount; see GRAPH_OUTPUTS). A moment that some batch lacks is missing
 * from the totals (summaries then say null rather than mixing a partial sum into a total).
 */
export interface StatsBatch {
  /** stats_count: tokens reduced, per layer */
  count: CountArray;
  /**
   * stats_unit_count [L, F]: mixture of experts, the tokens each neuron reduced (those routed to its
   * expert; all of the layer's for shared units). Absent: every neuron reduced count[l] tokens.
   */
  unitCount?: CountArray;
  /** stats_sum: sum of activations */
  sum: ValueArray;
  /** stats_sumsq: sum of squares */
  sumsq: ValueArray;
  /** stats_min, stats_max */
  min: ValueArray;
  max: ValueArray;
  /** stats_fire_count: tokens with activation > the firing threshold */
  fireCount: CountArray;
  /** stats_sum_abs: sum of |activation| (mean |act|) */
  sumAbs?: ValueArray;
  /** stats_sum3, stats_sum4: sums of cubes and of 4th powers (kurtosis) */
  sumCube?: ValueArray;
  sumQuart?: ValueArray;
  /**
   * [L, M] per token (M = the batch's token count, the same in every layer): how many of the layer's
   * neurons fired at that token. Gives the distribution of the fraction of a layer active per token.
   */
  activeCount?: CountArray;
}

/**
 * Running totals over every token seen so far. Plain typed arrays, so it can be stored as blobs and
 * structured-cloned between processes. Optional totals are null once any batch went in without them.
 */
/**
 * What "fires" means for the fire counts: 'positive' counts a > threshold (the unit writes its value
 * vector with a positive sign; for ReLU the usual "active"), 'magnitude' counts |a| > threshold
 * (either sign: the natural reading for gated units, whose act(gate) * up is negative whenever up is).
 */
export type FireMode = 'positive' | 'magnitude';

export interface NeuronStats {
  readonly layers: number;
  readonly neurons: number;
  /** the firing threshold the fire counts used; only statistics with the same threshold merge */
  readonly fireThreshold: number;
  /** the firing rule the fire counts used; only statistics with the same rule merge */
  readonly fireMode: FireMode;
  /** [L] tokens per layer */
  count: Float64Array;
  /** [L*F] tokens per neuron when they differ from the layer's (mixture of experts: routed tokens); null: count[l] for each */
  unitCount: Float64Array | null;
  /** [L*F] sums, extremes (+Infinity / -Infinity before any token) and fire counts */
  sum: Float64Array;
  sumsq: Float64Array;
  min: Float64Array;
  max: Float64Array;
  fire: Float64Array;
  sumAbs: Float64Array | null;
  sumCube: Float64Array | null;
  sumQuart: Float64Array | null;
  /** [L*(F+1)]: tokens at which exactly c of the layer's F neurons fired, at l*(F+1) + c */
  activeHist: Float64Array | null;
}

export interface StatsOptions {
  /** the capture's firing threshold (activation > threshold counts as firing); default 0 */
  fireThreshold?: number;
  /** default 'positive' */
  fireMode?: FireMode;
}

function checkShape(layers: number, neurons: number): void {
  if (!Number.isInteger(layers) || layers < 1) throw new Error(`neuron stats: layers must be a positive integer, got ${layers}`);
  if (!Number.isInteger(neurons) || neurons < 1) throw new Error(`neuron stats: neurons must be a positive integer, got ${neurons}`);
}

/**
 * The statistics of no tokens: the identity of merge. Every optional total starts present (zero
 * tokens trivially have all their moments), so merge(emptyStats(), x) keeps what x has.
 */
export function emptyStats(layers: number, neurons: number, options: StatsOptions = {}): NeuronStats {
  checkShape(layers, neurons);
  const fireThreshold = options.fireThreshold ?? 0;
  if (!Number.isFinite(fireThreshold)) throw new Error(`neuron stats: fireThreshold must be finite, got ${fireThreshold}`);
  const n = layers * neurons;
  return {
    layers,
    neurons,
    fireThreshold,
    fireMode: options.fireMode ?? 'positive',
    count: new Float64Array(layers),
    unitCount: null,
    sum: new Float64Array(n),
    sumsq: new Float64Array(n),
    min: new Float64Array(n).fill(Infinity),
    max: new Float64Array(n).fill(-Infinity),
    fire: new Float64Array(n),
    sumAbs: new Float64Array(n),
    sumCube: new Float64Array(n),
    sumQuart: new Float64Array(n),
    activeHist: new Float64Array(layers * (neurons + 1)),
  };
}

/** Counts as float64, checked to be non-negative integers (int64 counts beyond 2^53 are refused). */
function counts(a: CountArray, length: number, what: string): Float64Array {
  if (a.length !== length) throw new Error(`neuron stats: ${what} has ${a.length} values, expected ${length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = Number(a[i]!);
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`neuron stats: ${what}[${i}] = ${String(a[i])} is not a count`);
    out[i] = v;
  }
  return out;
}

function values(a: ValueArray | undefined, length: number, what: string): ValueArray | undefined {
  if (a !== undefined && a.length !== length) throw new Error(`neuron stats: ${what} has ${a.length} values, expected ${length}`);
  return a;
}

/** Adds `batch` into the totals `from` (same length) in place, or drops the total when the batch lacks it. */
function addInto(to: Float64Array | null, from: ValueArray | undefined, layerLive: Float64Array, neurons: number): Float64Array | null {
  if (to === null || from === undefined) return null;
  for (let l = 0; l < layerLive.length; l++) {
    if (layerLive[l] === 0) continue;
    for (let i = l * neurons, end = i + neurons; i < end; i++) to[i]! += from[i]!;
  }
  return to;
}

/**
 * Folds one batch into `acc`, in place (the accumulator is large, so it is not copied per batch),
 * and returns it. Layers that reduced no tokens in this batch are left alone: a reduction over zero
 * tokens has no meaningful min or max. Throws, leaving `acc` untouched, when the batch's shape or
 * counts are wrong.
 */
export function addBatch(acc: NeuronStats, batch: StatsBatch): NeuronStats {
  const { layers: L, neurons: F } = acc;
  const n = L * F;
  const count = counts(batch.count, L, 'count');
  const fire = counts(batch.fireCount, n, 'fireCount');
  const sum = values(batch.sum, n, 'sum')!;
  const sumsq = values(batch.sumsq, n, 'sumsq')!;
  const min = values(batch.min, n, 'min')!;
  const max = values(batch.max, n, 'max')!;
  const sumAbs = values(batch.sumAbs, n, 'sumAbs');
  const sumCube = values(batch.sumCube, n, 'sumCube');
  const sumQuart = values(batch.sumQuart, n, 'sumQuart');
  const unit = batch.unitCount === undefined ? undefined : counts(batch.unitCount, n, 'unitCount');
  for (let l = 0; l < L; l++) {
    for (let f = 0; f < F; f++) {
      if (fire[l * F + f]! > count[l]!) throw new Error(`neuron stats: fireCount[${l}, ${f}] = ${fire[l * F + f]} exceeds the layer's ${count[l]} tokens`);
      if (unit && unit[l * F + f]! > count[l]!) throw new Error(`neuron stats: unitCount[${l}, ${f}] = ${unit[l * F + f]} exceeds the layer's ${count[l]} tokens`);
      if (unit && fire[l * F + f]! > unit[l * F + f]!) throw new Error(`neuron stats: fireCount[${l}, ${f}] = ${fire[l * F + f]} exceeds the neuron's ${unit[l * F + f]} tokens`);
    }
  }
  let active: Float64Array | undefined;
  if (batch.activeCount !== undefined) {
    const m = count[0]!;
    if (count.some((c) => c !== m)) throw new Error('neuron stats: activeCount needs the same token count in every layer');
    active = counts(batch.activeCount, L * m, 'activeCount');
    for (let i = 0; i < active.length; i++) {
      if (active[i]! > F) throw new Error(`neuron stats: activeCount[${Math.floor(i / m)}, ${i % m}] = ${active[i]} exceeds the layer's ${F} neurons`);
    }
  }

  // Validated: from here on nothing throws, so the accumulator is never left half updated.
  // Per-neuron counts: the first batch that has them turns the earlier tokens into per-neuron
  // counts (each neuron counted every one); a batch without them counts every token for each.
  if (unit && acc.unitCount === null) acc.unitCount = perNeuron(acc.count, F);
  if (acc.unitCount) {
    const add = unit ?? perNeuron(count, F);
    for (let i = 0; i < n; i++) acc.unitCount[i]! += add[i]!;
  }
  for (let l = 0; l < L; l++) {
    const c = count[l]!;
    if (c === 0) continue;
    acc.count[l]! += c;
    for (let i = l * F, end = i + F; i < end; i++) {
      acc.sum[i]! += sum[i]!;
      acc.sumsq[i]! += sumsq[i]!;
      // Math.min/max propagate NaN, so an activation that went NaN stays visible in the summary.
      acc.min[i] = Math.min(acc.min[i]!, min[i]!);
      acc.max[i] = Math.max(acc.max[i]!, max[i]!);
      acc.fire[i]! += fire[i]!;
    }
  }
  acc.sumAbs = addInto(acc.sumAbs, sumAbs, count, F);
  acc.sumCube = addInto(acc.sumCube, sumCube, count, F);
  acc.sumQuart = addInto(acc.sumQuart, sumQuart, count, F);
  if (active === undefined) acc.activeHist = null;
  else if (acc.activeHist !== null) {
    const m = count[0]!;
    for (let l = 0; l < L; l++) {
      for (let t = 0; t < m; t++) acc.activeHist[l * (F + 1) + active[l * m + t]!]! += 1;
    }
  }
  return acc;
}

/** [L] per-layer counts spread to [L*F] (every neuron of a layer counted its tokens). */
export function perNeuron(perLayer: ArrayLike<number>, neurons: number): Float64Array {
  return Float64Array.from({ length: perLayer.length * neurons }, (_, i) => perLayer[Math.floor(i / neurons)]!);
}

function sumOf(a: Float64Array | null, b: Float64Array | null): Float64Array | null {
  if (a === null || b === null) return null;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/**
 * The statistics of the union of two disjoint token sets; a new accumulator, the inputs are left as
 * they are. Commutative (float addition, min and max are) and associative up to float64 rounding of
 * the sums (counts, mins and maxes exactly). Throws when the shapes or firing thresholds differ:
 * fire counts at different thresholds do not add up to anything.
 */
export function merge(a: NeuronStats, b: NeuronStats): NeuronStats {
  if (a.layers !== b.layers || a.neurons !== b.neurons) {
    throw new Error(`neuron stats: cannot merge ${a.layers}x${a.neurons} statistics with ${b.layers}x${b.neurons}`);
  }
  if (a.fireThreshold !== b.fireThreshold) {
    throw new Error(`neuron stats: cannot merge statistics with firing thresholds ${a.fireThreshold} and ${b.fireThreshold}`);
  }
  if (a.fireMode !== b.fireMode) {
    throw new Error(`neuron stats: cannot merge statistics whose fire counts use different rules (${a.fireMode} and ${b.fireMode})`);
  }
  const min = new Float64Array(a.min.length);
  const max = new Float64Array(a.max.length);
  for (let i = 0; i < min.length; i++) {
    min[i] = Math.min(a.min[i]!, b.min[i]!);
    max[i] = Math.max(a.max[i]!, b.max[i]!);
  }
  return {
    layers: a.layers,
    neurons: a.neurons,
    fireThreshold: a.fireThreshold,
    fireMode: a.fireMode,
    count: sumOf(a.count, b.count)!,
    unitCount: a.unitCount === null && b.unitCount === null ? null : sumOf(a.unitCount ?? perNeuron(a.count, a.neurons), b.unitCount ?? perNeuron(b.count, b.neurons)),
    sum: sumOf(a.sum, b.sum)!,
    sumsq: sumOf(a.sumsq, b.sumsq)!,
    min,
    max,
    fire: sumOf(a.fire, b.fire)!,
    sumAbs: sumOf(a.sumAbs, b.sumAbs),
    sumCube: sumOf(a.sumCube, b.sumCube),
    sumQuart: sumOf(a.sumQuart, b.sumQuart),
    activeHist: sumOf(a.activeHist, b.activeHist),
  };
}

/**
 * Below this ratio of variance to mean square (var / E[x^2]) the kurtosis is reported as NaN: it
 * is then computed from raw power sums that nearly cancel, and the per-batch float32 sums of the
 * graph (relative error ~1e-7 and more) make m4 meaningless. At 1e-2 the cancellation amplifies
 * that error by at most ~6 * (1 / 1e-2)^2 = 6e4, i.e. well under 1% of the kurtosis. Such neurons
 * sit at a nearly constant value (|mean| > ~10 std), e.g. GELU neurons parked at their minimum.
 */
export const KURTOSIS_MIN_RELATIVE_VARIANCE = 1e-2;

/**
 * Per-neuron summaries, as columns [L*F] (index l*F + f) so that half a million neurons stay cheap
 * to sort and chart. NaN where a value is undefined (no tokens; kurtosis of a constant neuron).
 */
export interface StatsSummary {
  readonly layers: number;
  readonly neurons: number;
  readonly fireThreshold: number;
  readonly fireMode: FireMode;
  /** [L] tokens seen per layer */
  tokens: Float64Array;
  /** [L*F] tokens each neuron counted, when they differ from the layer's (mixture of experts: those routed to its expert); null: tokens[l] */
  unitTokens: Float64Array | null;
  mean: Float64Array;
  /** population standard deviation */
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** max(|min|, |max|) */
  peakAbs: Float64Array;
  /** mean |act|; null when the statistics lack sum |act| */
  meanAbs: Float64Array | null;
  /** fire count / tokens */
  fireRate: Float64Array;
  /** fire count (integer) */
  fireCount: Float64Array;
  /** excess kurtosis (0 for a Gaussian); null when the statistics lack the 3rd and 4th moments */
  kurtosis: Float64Array | null;
  /** [L] median over the layer's neurons (those with a finite peak) of peakAbs */
  layerMedianPeak: Float64Array;
  /**
   * peakAbs / the layer's median peak: the tail measure that needs no higher moments. Infinity when
   * the median is 0 and the peak is not.
   */
  peakRatio: Float64Array;
  /** [L] mean over tokens of the fraction of the layer's neurons that fired (from the fire counts) */
  meanActiveFraction: Float64Array;
  /**
   * [L] the layer's typical |activation|: the median over its neurons of mean |act| (of the RMS
   * activation when the statistics lack sum |act|). The scale that "silent" and "constant" are
   * judged against (detectors.ts).
   */
  layerTypicalAbs: Float64Array;
}

/** Means, spreads and tail measures from the totals. */
export function summarize(acc: NeuronStats): StatsSummary {
  const { layers: L, neurons: F } = acc;
  const n = L * F;
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  const min = new Float64Array(n);
  const max = new Float64Array(n);
  const peakAbs = new Float64Array(n);
  const fireRate = new Float64Array(n);
  const meanAbs = acc.sumAbs === null ? null : new Float64Array(n);
  const moments = acc.sumCube !== null && acc.sumQuart !== null;
  const kurtosis = moments ? new Float64Array(n) : null;
  const layerMedianPeak = new Float64Array(L);
  const peakRatio = new Float64Array(n);
  const meanActiveFraction = new Float64Array(L);
  const layerTypicalAbs = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    const layerTokens = acc.count[l]!;
    let fired = 0;
    for (let i = l * F, end = i + F; i < end; i++) {
      fired += acc.fire[i]!;
      const c = acc.unitCount ? acc.unitCount[i]! : layerTokens;
      if (c === 0) {
        mean[i] = std[i] = min[i] = max[i] = peakAbs[i] = fireRate[i] = NaN;
        if (meanAbs) meanAbs[i] = NaN;
        if (kurtosis) kurtosis[i] = NaN;
        continue;
      }
      const mu = acc.sum[i]! / c;
      const ex2 = acc.sumsq[i]! / c;
      // E[x^2] - mean^2 can dip below 0 by rounding for a constant neuron.
      const variance = Math.max(0, ex2 - mu * mu);
      mean[i] = mu;
      std[i] = Math.sqrt(variance);
      min[i] = acc.min[i]!;
      max[i] = acc.max[i]!;
      peakAbs[i] = Math.max(Math.abs(acc.min[i]!), Math.abs(acc.max[i]!));
      fireRate[i] = acc.fire[i]! / c;
      if (meanAbs) meanAbs[i] = acc.sumAbs![i]! / c;
      if (kurtosis) {
        if (!(variance > KURTOSIS_MIN_RELATIVE_VARIANCE * ex2)) kurtosis[i] = NaN;
        else {
          const ex3 = acc.sumCube![i]! / c;
          const ex4 = acc.sumQuart![i]! / c;
          // The 4th central moment from raw moments: E[(x-mu)^4] = E x^4 - 4 mu E x^3 + 6 mu^2 E x^2 - 3 mu^4.
          const m4 = ex4 - 4 * mu * ex3 + 6 * mu * mu * ex2 - 3 * mu * mu * mu * mu;
          kurtosis[i] = Math.max(0, m4) / (variance * variance) - 3;
        }
      }
    }
    meanActiveFraction[l] = layerTokens === 0 ? NaN : fired / (layerTokens * F);
    const peaks = peakAbs.subarray(l * F, (l + 1) * F);
    const med = median(peaks.filter((p) => Number.isFinite(p)));
    layerMedianPeak[l] = med;
    for (let i = l * F, end = i + F; i < end; i++) {
      const p = peakAbs[i]!;
      peakRatio[i] = p === 0 && med === 0 ? NaN : p / med;
    }
    const typical = Float64Array.from({ length: F }, (_, f) => {
      const i = l * F + f;
      const c = acc.unitCount ? acc.unitCount[i]! : layerTokens;
      return meanAbs ? meanAbs[i]! : c === 0 ? NaN : Math.sqrt(acc.sumsq[i]! / c);
    });
    layerTypicalAbs[l] = median(typical.filter((v) => Number.isFinite(v)));
  }
  return {
    layers: L,
    neurons: F,
    fireThreshold: acc.fireThreshold,
    fireMode: acc.fireMode,
    tokens: acc.count.slice(),
    unitTokens: acc.unitCount ? acc.unitCount.slice() : null,
    mean,
    std,
    min,
    max,
    peakAbs,
    meanAbs,
    fireRate,
    fireCount: acc.fire.slice(),
    kurtosis,
    layerMedianPeak,
    peakRatio,
    meanActiveFraction,
    layerTypicalAbs,
  };
}

/** One neuron's summary as JSON-friendly values (null for undefined or absent). */
export interface NeuronSummaryRow {
  layer: LayerIndex;
  neuron: NeuronIndex;
  tokens: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  peak_abs: number | null;
  mean_abs: number | null;
  fire_count: number;
  fire_rate: number | null;
  kurtosis: number | null;
  peak_ratio: number | null;
}

const finiteOrNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);

/** The row of neuron (layer, neuron) of a summary; Infinity stays (JSON writers decide), NaN becomes null. */
export function summaryRow(s: StatsSummary, layer: LayerIndex, neuron: NeuronIndex): NeuronSummaryRow {
  if (!Number.isInteger(layer) || layer < 0 || layer >= s.layers) throw new Error(`neuron stats: layer ${layer} is not in 0..${s.layers - 1}`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= s.neurons) throw new Error(`neuron stats: neuron ${neuron} is not in 0..${s.neurons - 1}`);
  const i = layer * s.neurons + neuron;
  return {
    layer,
    neuron,
    tokens: s.unitTokens ? s.unitTokens[i]! : s.tokens[layer]!,
    mean: finiteOrNull(s.mean[i]),
    std: finiteOrNull(s.std[i]),
    min: finiteOrNull(s.min[i]),
    max: finiteOrNull(s.max[i]),
    peak_abs: finiteOrNull(s.peakAbs[i]),
    mean_abs: s.meanAbs ? finiteOrNull(s.meanAbs[i]) : null,
    fire_count: s.fireCount[i]!,
    fire_rate: finiteOrNull(s.fireRate[i]),
    kurtosis: s.kurtosis ? finiteOrNull(s.kurtosis[i]) : null,
    peak_ratio: finiteOrNull(s.peakRatio[i]),
  };
}

/** A histogram of the fraction of a layer's neurons active per token, for charts. */
export interface ActiveFractionHistogram {
  /** bins + 1 edges over [0, 1] */
  edges: number[];
  /** tokens per bin; bin b holds fractions in [edges[b], edges[b+1]) and the last bin includes 1 */
  counts: number[];
  tokens: number;
}

/**
 * Rebins layer `layer`'s exact per-token active counts into `bins` equal fraction bins; null when
 * the statistics lack per-token active counts.
 */
export function activeFractionHistogram(acc: NeuronStats, layer: LayerIndex, bins = 50): ActiveFractionHistogram | null {
  if (acc.activeHist === null) return null;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`neuron stats: bins must be a positive integer, got ${bins}`);
  if (!Number.isInteger(layer) || layer < 0 || layer >= acc.layers) throw new Error(`neuron stats: layer ${layer} is not in 0..${acc.layers - 1}`);
  const F = acc.neurons;
  const counts = new Array<number>(bins).fill(0);
  let tokens = 0;
  for (let c = 0; c <= F; c++) {
    const t = acc.activeHist[layer * (F + 1) + c]!;
    if (t === 0) continue;
    // Integer arithmetic for the bin, so that c/F exactly on an edge lands in the bin it opens.
    counts[Math.min(bins - 1, Math.floor((c * bins) / F))]! += t;
    tokens += t;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, b) => b / bins), counts, tokens };
}

/**
 * The graph output names each StatsBatch field is read from. The stats head has the first six, and
 * stats_sum_abs / stats_sum3 / stats_sum4 with its `moments` option. stats_active_count is one the
 * graph does not have yet: [L, B*T] int64 (or float), per counted token the number of the layer's
 * neurons with activation > threshold (ReduceSum over F of the fire indicator, masked tokens
 * dropped or given no row), for the per-layer distribution of the fraction active per token.
 */
export const GRAPH_OUTPUTS = {
  count: 'stats_count',
  sum: 'stats_sum',
  sumsq: 'stats_sumsq',
  min: 'stats_min',
  max: 'stats_max',
  fireCount: 'stats_fire_count',
  sumAbs: 'stats_sum_abs',
  sumCube: 'stats_sum3',
  sumQuart: 'stats_sum4',
  activeCount: 'stats_active_count',
  unitCount: 'stats_unit_count',
} as const;

/** A tensor as the runtime hands it back (structurally the runtime's HostTensor). */
export interface OutputTensor {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

/**
 * A StatsBatch from a session's outputs by name; optional reductions are used when present. Shapes
 * are checked by addBatch against the accumulator.
 */
export function statsBatchFromOutputs(out: Readonly<Record<string, OutputTensor | undefined>>): StatsBatch {
  const need = (name: string): OutputTensor => {
    const t = out[name];
    if (t === undefined) throw new Error(`neuron stats: the graph outputs lack ${name}`);
    return t;
  };
  const real = (name: string, t: OutputTensor | undefined): Float32Array | undefined => {
    if (t === undefined) return undefined;
    if (!(t.data instanceof Float32Array)) throw new Error(`neuron stats: ${name} should be float32`);
    return t.data;
  };
  const o = GRAPH_OUTPUTS;
  const batch: StatsBatch = {
    count: need(o.count).data,
    sum: real(o.sum, need(o.sum))!,
    sumsq: real(o.sumsq, need(o.sumsq))!,
    min: real(o.min, need(o.min))!,
    max: real(o.max, need(o.max))!,
    fireCount: need(o.fireCount).data,
  };
  const sumAbs = real(o.sumAbs, out[o.sumAbs]);
  const sumCube = real(o.sumCube, out[o.sumCube]);
  const sumQuart = real(o.sumQuart, out[o.sumQuart]);
  if (sumAbs) batch.sumAbs = sumAbs;
  if (sumCube) batch.sumCube = sumCube;
  if (sumQuart) batch.sumQuart = sumQuart;
  const active = out[o.activeCount];
  if (active) batch.activeCount = active.data;
  const unit = out[o.unitCount];
  if (unit) batch.unitCount = unit.data;
  return batch;
}
