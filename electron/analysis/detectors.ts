// Detectors: verdicts about single neurons read off their summary statistics (neuron-stats.ts).
//
// Each verdict carries its evidence: the thresholds it was judged by and the values measured, so a
// stored verdict can be re-read (and re-judged) without knowing which defaults were in force. A
// detector says nothing about a neuron whose statistics are undefined (no tokens) or not finite
// (activations that overflowed or went NaN): those are a capture problem, not a property of the
// neuron, and the summary already shows them.

import type { LayerIndex, NeuronIndex } from './ids.js';
import type { StatsSummary } from './neuron-stats.js';

export type VerdictKind = 'dead' | 'rare' | 'massive' | 'heavy_tailed';

export interface DeadEvidence {
  /** tokens seen */
  tokens: number;
  fire_count: 0;
  /** the capture's firing threshold (firing = activation > threshold) */
  fire_threshold: number;
  /**
   * 95% upper bound on the true fire rate after 0 fires in N tokens, by the rule of three (3/N; the
   * exact bound 1 - 0.05^(1/N) is within 1.5/N^2 of it)
   */
  upper95: number;
  /** the detector's minimum token count */
  min_tokens: number;
}

export interface RareEvidence {
  tokens: number;
  fire_count: number;
  fire_threshold: number;
  rate: number;
  /** verdict when 0 < rate < bound */
  bound: number;
}

export interface MassiveEvidence {
  /** the neuron's peak |activation| */
  peak: number;
  /** median over the layer's neurons of their peak |activation| */
  layer_median_peak: number;
  /** peak / layer_median_peak */
  ratio: number;
  /** verdict when ratio >= min_ratio and peak >= min_peak */
  min_ratio: number;
  min_peak: number;
}

export interface HeavyTailedEvidence {
  /** excess kurtosis (0 for a Gaussian) */
  kurtosis: number;
  /** verdict when kurtosis > threshold */
  threshold: number;
  tokens: number;
  min_tokens: number;
}

interface EvidenceOf {
  dead: DeadEvidence;
  rare: RareEvidence;
  massive: MassiveEvidence;
  heavy_tailed: HeavyTailedEvidence;
}

export type Verdict = {
  [K in VerdictKind]: { layer: LayerIndex; neuron: NeuronIndex; kind: K; evidence: EvidenceOf[K] };
}[VerdictKind];

export interface DeadOptions {
  /** no verdict on fewer tokens than this (the claim "never fires" needs data); default 1 */
  minTokens?: number;
}

export interface RareOptions {
  /** default 1e-3 */
  bound?: number;
}

export interface MassiveOptions {
  /** default 20 */
  minRatio?: number;
  /** default 10 */
  minPeak?: number;
}

export interface HeavyTailedOptions {
  /** default 10 */
  threshold?: number;
  /** default 1000 */
  minTokens?: number;
}

/**
 * Defaults, and why:
 * - rare bound 1e-3: fires on fewer than one token in a thousand, i.e. a few times per page of text;
 *   far below the fire rates of ordinary neurons with threshold 0 (several percent and up).
 * - massive ratio 20 and floor 10: the peak of an ordinary neuron over a corpus is a few of its
 *   standard deviations (~4-6 sigma over 1e5-1e7 tokens), and neuron scales within a layer spread by a
 *   few times, so ordinary peaks lie within ~5x of the layer's median peak; 20x is well outside that
 *   spread. The floor keeps tiny layers honest: where every activation is small (peaks ~0.1) a 20x
 *   peak is still unremarkable, while GELU/SiLU FFN activations of real models peak at a few units,
 *   so 10 is above every ordinary peak. Massive activations in the literature (Sun et al. 2024) are
 *   ~100-10,000x the median, so these defaults err towards showing more candidates, each with its
 *   measured ratio; both are adjustable and stored with the verdict.
 * - heavy-tailed excess kurtosis 10: a Gaussian has 0, ReLU/GELU of a Gaussian ~2.4, Laplace 3,
 *   Student-t with 5 degrees of freedom 6; 10 flags tails heavier than every common unimodal shape.
 *   A neuron that fires (with similar values) on a fraction p of tokens has excess kurtosis ~1/p, so
 *   sparse neurons (p < ~10%) count as heavy-tailed too: that is what their distribution is.
 *   1000 tokens minimum because the sample kurtosis of n values cannot exceed ~n and is noisy below.
 */
export const DETECTOR_DEFAULTS = {
  dead: { minTokens: 1 },
  rare: { bound: 1e-3 },
  massive: { minRatio: 20, minPeak: 10 },
  heavyTailed: { threshold: 10, minTokens: 1000 },
} as const;

function positive(v: number, what: string): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`detectors: ${what} must be a positive number, got ${v}`);
  return v;
}

function nonNegative(v: number, what: string): number {
  if (!Number.isFinite(v) || v < 0) throw new Error(`detectors: ${what} must be a non-negative number, got ${v}`);
  return v;
}

/** Every neuron index of the summary with its layer, in layer-major order. */
function* neuronsOf(s: StatsSummary): Generator<{ layer: LayerIndex; neuron: NeuronIndex; i: number; tokens: number }> {
  for (let l = 0; l < s.layers; l++) {
    const tokens = s.tokens[l]!;
    if (tokens === 0) continue;
    for (let f = 0; f < s.neurons; f++) yield { layer: l, neuron: f, i: l * s.neurons + f, tokens };
  }
}

/** A neuron whose extremes are finite: its fire count and moments mean what they say. */
function measurable(s: StatsSummary, i: number): boolean {
  return Number.isFinite(s.min[i]!) && Number.isFinite(s.max[i]!) && Number.isFinite(s.mean[i]!);
}

/** Neurons that never fired over at least minTokens tokens. */
export function detectDead(s: StatsSummary, options: DeadOptions = {}): Verdict[] {
  const minTokens = nonNegative(options.minTokens ?? DETECTOR_DEFAULTS.dead.minTokens, 'dead minTokens');
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    if (tokens < minTokens || s.fireCount[i] !== 0 || !measurable(s, i)) continue;
    out.push({
      layer,
      neuron,
      kind: 'dead',
      evidence: { tokens, fire_count: 0, fire_threshold: s.fireThreshold, upper95: 3 / tokens, min_tokens: minTokens },
    });
  }
  return out;
}

/** Neurons that fired, but on a fraction of tokens below `bound` (dead neurons are not also rare). */
export function detectRare(s: StatsSummary, options: RareOptions = {}): Verdict[] {
  const bound = positive(options.bound ?? DETECTOR_DEFAULTS.rare.bound, 'rare bound');
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    const fired = s.fireCount[i]!;
    const rate = s.fireRate[i]!;
    if (fired === 0 || !(rate < bound) || !measurable(s, i)) continue;
    out.push({ layer, neuron, kind: 'rare', evidence: { tokens, fire_count: fired, fire_threshold: s.fireThreshold, rate, bound } });
  }
  return out;
}

/** Neurons whose peak |activation| is both far above the layer's median peak and large in itself. */
export function detectMassive(s: StatsSummary, options: MassiveOptions = {}): Verdict[] {
  const minRatio = positive(options.minRatio ?? DETECTOR_DEFAULTS.massive.minRatio, 'massive minRatio');
  const minPeak = nonNegative(options.minPeak ?? DETECTOR_DEFAULTS.massive.minPeak, 'massive minPeak');
  const out: Verdict[] = [];
  for (const { layer, neuron, i } of neuronsOf(s)) {
    const peak = s.peakAbs[i]!;
    const ratio = s.peakRatio[i]!;
    // ratio may be Infinity (the layer's median peak is 0); peak must be finite.
    if (!Number.isFinite(peak) || !(ratio >= minRatio) || !(peak >= minPeak)) continue;
    out.push({
      layer,
      neuron,
      kind: 'massive',
      evidence: { peak, layer_median_peak: s.layerMedianPeak[layer]!, ratio, min_ratio: minRatio, min_peak: minPeak },
    });
  }
  return out;
}

/** Neurons whose excess kurtosis exceeds the threshold; none when the statistics lack 4th moments. */
export function detectHeavyTailed(s: StatsSummary, options: HeavyTailedOptions = {}): Verdict[] {
  const threshold = nonNegative(options.threshold ?? DETECTOR_DEFAULTS.heavyTailed.threshold, 'heavy-tailed threshold');
  const minTokens = nonNegative(options.minTokens ?? DETECTOR_DEFAULTS.heavyTailed.minTokens, 'heavy-tailed minTokens');
  const kurt = s.kurtosis;
  if (kurt === null) return [];
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    const k = kurt[i]!;
    if (tokens < minTokens || !(k > threshold) || !Number.isFinite(k) || !measurable(s, i)) continue;
    out.push({ layer, neuron, kind: 'heavy_tailed', evidence: { kurtosis: k, threshold, tokens, min_tokens: minTokens } });
  }
  return out;
}

export interface DetectOptions {
  dead?: DeadOptions;
  rare?: RareOptions;
  massive?: MassiveOptions;
  heavyTailed?: HeavyTailedOptions;
}

export interface Detection {
  /** every verdict, ordered by layer, neuron, then kind in the order of VerdictKind */
  verdicts: Verdict[];
  /** detectors that could not run on these statistics, and why */
  unavailable: { kind: VerdictKind; reason: string }[];
}

const KIND_ORDER: Record<VerdictKind, number> = { dead: 0, rare: 1, massive: 2, heavy_tailed: 3 };

/** All four detectors. */
export function detectAll(s: StatsSummary, options: DetectOptions = {}): Detection {
  const verdicts = [
    ...detectDead(s, options.dead),
    ...detectRare(s, options.rare),
    ...detectMassive(s, options.massive),
    ...detectHeavyTailed(s, options.heavyTailed),
  ].sort((a, b) => a.layer - b.layer || a.neuron - b.neuron || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const unavailable: Detection['unavailable'] = [];
  if (s.kurtosis === null) unavailable.push({ kind: 'heavy_tailed', reason: 'the statistics lack the 3rd and 4th moments (sum of cubes and 4th powers)' });
  return { verdicts, unavailable };
}
