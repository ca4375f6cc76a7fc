// Verdicts in words: the thresholds a neuron was judged by and the values measured, as the
// detectors (electron/analysis/detectors.ts) report them in each verdict's evidence.
import type { NeuronRow } from '../api/contract';
import { formatCount, formatStat } from '../format';

export type VerdictKind = NeuronRow['verdicts'][number]['kind'];

export const verdictKinds: readonly VerdictKind[] = ['dead', 'rare', 'massive', 'heavy_tailed'];

export const verdictLabels: Record<VerdictKind, string> = {
  dead: 'Dead',
  rare: 'Rare',
  massive: 'Massive',
  heavy_tailed: 'Heavy-tailed',
};

/** the testid suffix of a kind's filter toggle: filter-dead, filter-heavy-tailed */
export function kindSlug(kind: VerdictKind): string {
  return kind.replace('_', '-');
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
        `never fired (activation above ${formatStat(num(e, 'fire_threshold'))}) in ${formatCount(num(e, 'tokens'))} tokens ` +
        `(95% upper bound on fire rate ${formatPercent(num(e, 'upper95'))})`
      );
    case 'rare':
      return (
        `fired on ${formatCount(num(e, 'fire_count'))} of ${formatCount(num(e, 'tokens'))} tokens, a rate of ${formatPercent(num(e, 'rate'))}, ` +
        `below the bound of ${formatPercent(num(e, 'bound'))}`
      );
    case 'massive':
      return (
        `peak |activation| ${formatStat(num(e, 'peak'))} is ${formatStat(num(e, 'ratio'))}× the layer's median peak ` +
        `(${formatStat(num(e, 'layer_median_peak'))}); massive means at least ${formatStat(num(e, 'min_ratio'))}× and a peak of at least ${formatStat(num(e, 'min_peak'))}`
      );
    case 'heavy_tailed':
      return (
        `excess kurtosis ${formatStat(num(e, 'kurtosis'))} over ${formatCount(num(e, 'tokens'))} tokens, above the threshold of ${formatStat(num(e, 'threshold'))} ` +
        `(judged from ${formatCount(num(e, 'min_tokens'))} tokens on)`
      );
  }
}

