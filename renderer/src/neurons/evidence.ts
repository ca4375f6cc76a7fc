// Verdicts in words: the thresholds a neuron was judged by and the values measured, as the
// detectors (electron/analysis/detectors.ts) report them in each verdict's evidence.
import type { NeuronRow } from '../api/contract';
import { formatCount, formatStat } from '../format';

export type VerdictKind = NeuronRow['verdicts'][number]['kind'];

export const verdictKinds: readonly VerdictKind[] = ['dead', 'constant', 'never_positive', 'rare', 'massive', 'heavy_tailed', 'token_specific', 'positional'];

export const verdictLabels: Record<VerdictKind, string> = {
  dead: 'Dead (silent)',
  constant: 'Constant',
  never_positive: 'Never positive',
  rare: 'Rare',
  massive: 'Massive',
  heavy_tailed: 'Heavy-tailed',
  token_specific: 'Token-specific',
  positional: 'Positional',
};

/** What each verdict means, in one line (tooltips and the legend of the filters). */
export const verdictMeanings: Record<VerdictKind, string> = {
  dead: '|output| ≤ ε on every token seen: zero ablation is exact to ε',
  constant: 'output varies by at most ε: mean ablation is exact to ε',
  never_positive: 'output never above 0, yet not silent or constant: it writes a negative multiple of its value vector',
  rare: 'fires on fewer tokens than the bound',
  massive: 'peak |activation| far above the layer\'s median peak',
  heavy_tailed: 'the excess kurtosis of its active part (sparsity divided out) is above the threshold',
  token_specific: 'its firings concentrate on a few token types (Voita et al. 2023)',
  positional: 'the position in the window explains most of its variance (Voita et al. 2023)',
};

/** the testid suffix of a kind's filter toggle: filter-dead, filter-heavy-tailed */
export function kindSlug(kind: VerdictKind): string {
  return kind.replaceAll('_', '-');
}

/** "a > 0" or "|a| > 0": the capture's firing rule. */
export function fireRule(mode: unknown, threshold: number): string {
  return `${mode === 'magnitude' ? '|a|' : 'a'} > ${formatStat(threshold)}`;
}

/** A fraction as a percentage with up to 3 significant digits: 0.000375 -> "0.0375%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  if (fraction === 0) return '0%';
  const pct = fraction * 100;
  return `${Number(pct.toPrecision(3)).toString()}%`;
}


function num(evidence: Record<string, unknown>, key: string): number {
  const v = evidence[key];
  return typeof v === 'number' ? v : NaN;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** One verdict's evidence as a sentence. */
export function describeVerdict(kind: VerdictKind, raw: unknown): string {
  const e = record(raw);
  switch (kind) {
    case 'dead':
      return (
        `|output| never above ${formatStat(num(e, 'peak_abs'))} in ${formatCount(num(e, 'tokens'))} tokens, within ε = ${formatStat(num(e, 'eps'))} ` +
        `(${formatStat(num(e, 'rel_eps'))} × the layer's typical |activation| ${formatStat(num(e, 'layer_typical_abs'))}; ` +
        `95% upper bound on the share of tokens above ε ${formatPercent(num(e, 'upper95'))}). Zero ablation moves its output by at most ${formatStat(num(e, 'peak_abs'))} per token` +
        (Number.isFinite(num(e, 'residual_bound')) ? `, the residual stream by at most ${formatStat(num(e, 'residual_bound'))} (L2)` : '')
      );
    case 'constant':
      return (
        `output stays within a range of ${formatStat(num(e, 'range'))} around its mean ${formatStat(num(e, 'mean'))} over ${formatCount(num(e, 'tokens'))} tokens ` +
        `(std ${formatStat(num(e, 'std'))}; ε = ${formatStat(num(e, 'eps'))}). Mean ablation moves its output by at most ${formatStat(num(e, 'range'))} per token` +
        (Number.isFinite(num(e, 'residual_bound')) ? `, the residual stream by at most ${formatStat(num(e, 'residual_bound'))} (L2)` : '')
      );
    case 'never_positive':
      return (
        `output never above 0 in ${formatCount(num(e, 'tokens'))} tokens (max ${formatStat(num(e, 'max'))}, min ${formatStat(num(e, 'min'))}, mean ${formatStat(num(e, 'mean'))}); ` +
        `not dead: it writes a varying negative multiple of its value vector`
      );
    case 'rare':
      return (
        `fired (${fireRule(e.fire_mode, num(e, 'fire_threshold'))}) on ${formatCount(num(e, 'fire_count'))} of ${formatCount(num(e, 'tokens'))} tokens, a rate of ${formatPercent(num(e, 'rate'))}, ` +
        `below the bound of ${formatPercent(num(e, 'bound'))}`
      );
    case 'token_specific': {
      const tokens = Array.isArray(e.tokens) ? (e.tokens as Array<Record<string, unknown>>) : [];
      const listed = tokens
        .slice(0, num(e, 'types_for_coverage'))
        .map((t) => `${JSON.stringify(String(t.token))} ${formatPercent(num(t, 'share'))} of firings, ${formatPercent(num(t, 'mass_share'))} of |a| mass, fired on ${formatPercent(num(t, 'recall'))} of its occurrences`)
        .join('; ');
      return (
        `${formatStat(num(e, 'types_for_coverage'))} token type(s) hold ${formatPercent(num(e, 'coverage'))} of its ${formatCount(num(e, 'firings'))} firings ` +
        `(${fireRule(e.fire_mode, num(e, 'fire_threshold'))}) among ${formatCount(num(e, 'sampled_tokens'))} sampled tokens: ${listed}`
      );
    }
    case 'positional': {
      const at = Array.isArray(e.peak_positions) ? (e.peak_positions as number[]) : [];
      return (
        `position in the window explains ${formatPercent(num(e, 'share'))} of its variance over ${formatCount(num(e, 'sampled_tokens'))} sampled tokens ` +
        `(${formatCount(num(e, 'bins'))} bins of ${formatCount(num(e, 'bin_width'))} positions); it differs most at positions ${at[0] ?? '?'}–${at[1] ?? '?'} ` +
        `(mean ${formatStat(num(e, 'peak_mean'))} against ${formatStat(num(e, 'overall_mean'))} overall)`
      );
    }
    case 'massive':
      return (
        `peak |activation| ${formatStat(num(e, 'peak'))} is ${formatStat(num(e, 'ratio'))}× the layer's median peak ` +
        `(${formatStat(num(e, 'layer_median_peak'))}); massive means at least ${formatStat(num(e, 'min_ratio'))}× and a peak of at least ${formatStat(num(e, 'min_peak'))}`
      );
    case 'heavy_tailed':
      // verdicts stored before the active-part measure carry only the kurtosis over all tokens
      if (e !== null && typeof e === 'object' && 'active_kurtosis' in e) {
        return (
          `its active part (${formatCount(num(e, 'firing'))} firing tokens, fire rate ${formatStat(num(e, 'fire_rate'))}) has excess kurtosis ${formatStat(num(e, 'active_kurtosis'))}, ` +
          `above the threshold of ${formatStat(num(e, 'threshold'))}; over all ${formatCount(num(e, 'tokens'))} tokens it is ${formatStat(num(e, 'kurtosis'))}, sparsity included ` +
          `(judged from ${formatCount(num(e, 'min_tokens'))} tokens and ${formatCount(num(e, 'min_firing'))} firing tokens on)`
        );
      }
      return (
        `excess kurtosis ${formatStat(num(e, 'kurtosis'))} over ${formatCount(num(e, 'tokens'))} tokens, above the threshold of ${formatStat(num(e, 'threshold'))} ` +
        `(judged from ${formatCount(num(e, 'min_tokens'))} tokens on)`
      );
  }
}

