// Test support for analysis/: a seeded PRNG and reference reductions that stand in for the graph.

import type { StatsBatch } from './neuron-stats.js';

export { prng, gaussian, type Rand } from '../../common/prng.js';

/** GELU, tanh approximation (gelu_new), as GPT-2 uses. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/**
 * What the graph's stats head computes for one batch: activations per layer [M, F] (token-major,
 * like the graph's x0 [B*T, F]) reduced over tokens. Sums are computed in float64 and rounded to
 * float32 once, as a float32 reduction would return them (up to its own rounding).
 */
export function reduceBatch(
  acts: readonly Float32Array[],
  neurons: number,
  threshold: number,
  extras: { abs?: boolean; moments?: boolean; active?: boolean } = { abs: true, moments: true, active: true },
): StatsBatch {
  const L = acts.length;
  const F = neurons;
  const M = acts[0]!.length / F;
  const n = L * F;
  const sum = new Float32Array(n);
  const sumsq = new Float32Array(n);
  const sumAbs = new Float32Array(n);
  const sumCube = new Float32Array(n);
  const sumQuart = new Float32Array(n);
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  const fire = new BigInt64Array(n);
  const active = new BigInt64Array(L * M);
  for (let l = 0; l < L; l++) {
    const a = acts[l]!;
    for (let f = 0; f < F; f++) {
      let s1 = 0;
      let s2 = 0;
      let sa = 0;
      let s3 = 0;
      let s4 = 0;
      let lo = Infinity;
      let hi = -Infinity;
      let fired = 0;
      for (let t = 0; t < M; t++) {
        const x = a[t * F + f]!;
        s1 += x;
        s2 += x * x;
        sa += Math.abs(x);
        s3 += x * x * x;
        s4 += x * x * x * x;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (x > threshold) {
          fired++;
          active[l * M + t]! += 1n;
        }
      }
      const i = l * F + f;
      sum[i] = s1;
      sumsq[i] = s2;
      sumAbs[i] = sa;
      sumCube[i] = s3;
      sumQuart[i] = s4;
      min[i] = lo;
      max[i] = hi;
      fire[i] = BigInt(fired);
    }
  }
  const batch: StatsBatch = { count: BigInt64Array.from({ length: L }, () => BigInt(M)), sum, sumsq, min, max, fireCount: fire };
  if (extras.abs) batch.sumAbs = sumAbs;
  if (extras.moments) {
    batch.sumCube = sumCube;
    batch.sumQuart = sumQuart;
  }
  if (extras.active) batch.activeCount = active;
  return batch;
}

/** Float64 reference statistics of one neuron's activation values. */
export function reference(values: ArrayLike<number>, threshold = 0): {
  mean: number;
  std: number;
  min: number;
  max: number;
  meanAbs: number;
  fireRate: number;
  kurtosis: number;
} {
  const n = values.length;
  let s = 0;
  let sa = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let fired = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    s += x;
    sa += Math.abs(x);
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    if (x > threshold) fired++;
  }
  const mean = s / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return { mean, std: Math.sqrt(m2), min: lo, max: hi, meanAbs: sa / n, fireRate: fired / n, kurtosis: m4 / (m2 * m2) - 3 };
}

/** |a - b| <= rel * max(|a|, |b|) (or both tiny), for float comparisons. */
export function close(a: number, b: number, rel: number, abs = 0): boolean {
  if (Object.is(a, b)) return true;
  return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), abs);
}
