import { describe, expect, it } from 'vitest';
import {
  DETECTOR_DEFAULTS,
  detectAll,
  detectConstant,
  detectDead,
  detectHeavyTailed,
  detectMassive,
  detectNeverPositive,
  detectRare,
  type Verdict,
  type VerdictKind,
} from './detectors.js';
import { addBatch, emptyStats, merge, type NeuronStats, summarize } from './neuron-stats.js';
import { gaussian, gelu, prng, reduceBatch, reference } from './test-support.js';

// A synthetic capture with planted neurons. Activations are generated token by token with a seeded
// PRNG, reduced per batch the way the graph does, and accumulated; the detectors see only the
// statistics. The planted positions are drawn at random, so nothing but the data can tell them.

const L = 3;
const F = 48;
const BATCHES = 12;
const M = 500; // tokens per batch
const N = BATCHES * M;

type Plant = 'deadZero' | 'deadGelu' | 'constant' | 'negative' | 'rare' | 'massive' | 'heavy';
const PLANTS: Record<Plant, number> = { deadZero: 2, deadGelu: 1, constant: 1, negative: 1, rare: 2, massive: 1, heavy: 1 };

interface Capture {
  /** neuron index l*F + f -> what was planted there */
  planted: Map<number, Plant>;
  /** per batch, per layer [M, F] */
  acts: Float32Array[][];
}

function capture(seed: number): Capture {
  const r = prng(seed);
  const z = gaussian(r);
  // distinct random neurons for the plants
  const free = Array.from({ length: L * F }, (_, i) => i);
  const planted = new Map<number, Plant>();
  for (const [kind, count] of Object.entries(PLANTS) as [Plant, number][]) {
    for (let c = 0; c < count; c++) planted.set(free.splice(Math.floor(r() * free.length), 1)[0]!, kind);
  }
  // ordinary neurons: GELU of a Gaussian pre-activation with a per-neuron scale and bias
  const scale = Array.from({ length: L * F }, () => 0.5 + 1.5 * r());
  const bias = Array.from({ length: L * F }, () => r() - 0.5);
  // the rare neurons fire on 3 tokens each, the massive one spikes on 1
  const rareTokens = new Map<number, Set<number>>();
  const spikeToken = new Map<number, number>();
  for (const [i, kind] of planted) {
    if (kind === 'rare') rareTokens.set(i, new Set(Array.from({ length: 3 }, () => Math.floor(r() * N))));
    if (kind === 'massive') spikeToken.set(i, Math.floor(r() * N));
  }
  const acts = Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: L }, (_, l) => {
      const a = new Float32Array(M * F);
      for (let t = 0; t < M; t++) {
        const token = b * M + t;
        for (let f = 0; f < F; f++) {
          const i = l * F + f;
          const x = z();
          let v: number;
          switch (planted.get(i)) {
            case 'deadZero': // ReLU of a pre-activation that is always negative: exactly 0
              v = Math.max(0, Math.min(-0.01, -3 + 0.5 * x));
              break;
            case 'deadGelu': // GELU of a pre-activation near -8: |output| < 1e-6, silent but not exactly 0
              v = gelu(-8 + 0.3 * x);
              break;
            case 'constant': // a unit with no input weights and a bias: the same value at every token
              v = gelu(0.6);
              break;
            case 'negative': // GELU parked in its negative regime: never positive, yet varying (not dead)
              v = Math.min(-0.01, gelu(-1.5 + 0.3 * x));
              break;
            case 'rare':
              v = rareTokens.get(i)!.has(token) ? 0.05 : Math.min(-0.01, -1 + 0.3 * x);
              break;
            case 'massive':
              v = token === spikeToken.get(i) ? 500 : gelu(scale[i]! * (x + bias[i]!));
              break;
            case 'heavy': // a scale mixture: 2% of tokens from a Gaussian 8x wider
              v = r() < 0.02 ? 8 * x : x;
              break;
            default:
              v = gelu(scale[i]! * (x + bias[i]!));
          }
          a[t * F + f] = v;
        }
      }
      return a;
    }),
  );
  return { planted, acts };
}

function statsOf(acts: readonly Float32Array[][], moments = true): NeuronStats {
  const acc = emptyStats(L, F);
  for (const a of acts) addBatch(acc, reduceBatch(a, F, 0, { abs: true, moments, active: false }));
  return acc;
}

/** An independent oracle: float64 statistics of each neuron straight from the raw activations. */
function oracle(acts: readonly Float32Array[][]): { fireRate: number[]; peak: number[]; ratio: number[]; kurtosis: number[] } {
  const fireRate: number[] = [];
  const peak: number[] = [];
  const kurtosis: number[] = [];
  for (let l = 0; l < L; l++) {
    for (let f = 0; f < F; f++) {
      const v = new Float64Array(N);
      acts.forEach((batch, b) => {
        for (let t = 0; t < M; t++) v[b * M + t] = batch[l]![t * F + f]!;
      });
      const ref = reference(v);
      fireRate.push(ref.fireRate);
      peak.push(Math.max(Math.abs(ref.min), Math.abs(ref.max)));
      kurtosis.push(ref.kurtosis);
    }
  }
  const ratio = peak.map((p, i) => {
    const l = Math.floor(i / F);
    const layer = peak.slice(l * F, (l + 1) * F).sort((a, b) => a - b);
    return p / ((layer[F / 2 - 1]! + layer[F / 2]!) / 2);
  });
  return { fireRate, peak, ratio, kurtosis };
}

const idsOf = (verdicts: readonly Verdict[], kind?: VerdictKind): number[] =>
  verdicts
    .filter((v) => kind === undefined || v.kind === kind)
    .map((v) => v.layer * F + v.neuron)
    .sort((a, b) => a - b);

const plantedAs = (c: Capture, ...kinds: Plant[]): number[] =>
  [...c.planted]
    .filter(([, k]) => kinds.includes(k))
    .map(([i]) => i)
    .sort((a, b) => a - b);

/** Neurons i where pick(i) holds, for the oracle's side of a comparison. */
const where = (pred: (i: number) => boolean): number[] => Array.from({ length: L * F }, (_, i) => i).filter(pred);

/**
 * A threshold is a fair test only if no measured value sits within `rel` of it: the detector's
 * values (from float32 batch sums) and the oracle's (float64) may differ by that much.
 */
function clearOf(values: readonly number[], threshold: number, rel: number): boolean {
  return values.every((v) => !Number.isFinite(v) || Math.abs(v - threshold) > rel * Math.abs(threshold));
}

/**
 * Thresholds halfway between consecutive distinct measured values, picked at a few quantiles among
 * the gaps wide enough to be clear (see clearOf) of both neighbours.
 */
function splits(values: readonly number[], rel: number): number[] {
  const d = [...new Set(values.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
  const mids: number[] = [];
  for (let j = 0; j + 1 < d.length; j++) {
    const mid = (d[j]! + d[j + 1]!) / 2;
    if (d[j + 1]! - d[j]! > 4 * rel * Math.abs(mid)) mids.push(mid);
  }
  return [...new Set([0.1, 0.3, 0.5, 0.7, 0.9, 0.97].map((q) => mids[Math.floor(q * (mids.length - 1))]!))];
}

describe('detectors on a capture with planted neurons', () => {
  const c = capture(2024);
  const s = summarize(statsOf(c.acts));
  const o = oracle(c.acts);

  it('find exactly the planted neurons with the default thresholds', () => {
    const { verdicts, unavailable } = detectAll(s);
    expect(unavailable.map((u) => u.kind)).toEqual(['token_specific', 'positional']); // no samples given
    expect(idsOf(verdicts, 'dead')).toEqual(plantedAs(c, 'deadZero', 'deadGelu'));
    expect(idsOf(verdicts, 'constant')).toEqual(plantedAs(c, 'constant'));
    expect(idsOf(verdicts, 'never_positive')).toEqual(plantedAs(c, 'negative'));
    expect(idsOf(verdicts, 'rare')).toEqual(plantedAs(c, 'rare'));
    expect(idsOf(verdicts, 'massive')).toEqual(plantedAs(c, 'massive'));
    // A single 500 among 6000 ordinary values is also the heaviest of tails (kurtosis ~ N), so the
    // spiking neuron is heavy-tailed as well as massive; nothing else is.
    expect(idsOf(verdicts, 'heavy_tailed')).toEqual(plantedAs(c, 'heavy', 'massive'));
    // ordered by layer, neuron, kind
    const keys = verdicts.map((v) => [v.layer, v.neuron]);
    expect(keys).toEqual([...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });

  it('carry their evidence: the thresholds used and the values measured', () => {
    const { verdicts } = detectAll(s);
    for (const v of verdicts) {
      const i = v.layer * F + v.neuron;
      switch (v.kind) {
        case 'dead': {
          const eps = DETECTOR_DEFAULTS.dead.relEps * s.layerTypicalAbs[v.layer]!;
          expect(v.evidence).toEqual({
            tokens: N,
            peak_abs: o.peak[i],
            eps,
            rel_eps: DETECTOR_DEFAULTS.dead.relEps,
            layer_typical_abs: s.layerTypicalAbs[v.layer],
            upper95: 3 / N,
            min_tokens: DETECTOR_DEFAULTS.dead.minTokens,
            ablation: { method: 'zero', max_change: o.peak[i] },
          });
          expect(v.evidence.peak_abs).toBeLessThanOrEqual(eps);
          break;
        }
        case 'constant':
          expect(v.evidence).toMatchObject({ tokens: N, range: 0, std: 0, ablation: { method: 'mean', max_change: 0 } });
          expect(v.evidence.mean).toBeCloseTo(gelu(0.6), 6);
          break;
        case 'never_positive':
          expect(v.evidence.max).toBeLessThanOrEqual(-0.01);
          expect(v.evidence).toMatchObject({ tokens: N, upper95: 3 / N });
          break;
        case 'rare':
          expect(v.evidence).toEqual({ tokens: N, fire_count: 3, fire_threshold: 0, fire_mode: 'positive', rate: 3 / N, bound: DETECTOR_DEFAULTS.rare.bound });
          break;
        case 'massive':
          expect(v.evidence.peak).toBe(500);
          expect(v.evidence.ratio).toBeCloseTo(o.ratio[i]!, 9);
          expect(v.evidence.ratio).toBe(v.evidence.peak / v.evidence.layer_median_peak);
          expect(v.evidence.min_ratio).toBe(DETECTOR_DEFAULTS.massive.minRatio);
          expect(v.evidence.min_peak).toBe(DETECTOR_DEFAULTS.massive.minPeak);
          break;
        case 'heavy_tailed':
          expect(v.evidence.kurtosis).toBeGreaterThan(10);
          expect(Math.abs(v.evidence.kurtosis - o.kurtosis[i]!)).toBeLessThan(1e-3 * o.kurtosis[i]!);
          expect(v.evidence).toMatchObject({ threshold: DETECTOR_DEFAULTS.heavyTailed.threshold, tokens: N, min_tokens: 1000 });
          break;
      }
    }
  });

  it('the same verdicts come out of shards merged', () => {
    const merged = merge(statsOf(c.acts.slice(0, 5)), statsOf(c.acts.slice(5)));
    expect(detectAll(summarize(merged))).toEqual(detectAll(s));
  });

  it('rare: the bound decides, and the verdicts follow the measured fire rates', () => {
    // fire rates are exact (integer counts over the same token count), so any clear threshold works
    for (const bound of [1e-4, 4e-4, 6e-4, ...splits(o.fireRate, 1e-9)]) {
      expect(clearOf(o.fireRate, bound, 1e-9), `bound ${bound} too close to a measured rate`).toBe(true);
      expect(idsOf(detectRare(s, { bound }))).toEqual(where((i) => o.fireRate[i]! > 0 && o.fireRate[i]! < bound));
    }
    expect(detectRare(s, { bound: 4e-4 })).toEqual([]); // 3 / 6000 = 5e-4
    expect(detectRare(s, { bound: 0.7 }).length).toBeGreaterThan(F); // most ordinary neurons fire less than 70% of the time
  });

  it('massive: both the ratio and the floor must hold', () => {
    // peaks are exact (float32 min/max), and so are the medians and ratios
    for (const minRatio of [50, 200, ...splits(o.ratio, 1e-9)]) {
      for (const minPeak of [5, 10, 100, 600, ...splits(o.peak, 1e-9)]) {
        expect(clearOf(o.ratio, minRatio, 1e-9) && clearOf(o.peak, minPeak, 1e-9), `thresholds ${minRatio}, ${minPeak}`).toBe(true);
        const got = idsOf(detectMassive(s, { minRatio, minPeak }));
        expect(got, `minRatio ${minRatio}, minPeak ${minPeak}`).toEqual(where((i) => o.ratio[i]! >= minRatio && o.peak[i]! >= minPeak));
      }
    }
    // the spike's ratio is ~100: a stricter ratio or a floor above 500 clears it
    expect(detectMassive(s, { minRatio: 200 })).toEqual([]);
    expect(detectMassive(s, { minPeak: 600 })).toEqual([]);
    // a permissive ratio lets the heavy-tailed neuron's ~20 peak in once the floor allows it
    expect(idsOf(detectMassive(s, { minRatio: 3, minPeak: 10 }))).toEqual(expect.arrayContaining(plantedAs(c, 'heavy', 'massive')));
  });

  it('heavy-tailed: the threshold decides on the active part\'s kurtosis, and the verdicts follow the measured kurtosis and fire rate', () => {
    // the oracle's active-part excess kurtosis, (kurtosis + 3) x fire rate - 3, in float64
    const active = o.kurtosis.map((k, i) => (k + 3) * o.fireRate[i]! - 3);
    // kurtosis from float32 power sums agrees with the float64 oracle to ~1e-4 relative
    for (const threshold of [3.5, 10, 100, 1000, ...splits(active, 1e-3)]) {
      expect(clearOf(active, threshold, 1e-3), `threshold ${threshold}: ${active.filter((k) => Math.abs(k - threshold) <= 1e-3 * threshold)}`).toBe(true);
      // constant neurons have no kurtosis (the oracle says NaN); near-constant ones are not resolvable
      // (var / E[x^2] < KURTOSIS_MIN_RELATIVE_VARIANCE: the silent and the parked-negative plants);
      // a neuron needs 100 firing tokens (the default minimum)
      const want = where((i) => active[i]! > threshold && o.fireRate[i]! * N >= 100 && !plantedAs(c, 'deadZero', 'deadGelu', 'negative').includes(i));
      expect(idsOf(detectHeavyTailed(s, { threshold })), `threshold ${threshold}`).toEqual(want);
    }
    expect(idsOf(detectHeavyTailed(s, { threshold: 100 }))).toEqual(plantedAs(c, 'massive'));
    expect(detectHeavyTailed(s, { minTokens: N + 1 })).toEqual([]);
    expect(detectHeavyTailed(s, { minFiring: N + 1 })).toEqual([]);
  });

  it('heavy-tailed: a sparse neuron is not heavy-tailed for being sparse, and needs enough firing tokens', () => {
    // one neuron per case over 20,000 tokens: fires on 2% with exponential values (kurtosis ~300
    // over all tokens, all of it from sparsity); the same with 2% of its active values 8x larger
    // (a heavy active tail); and fires on 50 tokens only (too few to judge a tail)
    const T = 20_000;
    const r = prng(7);
    const a = new Float32Array(T * 3);
    for (let t = 0; t < T; t++) {
      const exp = -Math.log(1 - r());
      a[t * 3] = r() < 0.02 ? exp : 0;
      a[t * 3 + 1] = r() < 0.02 ? (r() < 0.02 ? 8 : 1) * exp : 0;
      a[t * 3 + 2] = t % 400 === 0 ? exp : 0;
    }
    const acc = emptyStats(1, 3);
    addBatch(acc, reduceBatch([a], 3, 0, { abs: true, moments: true, active: false }));
    const sparse = summarize(acc);
    expect(sparse.kurtosis![0]).toBeGreaterThan(100);
    expect(sparse.kurtosis![2]).toBeGreaterThan(100);
    expect(idsOf(detectHeavyTailed(sparse))).toEqual([1]);
    const [v] = detectHeavyTailed(sparse);
    expect(v!.evidence).toMatchObject({ firing: sparse.fireCount[1], min_firing: 100, threshold: 10 });
    // the planted tail is found again with the minimum firing lowered for the 50-token neuron: only its kurtosis decides then
    expect(idsOf(detectHeavyTailed(sparse, { minFiring: 10 }))).toEqual(expect.arrayContaining([1]));
  });

  it('dead: needs the minimum number of tokens', () => {
    expect(detectDead(s, { minTokens: N + 1 })).toEqual([]);
    expect(idsOf(detectDead(s, { minTokens: N }))).toEqual(plantedAs(c, 'deadZero', 'deadGelu'));
  });

  it('dead and constant: eps relative to the layer decides, and the verdicts follow the measured peaks and ranges', () => {
    const range = where(() => true).map((i) => s.max[i]! - s.min[i]!);
    for (const relEps of [0, 1e-6, 1e-3, 0.05, 0.3, 1]) {
      const eps = (i: number) => relEps * s.layerTypicalAbs[Math.floor(i / F)]!;
      const dead = where((i) => o.peak[i]! <= eps(i));
      expect(idsOf(detectDead(s, { relEps })), `relEps ${relEps}`).toEqual(dead);
      expect(idsOf(detectConstant(s, { relEps }, { relEps })), `relEps ${relEps}`).toEqual(where((i) => !dead.includes(i) && range[i]! <= eps(i)));
    }
    // exactly-zero units stay silent at eps 0; the GELU one's ~1e-6 needs a tolerance
    expect(idsOf(detectDead(s, { relEps: 0 }))).toEqual(plantedAs(c, 'deadZero'));
    // the never-positive unit varies by ~0.05, far above the default eps: not constant, not dead
    expect(idsOf(detectNeverPositive(s))).toEqual(plantedAs(c, 'negative'));
  });

  it('without 4th moments, heavy-tailed is unavailable and the rest still work', () => {
    const s2 = summarize(statsOf(c.acts, false));
    const { verdicts, unavailable } = detectAll(s2);
    expect(unavailable[0]).toEqual({ kind: 'heavy_tailed', reason: expect.stringMatching(/4th moments/) });
    expect(idsOf(verdicts, 'heavy_tailed')).toEqual([]);
    expect(idsOf(verdicts, 'dead')).toEqual(plantedAs(c, 'deadZero', 'deadGelu'));
    expect(idsOf(verdicts, 'rare')).toEqual(plantedAs(c, 'rare'));
    expect(idsOf(verdicts, 'massive')).toEqual(plantedAs(c, 'massive'));
  });

  it('token-specific and positional need samples; samples without window positions (old captures) say re-capture', () => {
    const values = Array.from({ length: L }, () => new Float32Array(600 * F));
    const sampled = { layers: L, neurons: F, tokenIds: new Int32Array(600), tokenText: String, windowPositions: null, values };
    const { unavailable } = detectAll(s, {}, sampled);
    expect(unavailable.map((u) => u.kind)).toEqual(['positional']);
    expect(unavailable[0]!.reason).toMatch(/re-capture needed/);
    expect(detectAll(s).unavailable.find((u) => u.kind === 'token_specific')!.reason).toMatch(/re-capture with samples/);
    // the statistics' verdicts are the same with or without samples
    const plain = detectAll(s).verdicts;
    expect(detectAll(s, {}, sampled).verdicts).toEqual(plain);
  });

  it('a different seed plants elsewhere and is found all the same', () => {
    const c2 = capture(99);
    const { verdicts } = detectAll(summarize(statsOf(c2.acts)));
    expect(idsOf(verdicts, 'dead')).toEqual(plantedAs(c2, 'deadZero', 'deadGelu'));
    expect(idsOf(verdicts, 'constant')).toEqual(plantedAs(c2, 'constant'));
    expect(idsOf(verdicts, 'never_positive')).toEqual(plantedAs(c2, 'negative'));
    expect(idsOf(verdicts, 'rare')).toEqual(plantedAs(c2, 'rare'));
    expect(idsOf(verdicts, 'massive')).toEqual(plantedAs(c2, 'massive'));
    expect(idsOf(verdicts, 'heavy_tailed')).toEqual(plantedAs(c2, 'heavy', 'massive'));
    expect(plantedAs(c2, 'massive')).not.toEqual(plantedAs(c, 'massive'));
  });
});

describe('detectors on edge cases', () => {
  it('judge nothing without tokens, or where activations went NaN or infinite', () => {
    const acc = emptyStats(2, 2);
    // layer 0: neuron 0 NaN (no fires: NaN > 0 is false), neuron 1 overflowed to Infinity; layer 1: no tokens
    addBatch(acc, { count: [5, 0], sum: [NaN, Infinity, 0, 0], sumsq: [NaN, Infinity, 0, 0], min: [NaN, 0, 0, 0], max: [NaN, Infinity, 0, 0], fireCount: [0, 5, 0, 0] });
    const s = summarize(acc);
    expect(detectAll(s, { massive: { minRatio: 1, minPeak: 0 }, heavyTailed: { threshold: 0, minTokens: 0 }, rare: { bound: 1 } }).verdicts).toEqual([]);
  });

  it('massive with a layer median of 0: the ratio is infinite and the floor decides', () => {
    const acc = emptyStats(1, 3);
    addBatch(acc, { count: [4], sum: [0, 0, 12], sumsq: [0, 0, 144], min: [0, 0, 0], max: [0, 0, 12], fireCount: [0, 0, 1] });
    const s = summarize(acc);
    expect(s.layerMedianPeak[0]).toBe(0);
    const v = detectMassive(s);
    expect(v).toEqual([{ layer: 0, neuron: 2, kind: 'massive', evidence: { peak: 12, layer_median_peak: 0, ratio: Infinity, min_ratio: 20, min_peak: 10 } }]);
    expect(detectMassive(s, { minPeak: 13 })).toEqual([]);
  });

  it('dead is judged on the output, not on the firing threshold', () => {
    // a unit that never exceeds the firing threshold 0.5 but writes up to 0.4: not dead
    const acc = emptyStats(1, 2, { fireThreshold: 0.5 });
    addBatch(acc, { count: [100], sum: [10, 0], sumsq: [2, 0], sumAbs: [10, 0], min: [0, 0], max: [0.4, 0], fireCount: [0, 0] });
    const dead = detectDead(summarize(acc));
    expect(dead.map((v) => v.neuron)).toEqual([1]);
    expect(dead[0]!.evidence).toMatchObject({ tokens: 100, peak_abs: 0, upper95: 0.03 });
  });

  it('rare records the firing rule of the capture', () => {
    const acc = emptyStats(1, 2, { fireMode: 'magnitude' });
    addBatch(acc, { count: [4000], sum: [-1, 0], sumsq: [1, 4000], sumAbs: [1, 4000], min: [-1, -1], max: [0, 1], fireCount: [1, 4000] });
    expect(detectRare(summarize(acc))).toEqual([{ layer: 0, neuron: 0, kind: 'rare', evidence: { tokens: 4000, fire_count: 1, fire_threshold: 0, fire_mode: 'magnitude', rate: 1 / 4000, bound: 1e-3 } }]);
  });

  it('refuse nonsensical thresholds', () => {
    const s = summarize(emptyStats(1, 1));
    expect(() => detectRare(s, { bound: 0 })).toThrow(/rare bound must be a positive number, got 0/);
    expect(() => detectMassive(s, { minRatio: -1 })).toThrow(/massive minRatio must be a positive number/);
    expect(() => detectMassive(s, { minPeak: NaN })).toThrow(/massive minPeak must be a non-negative number/);
    expect(() => detectHeavyTailed(s, { threshold: Infinity })).toThrow(/heavy-tailed threshold/);
    expect(() => detectDead(s, { minTokens: -1 })).toThrow(/dead minTokens/);
    expect(() => detectDead(s, { relEps: -1 })).toThrow(/dead relEps/);
    expect(() => detectConstant(s, { relEps: NaN })).toThrow(/constant relEps/);
  });
});
