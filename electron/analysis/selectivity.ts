// Token-specific and positional neurons (Voita, Ferrando & Nalmpantis 2023, "Neurons in Large
// Language Models: Dead, N-gram, Positional"), judged from a capture's sampled tokens: the tokens
// whose FFN activations the capture stored, with their token id and position in the window.
//
// - token-specific: the neuron detects a few token types. Its firings concentrate on them (the
//   fewest token types that hold `coverage` = 95% of its firings among the sampled tokens number at
//   most `maxTypes`), and it fires on most of their occurrences (at least `minRecall` of the sampled
//   occurrences of its main token), with at least `minFirings` firings to judge from. Voita et al.
//   call such neurons token (or n-gram) detectors; the counts here are of firings (the output-based
//   rule of the capture: a > t or |a| > t), and the evidence also gives each listed token's share of
//   the activation mass (sum of |a| over the firings) and the share of its occurrences that fired.
//   Without the recall condition a sparse neuron that fires on a quarter of the "s" tokens and
//   rarely elsewhere would count as an "s" detector.
// - positional: whether the neuron fires is explained by the position in the window. Voita et al.
//   judge this by the dependence of the binary "fired" on position; here it is measured as eta^2 of
//   the firing indicator over position bins: between-bin variance / total variance (the share of
//   the variance of firing explained by position, the R^2 of predicting it by its bin's firing
//   rate); positional when eta^2 >= `minShare`. On firing rather than on the value, so a unit that
//   fires with the text everywhere but takes an odd value at the first token (which the massive
//   activations of the first position cause in later layers) is not called positional. Under no
//   dependence on position eta^2 is about (bins - 1) / samples: bins default to one per position
//   while samples / 32 allow it, so that bias stays near 0.03.
//
// Pure: the samples come in as arrays; electron/neurons.ts reads them from the database.

import { SELECTIVITY_DEFAULTS } from '../../common/detector-defaults.js';
import type { FireMode } from './neuron-stats.js';

export interface SampledActivations {
  layers: number;
  neurons: number;
  /** [S] the sampled tokens' ids */
  tokenIds: Int32Array;
  /** [S] the tokens' text, for the evidence */
  tokenText: (id: number) => string;
  /** [S] position in the window the graph saw (0 = first token); null when the capture did not record it */
  windowPositions: Int32Array | null;
  /** per layer, [S * F] row-major (sample s, neuron f at s*F + f) */
  values: Float32Array[];
}

export interface FireRuleOf {
  fireThreshold: number;
  fireMode: FireMode;
}

export interface TokenSpecificOptions {
  /** default 0.95 */
  coverage?: number;
  /** default 3 */
  maxTypes?: number;
  /** default 20 */
  minFirings?: number;
  /** the share of its main token's occurrences it must fire on; default 0.5 */
  minRecall?: number;
}

export interface PositionalOptions {
  /** default 0.5 */
  minShare?: number;
  /** equal-width position bins over the window; default one per position, at most samples / 32 (and at least 8) */
  bins?: number;
  /** default 500 */
  minSamples?: number;
}

// (the values live in common/ so the UI can show them beside its threshold inputs)
export { SELECTIVITY_DEFAULTS };

export interface TokenSpecificEvidence {
  sampled_tokens: number;
  /** firings among the sampled tokens */
  firings: number;
  /** the fewest token types holding `coverage` of the firings */
  types_for_coverage: number;
  coverage: number;
  max_types: number;
  min_firings: number;
  min_recall: number;
  fire_threshold: number;
  fire_mode: FireMode;
  /**
   * the token types in order of firings (at most max_types + 2), with their share of firings and of
   * |activation| mass, and recall: the share of the type's sampled occurrences on which it fired
   */
  tokens: Array<{ token_id: number; token: string; firings: number; share: number; mass_share: number; recall: number }>;
}

export interface PositionalEvidence {
  sampled_tokens: number;
  /** firings among them (the capture's rule) */
  firings: number;
  /** eta^2: share of the variance of firing explained by the position bin */
  share: number;
  min_share: number;
  bins: number;
  /** positions per bin */
  bin_width: number;
  fire_threshold: number;
  fire_mode: FireMode;
  /** the bin whose fire rate differs most from the overall rate: where the neuron is special */
  peak_positions: [number, number];
  peak_rate: number;
  overall_rate: number;
}

export interface SelectivityVerdict<K extends 'token_specific' | 'positional', E> {
  layer: number;
  neuron: number;
  kind: K;
  evidence: E;
}

function check(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new Error(`selectivity: ${what} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

const firesBy = (rule: FireRuleOf) => (rule.fireMode === 'magnitude' ? (a: number) => Math.abs(a) > rule.fireThreshold : (a: number) => a > rule.fireThreshold);

/** Neurons whose firings over the sampled tokens concentrate on a few token types. */
export function detectTokenSpecific(s: SampledActivations, rule: FireRuleOf, options: TokenSpecificOptions = {}): SelectivityVerdict<'token_specific', TokenSpecificEvidence>[] {
  const d = SELECTIVITY_DEFAULTS.tokenSpecific;
  const coverage = check(options.coverage ?? d.coverage, 0, 1, 'token-specific coverage');
  const maxTypes = check(options.maxTypes ?? d.maxTypes, 1, Infinity, 'token-specific maxTypes');
  const minFirings = check(options.minFirings ?? d.minFirings, 1, Infinity, 'token-specific minFirings');
  const minRecall = check(options.minRecall ?? d.minRecall, 0, 1, 'token-specific minRecall');
  const S = s.tokenIds.length;
  const F = s.neurons;
  const fires = firesBy(rule);
  // samples grouped by token type once, so each neuron counts firings per type in one pass without a map
  const order = Int32Array.from({ length: S }, (_, i) => i).sort((a, b) => s.tokenIds[a]! - s.tokenIds[b]! || a - b);
  const groups: Array<{ id: number; from: number; to: number }> = [];
  for (let i = 0; i < S; ) {
    const id = s.tokenIds[order[i]!]!;
    let j = i;
    while (j < S && s.tokenIds[order[j]!] === id) j++;
    groups.push({ id, from: i, to: j });
    i = j;
  }
  const out: SelectivityVerdict<'token_specific', TokenSpecificEvidence>[] = [];
  const G = groups.length;
  // firings and |a| mass per (token type, neuron), [G * F], filled row by row (each sample's F
  // values are contiguous), so the pass over the samples reads memory in order
  const count = new Float64Array(G * F);
  const massOf = new Float64Array(G * F);
  const perType = new Float64Array(G);
  const massPerType = new Float64Array(G);
  for (let l = 0; l < s.layers; l++) {
    const values = s.values[l]!;
    count.fill(0);
    massOf.fill(0);
    for (let g = 0; g < G; g++) {
      const { from, to } = groups[g]!;
      for (let k = from; k < to; k++) {
        const row = order[k]! * F;
        for (let f = 0; f < F; f++) {
          const a = values[row + f]!;
          if (fires(a)) {
            count[g * F + f]! += 1;
            massOf[g * F + f]! += Math.abs(a);
          }
        }
      }
    }
    for (let f = 0; f < F; f++) {
      let firings = 0;
      let mass = 0;
      let top = 0; // the group with the most firings
      for (let g = 0; g < G; g++) {
        const n = count[g * F + f]!;
        perType[g] = n;
        massPerType[g] = massOf[g * F + f]!;
        firings += n;
        mass += massPerType[g]!;
        if (n > perType[top]!) top = g;
      }
      if (firings < minFirings) continue;
      // cheap rejections before ranking every type: maxTypes types hold at most maxTypes x the top
      // count, and the main token must be fired on often enough
      const topGroup = groups[top]!;
      if (maxTypes * perType[top]! < coverage * firings || perType[top]! < minRecall * (topGroup.to - topGroup.from)) continue;
      const ranked = Array.from(groups.keys()).sort((a, b) => perType[b]! - perType[a]! || groups[a]!.id - groups[b]!.id);
      let held = 0;
      let types = 0;
      while (held < coverage * firings) held += perType[ranked[types++]!]!;
      const main = groups[ranked[0]!]!;
      if (types > maxTypes || perType[ranked[0]!]! < minRecall * (main.to - main.from)) continue;
      out.push({
        layer: l,
        neuron: f,
        kind: 'token_specific',
        evidence: {
          sampled_tokens: S,
          firings,
          types_for_coverage: types,
          coverage,
          max_types: maxTypes,
          min_firings: minFirings,
          min_recall: minRecall,
          fire_threshold: rule.fireThreshold,
          fire_mode: rule.fireMode,
          tokens: ranked
            .slice(0, maxTypes + 2)
            .filter((g) => perType[g]! > 0)
            .map((g) => ({
              token_id: groups[g]!.id,
              token: s.tokenText(groups[g]!.id),
              firings: perType[g]!,
              share: perType[g]! / firings,
              mass_share: mass > 0 ? massPerType[g]! / mass : 0,
              recall: perType[g]! / (groups[g]!.to - groups[g]!.from),
            })),
        },
      });
    }
  }
  return out;
}

/** Neurons whose firing over the sampled tokens is mostly explained by the position in the window. */
export function detectPositional(s: SampledActivations, rule: FireRuleOf, options: PositionalOptions = {}): SelectivityVerdict<'positional', PositionalEvidence>[] {
  const d = SELECTIVITY_DEFAULTS.positional;
  const minShare = check(options.minShare ?? d.minShare, 0, 1, 'positional minShare');
  const minSamples = check(options.minSamples ?? d.minSamples, 2, Infinity, 'positional minSamples');
  const positions = s.windowPositions;
  const S = s.tokenIds.length;
  if (positions === null || S < minSamples) return [];
  let maxPos = 0;
  for (const p of positions) maxPos = Math.max(maxPos, p);
  const wanted = options.bins ?? Math.max(8, Math.floor(S / 32));
  const bins = Math.max(1, Math.min(check(wanted, 1, Infinity, 'positional bins'), maxPos + 1));
  const width = Math.ceil((maxPos + 1) / bins);
  const binOf = Int32Array.from(positions, (p) => Math.floor(p / width));
  const nBins = Math.ceil((maxPos + 1) / width);
  const count = new Float64Array(nBins);
  for (const b of binOf) count[b]! += 1;
  const F = s.neurons;
  const fires = firesBy(rule);
  const fired = new Float64Array(nBins);
  const out: SelectivityVerdict<'positional', PositionalEvidence>[] = [];
  for (let l = 0; l < s.layers; l++) {
    const values = s.values[l]!;
    for (let f = 0; f < F; f++) {
      fired.fill(0);
      let total = 0;
      for (let i = 0; i < S; i++) {
        if (!fires(values[i * F + f]!)) continue;
        fired[binOf[i]!]! += 1;
        total++;
      }
      // the indicator's total sum of squares: S p (1 - p)
      const rate = total / S;
      const ssTotal = total * (1 - rate);
      if (!(ssTotal > 0)) continue; // never or always fires: nothing for position to explain
      let ssBetween = 0;
      let peak = -1;
      for (let b = 0; b < nBins; b++) {
        if (count[b] === 0) continue;
        const dev = fired[b]! / count[b]! - rate;
        ssBetween += count[b]! * dev * dev;
        if (peak < 0 || Math.abs(dev) > Math.abs(fired[peak]! / count[peak]! - rate)) peak = b;
      }
      const share = ssBetween / ssTotal;
      if (!(share >= minShare)) continue;
      out.push({
        layer: l,
        neuron: f,
        kind: 'positional',
        evidence: {
          sampled_tokens: S,
          firings: total,
          share,
          min_share: minShare,
          bins: nBins,
          bin_width: width,
          fire_threshold: rule.fireThreshold,
          fire_mode: rule.fireMode,
          peak_positions: [peak * width, Math.min(maxPos, (peak + 1) * width - 1)],
          peak_rate: fired[peak]! / count[peak]!,
          overall_rate: rate,
        },
      });
    }
  }
  return out;
}
