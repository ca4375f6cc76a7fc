// Detectors: verdicts about single neurons read off their summary statistics (neuron-stats.ts).
//
// Each verdict carries its evidence: the thresholds it was judged by and the values measured, so a
// stored verdict can be re-read (and re-judged) without knowing which defaults were in force. A
// detector says nothing about a neuron whose statistics are undefined (no tokens) or not finite
// (activations that overflowed or went NaN): those are a capture problem, not a property of the
// neuron, and the summary already shows them.

import { DETECTOR_DEFAULTS } from '../../common/detector-defaults.js';
import type { LayerIndex, NeuronIndex } from './ids.js';
import type { FireMode, StatsSummary } from './neuron-stats.js';
import {
  detectPositional,
  detectTokenSpecific,
  type PositionalEvidence,
  type PositionalOptions,
  type SampledActivations,
  type TokenSpecificEvidence,
  type TokenSpecificOptions,
} from './selectivity.js';

export type VerdictKind = 'dead' | 'constant' | 'never_positive' | 'rare' | 'massive' | 'heavy_tailed' | 'token_specific' | 'positional';

/**
 * Silent: |output| <= eps on every token seen. The output is the unit as W_out reads it (for gated
 * FFNs act(gate) * up), so this means the same for ReLU, GELU, SiLU-gated and GeGLU units.
 */
export interface DeadEvidence {
  /** tokens seen */
  tokens: number;
  /** the largest |output| over those tokens */
  peak_abs: number;
  /** verdict when peak_abs <= eps = rel_eps x layer_typical_abs */
  eps: number;
  rel_eps: number;
  /** the layer's typical |activation| (median over its neurons of mean |act|) */
  layer_typical_abs: number;
  /**
   * 95% upper bound on the fraction of tokens where |output| > eps, after none in N tokens, by the
   * rule of three (3/N; the exact bound 1 - 0.05^(1/N) is within 1.5/N^2 of it)
   */
  upper95: number;
  /** the detector's minimum token count */
  min_tokens: number;
  /** the ablation the verdict licenses, and how far it can move the unit's output on a seen token */
  ablation: { method: 'zero'; max_change: number };
}

/** Constant: the output varies by at most eps (max - min <= eps), but is not silent. */
export interface ConstantEvidence {
  tokens: number;
  mean: number;
  std: number;
  /** max - min of the output over the tokens seen */
  range: number;
  eps: number;
  rel_eps: number;
  layer_typical_abs: number;
  /**
   * mean ablation (folding the mean into the output bias) changes the output of a seen token by at
   * most |a - mean| <= range
   */
  ablation: { method: 'mean'; max_change: number };
}

/**
 * Never positive: the output was <= 0 on every token seen, yet it is neither silent nor constant
 * (GELU/SiLU units parked in their negative regime). Not dead: it writes -|a| times its value vector.
 */
export interface NeverPositiveEvidence {
  tokens: number;
  max: number;
  min: number;
  mean: number;
  /** 95% upper bound on the fraction of tokens with a positive output (3/N) */
  upper95: number;
}

export interface RareEvidence {
  tokens: number;
  fire_count: number;
  fire_threshold: number;
  /** firing is a > threshold ('positive') or |a| > threshold ('magnitude') */
  fire_mode: FireMode;
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
  /** excess kurtosis over every token (0 for a Gaussian) */
  kurtosis: number;
  /**
   * the excess kurtosis of the neuron's active part, (kurtosis + 3) x fire_rate - 3: what is left
   * once the kurtosis that sparsity alone makes (~1 / fire_rate) is divided out
   */
  active_kurtosis: number;
  fire_rate: number;
  /** tokens the neuron fired on */
  firing: number;
  /** verdict when active_kurtosis > threshold, tokens >= min_tokens and firing >= min_firing */
  threshold: number;
  tokens: number;
  min_tokens: number;
  min_firing: number;
}

interface EvidenceOf {
  dead: DeadEvidence;
  constant: ConstantEvidence;
  never_positive: NeverPositiveEvidence;
  token_specific: TokenSpecificEvidence;
  positional: PositionalEvidence;
  rare: RareEvidence;
  massive: MassiveEvidence;
  heavy_tailed: HeavyTailedEvidence;
}

export type Verdict = {
  [K in VerdictKind]: { layer: LayerIndex; neuron: NeuronIndex; kind: K; evidence: EvidenceOf[K] };
}[VerdictKind];

export interface DeadOptions {
  /** no verdict on fewer tokens than this (the claim "silent" needs data); default 1 */
  minTokens?: number;
  /** eps relative to the layer's typical |activation|; default 1e-3 */
  relEps?: number;
}

export interface ConstantOptions {
  /** eps relative to the layer's typical |activation|; default 1e-3 */
  relEps?: number;
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
  /** on the active part's excess kurtosis; default 10 */
  threshold?: number;
  /** default 1000 */
  minTokens?: number;
  /** firing tokens needed (a tail needs tokens in it); default 100 */
  minFiring?: number;
}

/**
 * Defaults, and why:
 * - dead and constant eps 1e-3 of the layer's typical |activation|: a unit whose output never
 *   exceeds a thousandth of what its neighbours typically write (or never varies by more) is, for
 *   the residual stream, silent (or a bias); planted silent units output exactly 0, and float32
 *   noise of a live unit is ~1e-7 relative, far below. Both are adjustable and stored with the verdict.
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
 * - heavy-tailed: excess kurtosis 10 of the neuron's active part. A Gaussian has 0, Laplace 3, an
 *   exponential 6 (3 as the active part of a ReLU: the moments are about 0), Student-t with 5 degrees
 *   of freedom 6; 10 flags tails heavier than every common unimodal shape. The kurtosis over all
 *   tokens is not judged directly: a neuron that fires on a fraction p of tokens (0 elsewhere) has
 *   E[a^4] / E[a^2]^2 = (that of its active values) / p, so any sparse neuron reads as "heavy-tailed"
 *   (p = 1% gives ~100), which flagged most neurons of ReLU models and left no unflagged neurons to
 *   draw random controls from. (kurtosis + 3) x p - 3 divides the sparsity out (exact for a
 *   zero-mean active part, close for ReLU-like units). 100 firing tokens minimum: below that the 4th
 *   moment is set by a handful of tokens (the neuron is rare, which its own verdict says), and the
 *   sample kurtosis of n values cannot exceed ~n. 1000 tokens minimum for the same reason overall.
 */
// (the values live in common/ so the UI can show them beside its threshold inputs)
export { DETECTOR_DEFAULTS };

function positive(v: number, what: string): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`detectors: ${what} must be a positive number, got ${v}`);
  return v;
}

function finite(v: number, what: string): number {
  if (!Number.isFinite(v)) throw new Error(`detectors: ${what} must be a finite number, got ${v}`);
  return v;
}

function nonNegative(v: number, what: string): number {
  if (!Number.isFinite(v) || v < 0) throw new Error(`detectors: ${what} must be a non-negative number, got ${v}`);
  return v;
}

/**
 * Every neuron index of the summary with its layer and the tokens it saw, in layer-major order. A
 * mixture-of-experts unit saw only the tokens routed to its expert (s.unitTokens), so its verdicts
 * (and the 3/N bound of a dead one) rest on those.
 */
function* neuronsOf(s: StatsSummary): Generator<{ layer: LayerIndex; neuron: NeuronIndex; i: number; tokens: number }> {
  for (let l = 0; l < s.layers; l++) {
    if (s.tokens[l]! === 0) continue;
    for (let f = 0; f < s.neurons; f++) {
      const i = l * s.neurons + f;
      const tokens = s.unitTokens ? s.unitTokens[i]! : s.tokens[l]!;
      if (tokens > 0) yield { layer: l, neuron: f, i, tokens };
    }
  }
}

/** A neuron whose extremes are finite: its fire count and moments mean what they say. */
function measurable(s: StatsSummary, i: number): boolean {
  return Number.isFinite(s.min[i]!) && Number.isFinite(s.max[i]!) && Number.isFinite(s.mean[i]!);
}

/** eps of layer l: relEps x the layer's typical |activation| (0 when the whole layer is silent). */
function epsOf(s: StatsSummary, layer: LayerIndex, relEps: number): number {
  const typical = s.layerTypicalAbs[layer]!;
  return Number.isFinite(typical) ? relEps * typical : 0;
}

/** Silent neurons: |output| <= eps on every one of at least minTokens tokens. */
export function detectDead(s: StatsSummary, options: DeadOptions = {}): Verdict[] {
  const minTokens = nonNegative(options.minTokens ?? DETECTOR_DEFAULTS.dead.minTokens, 'dead minTokens');
  const relEps = nonNegative(options.relEps ?? DETECTOR_DEFAULTS.dead.relEps, 'dead relEps');
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    const eps = epsOf(s, layer, relEps);
    const peak = s.peakAbs[i]!;
    if (tokens < minTokens || !measurable(s, i) || !(peak <= eps)) continue;
    out.push({
      layer,
      neuron,
      kind: 'dead',
      evidence: { tokens, peak_abs: peak, eps, rel_eps: relEps, layer_typical_abs: s.layerTypicalAbs[layer]!, upper95: 3 / tokens, min_tokens: minTokens, ablation: { method: 'zero', max_change: peak } },
    });
  }
  return out;
}

type QuietOptions = { dead?: DeadOptions; constant?: ConstantOptions };

const indicesOf = (s: StatsSummary, verdicts: readonly Verdict[]): Set<number> => new Set(verdicts.map((v) => v.layer * s.neurons + v.neuron));

/** Constant verdicts among the neurons not in `silent` (indices l*F + f). */
function constantExcept(s: StatsSummary, options: ConstantOptions, silent: ReadonlySet<number>): Verdict[] {
  const relEps = nonNegative(options.relEps ?? DETECTOR_DEFAULTS.constant.relEps, 'constant relEps');
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    const eps = epsOf(s, layer, relEps);
    const range = s.max[i]! - s.min[i]!;
    if (silent.has(i) || !measurable(s, i) || !(range <= eps)) continue;
    out.push({
      layer,
      neuron,
      kind: 'constant',
      evidence: { tokens, mean: s.mean[i]!, std: s.std[i]!, range, eps, rel_eps: relEps, layer_typical_abs: s.layerTypicalAbs[layer]!, ablation: { method: 'mean', max_change: range } },
    });
  }
  return out;
}

/** The silent and the constant verdicts, once, and the neurons they cover (which no quieter-than-firing verdict repeats). */
function quietOf(s: StatsSummary, o: QuietOptions): { dead: Verdict[]; constant: Verdict[]; covered: Set<number> } {
  const dead = detectDead(s, o.dead);
  const constant = constantExcept(s, o.constant ?? {}, indicesOf(s, dead));
  return { dead, constant, covered: indicesOf(s, [...dead, ...constant]) };
}

/** Constant neurons: not silent, and max - min <= eps: the mean is all they carry. */
export function detectConstant(s: StatsSummary, options: ConstantOptions = {}, dead: DeadOptions = {}): Verdict[] {
  return quietOf(s, { dead, constant: options }).constant;
}

function neverPositiveExcept(s: StatsSummary, covered: ReadonlySet<number>): Verdict[] {
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    if (covered.has(i) || !measurable(s, i) || !(s.max[i]! <= 0)) continue;
    out.push({ layer, neuron, kind: 'never_positive', evidence: { tokens, max: s.max[i]!, min: s.min[i]!, mean: s.mean[i]!, upper95: 3 / tokens } });
  }
  return out;
}

/** Neurons whose output was never positive, that are neither silent nor constant. */
export function detectNeverPositive(s: StatsSummary, options: QuietOptions = {}): Verdict[] {
  return neverPositiveExcept(s, quietOf(s, options).covered);
}

function rareExcept(s: StatsSummary, options: RareOptions, covered: ReadonlySet<number>): Verdict[] {
  const bound = positive(options.bound ?? DETECTOR_DEFAULTS.rare.bound, 'rare bound');
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    const fired = s.fireCount[i]!;
    const rate = s.fireRate[i]!;
    if (fired === 0 || !(rate < bound) || covered.has(i) || !measurable(s, i)) continue;
    out.push({ layer, neuron, kind: 'rare', evidence: { tokens, fire_count: fired, fire_threshold: s.fireThreshold, fire_mode: s.fireMode, rate, bound } });
  }
  return out;
}

/** Neurons that fired, but on a fraction of tokens below `bound` (silent and constant neurons are not also rare). */
export function detectRare(s: StatsSummary, options: RareOptions = {}, quiet: QuietOptions = {}): Verdict[] {
  return rareExcept(s, options, quietOf(s, quiet).covered);
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

/** The excess kurtosis of a neuron's active part: its kurtosis with the share that sparsity makes divided out. */
export function activeKurtosis(kurtosis: number, fireRate: number): number {
  return (kurtosis + 3) * fireRate - 3;
}

/**
 * Neurons whose active part has an excess kurtosis above the threshold, over enough tokens and
 * firing tokens; none when the statistics lack 4th moments.
 */
export function detectHeavyTailed(s: StatsSummary, options: HeavyTailedOptions = {}): Verdict[] {
  // an excess kurtosis is >= -2: a threshold below 0 is meaningful (flatter than a Gaussian's tails)
  const threshold = finite(options.threshold ?? DETECTOR_DEFAULTS.heavyTailed.threshold, 'heavy-tailed threshold');
  const minTokens = nonNegative(options.minTokens ?? DETECTOR_DEFAULTS.heavyTailed.minTokens, 'heavy-tailed minTokens');
  const minFiring = nonNegative(options.minFiring ?? DETECTOR_DEFAULTS.heavyTailed.minFiring, 'heavy-tailed minFiring');
  const kurt = s.kurtosis;
  if (kurt === null) return [];
  const out: Verdict[] = [];
  for (const { layer, neuron, i, tokens } of neuronsOf(s)) {
    const k = kurt[i]!;
    const firing = s.fireCount[i]!;
    const rate = firing / tokens;
    const active = activeKurtosis(k, rate);
    if (tokens < minTokens || firing < minFiring || !(active > threshold) || !Number.isFinite(k) || !measurable(s, i)) continue;
    out.push({ layer, neuron, kind: 'heavy_tailed', evidence: { kurtosis: k, active_kurtosis: active, fire_rate: rate, firing, threshold, tokens, min_tokens: minTokens, min_firing: minFiring } });
  }
  return out;
}

export interface DetectOptions {
  dead?: DeadOptions;
  constant?: ConstantOptions;
  rare?: RareOptions;
  massive?: MassiveOptions;
  heavyTailed?: HeavyTailedOptions;
  tokenSpecific?: TokenSpecificOptions;
  positional?: PositionalOptions;
}

export interface Detection {
  /** every verdict, ordered by layer, neuron, then kind in the order of VerdictKind */
  verdicts: Verdict[];
  /** detectors that could not run on these statistics, and why */
  unavailable: { kind: VerdictKind; reason: string }[];
}

const KIND_ORDER: Record<VerdictKind, number> = { dead: 0, constant: 1, never_positive: 2, rare: 3, massive: 4, heavy_tailed: 5, token_specific: 6, positional: 7 };

/**
 * Every detector. Token-specific and positional verdicts need the capture's sampled activations
 * (`sampled`); without them (or without window positions) they are listed as unavailable.
 */
export function detectAll(s: StatsSummary, options: DetectOptions = {}, sampled?: SampledActivations | null): Detection {
  const quiet = quietOf(s, { dead: options.dead, constant: options.constant });
  const verdicts: Verdict[] = [
    ...quiet.dead,
    ...quiet.constant,
    ...neverPositiveExcept(s, quiet.covered),
    ...rareExcept(s, options.rare ?? {}, quiet.covered),
    ...detectMassive(s, options.massive),
    ...detectHeavyTailed(s, options.heavyTailed),
  ];
  const unavailable: Detection['unavailable'] = [];
  if (s.kurtosis === null) unavailable.push({ kind: 'heavy_tailed', reason: 'the statistics lack the 3rd and 4th moments (sum of cubes and 4th powers)' });
  if (!sampled || sampled.tokenIds.length === 0) {
    const reason = 'the capture kept no sampled activations: re-capture with samples (the default) to judge this';
    unavailable.push({ kind: 'token_specific', reason }, { kind: 'positional', reason });
  } else {
    verdicts.push(...detectTokenSpecific(sampled, s, options.tokenSpecific));
    if (sampled.windowPositions === null) unavailable.push({ kind: 'positional', reason: 'the capture\'s samples lack their position in the window (captured before it was recorded): re-capture needed' });
    else verdicts.push(...detectPositional(sampled, s, options.positional));
  }
  verdicts.sort((a, b) => a.layer - b.layer || a.neuron - b.neuron || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return { verdicts, unavailable };
}
