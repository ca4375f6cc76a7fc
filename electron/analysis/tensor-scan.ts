// The weight scan: per tensor, invalid values and the shape of the value distribution; per FFN
// neuron, the norms of its key and value; in FFN output matrices, super-weight candidates.
//
// Tensors arrive as fp32 in canonical [out, in] layout (native-models/spec.ts, WeightTensor). They
// can be large (an embedding of 50k x 4k is 200M values), so each function walks the data once or
// a fixed few times, in chunks that stay in cache, allocates O(1) or O(neurons) memory, and
// accumulates in float64.

import type { NeuronIndex } from './ids.js';

/** A tensor: row-major fp32 values and their shape (structurally the model layer's WeightTensor). */
export interface Tensor {
  data: Float32Array;
  shape: readonly number[];
}

/** The dtype the checkpoint stored, which decides what counts as subnormal (the fp32 copy hides it). */
export type SourceDtype = 'float32' | 'float16' | 'bfloat16';

/** The smallest positive normal number of each dtype; nonzero values below it in magnitude are subnormal. */
export const SMALLEST_NORMAL: Record<SourceDtype, number> = {
  float32: 2 ** -126,
  bfloat16: 2 ** -126,
  float16: 2 ** -14,
};

export type InvalidValue = 'nan' | 'inf' | '-inf';

export interface InvalidEntry {
  /** coordinates in the tensor's shape, e.g. [i, j] for a matrix */
  index: number[];
  value: InvalidValue;
}

export interface TensorScan {
  shape: number[];
  size: number;
  /** finite values: the ones the statistics below are over */
  finite: number;
  nan: number;
  pos_inf: number;
  neg_inf: number;
  /** nonzero finite values below the source dtype's smallest normal in magnitude */
  subnormal: number;
  zeros: number;
  /** null when no value is finite */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** population standard deviation */
  std: number | null;
  /** excess kurtosis (0 for a Gaussian); null when fewer than 2 finite values or all equal */
  kurtosis: number | null;
  /** the largest finite |w| and the coordinates of its first occurrence */
  max_abs: { value: number; index: number[] } | null;
  /** the first invalid_cap invalid entries in index order */
  invalid: InvalidEntry[];
  /** how many invalid entries there are in all (nan + pos_inf + neg_inf) */
  invalid_total: number;
}

export interface ScanOptions {
  /** how many invalid entries to list; default 1000 (the counts are always complete) */
  invalidCap?: number;
  /** default 'float32' */
  sourceDtype?: SourceDtype;
}

export const DEFAULT_INVALID_CAP = 1000;

/** Values per chunk: 16 KiB of fp32, so the second pass over a chunk reads from L1/L2 cache. */
const CHUNK = 4096;

function checkTensor(t: Tensor, what: string): void {
  let size = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what}: shape [${t.shape.join(', ')}] has a bad dimension ${d}`);
    size *= d;
  }
  if (size !== t.data.length) throw new Error(`${what}: shape [${t.shape.join(', ')}] holds ${size} values but the data has ${t.data.length}`);
}

/** Row-major flat index -> coordinates. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    index[d] = rest % n;
    rest = Math.floor(rest / n);
  }
  return index;
}

/**
 * Central moments of a set of numbers: count, mean and M_p = sum (x - mean)^p for p = 2, 3, 4.
 * Kept central (not raw power sums) because weights often sit far from 0 relative to their spread
 * (norm gains ~1 +- 0.01), where raw sums cancel catastrophically.
 */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
}

export const NO_MOMENTS: Moments = { n: 0, mean: 0, m2: 0, m3: 0, m4: 0 };

/** The moments of the union of two disjoint sets (Pebay 2008, the pairwise update). */
export function combineMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const n = a.n + b.n;
  const d = b.mean - a.mean;
  const d2 = d * d;
  const na = a.n;
  const nb = b.n;
  return {
    n,
    mean: a.mean + (d * nb) / n,
    m2: a.m2 + b.m2 + (d2 * na * nb) / n,
    m3: a.m3 + b.m3 + (d2 * d * na * nb * (na - nb)) / (n * n) + (3 * d * (na * b.m2 - nb * a.m2)) / n,
    m4:
      a.m4 +
      b.m4 +
      (d2 * d2 * na * nb * (na * na - na * nb + nb * nb)) / (n * n * n) +
      (6 * d2 * (na * na * b.m2 + nb * nb * a.m2)) / (n * n) +
      (4 * d * (na * b.m3 - nb * a.m3)) / n,
  };
}

/** Population std and excess kurtosis of moments; null where undefined. */
export function shapeOf(m: Moments): { std: number | null; kurtosis: number | null } {
  if (m.n === 0) return { std: null, kurtosis: null };
  const variance = m.m2 / m.n;
  return { std: Math.sqrt(variance), kurtosis: m.n < 2 || variance === 0 ? null : m.m4 / m.n / (variance * variance) - 3 };
}

/**
 * Scans one tensor: invalid values with their coordinates, subnormals, extremes, and the moments of
 * its finite values. One pass over memory: each chunk is read twice while it is in cache (its mean,
 * then its central moments), and chunks combine by the pairwise update, which keeps the moments
 * exact to float64 rounding whatever the tensor's offset and size.
 */
export function scanTensor(t: Tensor, options: ScanOptions = {}): TensorScan {
  checkTensor(t, 'tensor scan');
  const cap = options.invalidCap ?? DEFAULT_INVALID_CAP;
  if (!Number.isInteger(cap) || cap < 0) throw new Error(`tensor scan: invalidCap must be a non-negative integer, got ${cap}`);
  const smallestNormal = SMALLEST_NORMAL[options.sourceDtype ?? 'float32'];
  const { data, shape } = t;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let subnormal = 0;
  let zeros = 0;
  let min = Infinity;
  let max = -Infinity;
  let maxAbs = -1;
  let maxAbsAt = -1;
  const invalid: InvalidEntry[] = [];
  let moments = NO_MOMENTS;
  for (let start = 0; start < data.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, data.length);
    let n = 0;
    let sum = 0;
    for (let i = start; i < end; i++) {
      const v = data[i]!;
      if (v - v !== 0) {
        // NaN or +-Infinity (v - v is NaN for both, 0 for every finite v)
        const kind: InvalidValue = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
        if (kind === 'nan') nan++;
        else if (kind === 'inf') posInf++;
        else negInf++;
        if (invalid.length < cap) invalid.push({ index: unravel(i, shape), value: kind });
        continue;
      }
      n++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      const a = Math.abs(v);
      if (a > maxAbs) {
        maxAbs = a;
        maxAbsAt = i;
      }
      if (a === 0) zeros++;
      else if (a < smallestNormal) subnormal++;
    }
    if (n === 0) continue;
    const mean = sum / n;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (let i = start; i < end; i++) {
      const v = data[i]!;
      if (v - v !== 0) continue;
      const d = v - mean;
      const d2 = d * d;
      s1 += d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
    }
    // The chunk mean from a plain sum is off by rounding; s1 (which would be 0 for the exact mean)
    // measures the offset e, and the sums about `mean` shift to sums about mean + e exactly.
    const e = s1 / n;
    moments = combineMoments(moments, {
      n,
      mean: mean + e,
      m2: Math.max(0, s2 - n * e * e),
      m3: s3 - 3 * e * s2 + 2 * n * e * e * e,
      m4: Math.max(0, s4 - 4 * e * s3 + 6 * e * e * s2 - 3 * n * e * e * e * e),
    });
  }
  const finite = moments.n;
  const { std, kurtosis } = shapeOf(moments);
  return {
    shape: [...shape],
    size: data.length,
    finite,
    nan,
    pos_inf: posInf,
    neg_inf: negInf,
    subnormal,
    zeros,
    min: finite === 0 ? null : min,
    max: finite === 0 ? null : max,
    mean: finite === 0 ? null : moments.mean,
    std,
    kurtosis,
    max_abs: maxAbsAt < 0 ? null : { value: maxAbs, index: unravel(maxAbsAt, shape) },
    invalid,
    invalid_total: nan + posInf + negInf,
  };
}

/** Per-neuron norms of an FFN layer: L2 norms in float64 (NaN when the neuron has a NaN weight). */
export interface FfnNeuronNorms {
  /** [F] ||W_in[f, :]||: the key (for gated FFNs, the up projection) */
  key: Float64Array;
  /** [F] ||W_gate[f, :]||; null for ungated FFNs */
  gate: Float64Array | null;
  /** [F] ||W_out[:, f]||: the value vector the neuron writes into the residual stream */
  value: Float64Array;
}

function rowNorms(w: Tensor): Float64Array {
  const [rows, cols] = w.shape as [number, number];
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0, base = r * cols; c < cols; c++) s += w.data[base + c]! * w.data[base + c]!;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * Key and value norms of every neuron of one FFN layer, from W_in [F, D] (and W_gate [F, D]) and
 * W_out [D, F], canonical [out, in] layout. Column norms of W_out are accumulated row by row, so the
 * matrix is read in memory order.
 */
export function ffnNeuronNorms(w: { in: Tensor; gate?: Tensor; out: Tensor }): FfnNeuronNorms {
  const check = (t: Tensor, what: string): [number, number] => {
    checkTensor(t, `FFN norms: ${what}`);
    if (t.shape.length !== 2) throw new Error(`FFN norms: ${what} should be a matrix, got shape [${t.shape.join(', ')}]`);
    return t.shape as [number, number];
  };
  const [F, D] = check(w.in, 'W_in');
  const [Do, Fo] = check(w.out, 'W_out');
  if (Do !== D || Fo !== F) throw new Error(`FFN norms: W_out is [${Do}, ${Fo}] but W_in [${F}, ${D}] needs [${D}, ${F}]`);
  if (w.gate) {
    const [Fg, Dg] = check(w.gate, 'W_gate');
    if (Fg !== F || Dg !== D) throw new Error(`FFN norms: W_gate is [${Fg}, ${Dg}], expected [${F}, ${D}] like W_in`);
  }
  const sq = new Float64Array(F);
  const out = w.out.data;
  for (let d = 0; d < D; d++) {
    for (let f = 0, base = d * F; f < F; f++) sq[f]! += out[base + f]! * out[base + f]!;
  }
  for (let f = 0; f < F; f++) sq[f] = Math.sqrt(sq[f]!);
  return { key: rowNorms(w.in), gate: w.gate ? rowNorms(w.gate) : null, value: sq };
}

export interface SuperWeightOptions {
  /** the rule's factor: candidates have |w| >= ratio * typical |w|; default 50 */
  ratio?: number;
  /** how many candidates to list (largest |w| first); default 20 */
  limit?: number;
}

export interface SuperWeightCandidate {
  /** [d, f]: output dimension d of the residual stream, neuron f */
  index: [number, number];
  neuron: NeuronIndex;
  value: number;
  /** |w| / typical |w| */
  ratio: number;
}

export interface SuperWeightScan {
  /** the rule, in words, with its numbers */
  rule: string;
  ratio: number;
  /** median of the nonzero finite |w| (null when there are none) */
  typical_abs: number | null;
  /** ratio * typical_abs */
  threshold: number | null;
  /** entries passing the rule, in all */
  total: number;
  /** the `limit` largest by |w| (ties: lower flat index first) */
  candidates: SuperWeightCandidate[];
}

/**
 * Super-weight candidates in an FFN output matrix W_out [D, F]: entries with |w| >= ratio x the
 * median nonzero |w| of the matrix. The median of |w| rather than the std: the std is itself inflated
 * by the outliers sought and, for heavy-tailed matrices, by the tails; nonzero because pruned
 * checkpoints hold many exact zeros, which would drag the median to 0. Default ratio 50: the largest
 * of 1e9 Gaussian entries is ~6 sigma, about 9x the median |w| (0.674 sigma), so 50x is far outside
 * any Gaussian-like bulk, while the super weights reported for Llama-class models are orders of
 * magnitude above the typical weight.
 *
 * The median is exact and needs no copy of the matrix: a histogram of the top 16 bits of |w|'s
 * float32 bit pattern (ordered like the values for non-negative floats) finds the bin holding the
 * median, and a second pass sorts only that bin's values.
 */
export function superWeightCandidates(wOut: Tensor, options: SuperWeightOptions = {}): SuperWeightScan {
  checkTensor(wOut, 'super weights');
  if (wOut.shape.length !== 2) throw new Error(`super weights: W_out should be a matrix, got shape [${wOut.shape.join(', ')}]`);
  const ratio = options.ratio ?? 50;
  const limit = options.limit ?? 20;
  if (!Number.isFinite(ratio) || ratio <= 0) throw new Error(`super weights: ratio must be a positive number, got ${ratio}`);
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`super weights: limit must be a non-negative integer, got ${limit}`);
  const F = wOut.shape[1]!;
  const data = wOut.data;
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const typical = medianNonzeroAbs(data, bits);
  const rule = `|w| >= ${ratio} x median nonzero |w|`;
  if (typical === null) return { rule, ratio, typical_abs: null, threshold: null, total: 0, candidates: [] };
  const threshold = ratio * typical;
  // The `limit` best, kept sorted by |w| descending; the scan goes in index order, so an equal |w|
  // arriving later ranks after (strict comparison below).
  const keptAt: number[] = [];
  const keptAbs: number[] = [];
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (!(a >= threshold) || a === Infinity) continue;
    total++;
    if (limit === 0 || (keptAbs.length === limit && !(a > keptAbs[limit - 1]!))) continue;
    let j = keptAbs.length;
    while (j > 0 && a > keptAbs[j - 1]!) j--;
    keptAbs.splice(j, 0, a);
    keptAt.splice(j, 0, i);
    if (keptAbs.length > limit) {
      keptAbs.pop();
      keptAt.pop();
    }
  }
  const candidates = keptAt.map((i): SuperWeightCandidate => {
    const d = Math.floor(i / F);
    const f = i - d * F;
    return { index: [d, f], neuron: f, value: data[i]!, ratio: Math.abs(data[i]!) / typical };
  });
  return { rule, ratio, typical_abs: typical, threshold, total, candidates };
}

const EXP_ALL_ONES = 0x7f800000;

/** Exact median of the nonzero finite |x| (mean of the two middle ones for an even count), or null. */
export function medianNonzeroAbs(data: Float32Array, bits: Uint32Array = new Uint32Array(data.buffer, data.byteOffset, data.length)): number | null {
  const hist = new Float64Array(1 << 16);
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]! & 0x7fffffff;
    if (b === 0 || b >= EXP_ALL_ONES) continue; // zero, or Inf / NaN
    hist[b >>> 16]! += 1;
    n++;
  }
  if (n === 0) return null;
  const kth = (k: number): number => {
    let below = 0;
    let bin = 0;
    while (below + hist[bin]! <= k) below += hist[bin++]!;
    const inBin: number[] = [];
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i]! & 0x7fffffff;
      if (b !== 0 && b < EXP_ALL_ONES && b >>> 16 === bin) inBin.push(Math.abs(data[i]!));
    }
    inBin.sort((x, y) => x - y);
    return inBin[k - below]!;
  };
  const mid = n >> 1;
  if (n % 2 === 1) return kth(mid);
  const lo = kth(mid - 1);
  const hi = kth(mid);
  return (lo + hi) / 2;
}

/** The per-block scales of a block-quantized tensor, judged: their range and the largest one. */
export interface BlockScaleScan {
  /** elements per block (32, or 256 for ggml's K-quants) */
  blockSize: number;
  blocks: number;
  /** blocks whose d is NaN or Inf (the statistics below leave them out) */
  nonFinite: number;
  /** min, median, max of |d| over the finite scales; null when none is finite */
  min: number | null;
  median: number | null;
  max: number | null;
  /** the block with the largest |d| (the first one), and the elements it covers */
  maxBlock: {
    index: number;
    /** d as stored (signed) */
    d: number;
    /** coordinates in the tensor's row-major shape of its first and last element (inclusive) */
    start: number[];
    end: number[];
    /** |d| / the median |d|; null when the median is 0 */
    ratio: number | null;
  } | null;
}

/**
 * Judges a quantized tensor's per-block scales `d` (block i covers flat elements
 * i*blockSize .. (i+1)*blockSize-1 of a tensor of `shape`, row-major). A block whose |d| is far above
 * the median holds a weight far above its neighbours: a per-block scale outlier.
 */
export function scanBlockScales(d: ArrayLike<number>, blockSize: number, shape: readonly number[]): BlockScaleScan {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`block scales: blockSize must be a positive integer, got ${blockSize}`);
  if (d.length * blockSize !== size) throw new Error(`block scales: ${d.length} blocks of ${blockSize} cover ${d.length * blockSize} elements but shape [${shape.join(', ')}] holds ${size}`);
  const abs = new Float64Array(d.length);
  let n = 0;
  let best = -1;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    abs[n++] = a;
    if (best < 0 || a > Math.abs(d[best]!)) best = i;
  }
  const finite = abs.subarray(0, n).sort();
  const mid = n >> 1;
  const median = n === 0 ? null : n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  const maxAbs = n === 0 ? null : finite[n - 1]!;
  return {
    blockSize,
    blocks: d.length,
    nonFinite: d.length - n,
    min: n === 0 ? null : finite[0]!,
    median,
    max: maxAbs,
    maxBlock:
      best < 0
        ? null
        : {
            index: best,
            d: d[best]!,
            start: unravel(best * blockSize, shape),
            end: unravel((best + 1) * blockSize - 1, shape),
            ratio: median === null || median === 0 ? null : maxAbs! / median,
          },
  };
}
