// Numbers of ablation results in words: an estimate with its 95% interval.
import type { AblationResult } from '../api/contract';
import { formatStat } from '../format';

export type Interval = AblationResult['baseline']['loss'];
export type Condition = AblationResult['results'][number];
export type MetricKey = keyof Condition['metrics'];

/** "3.412 [3.401, 3.425]"; the estimate alone when there is no interval (no resamples). */
export function formatInterval(m: Interval): string {
  return m.low === null || m.high === null ? formatStat(m.value) : `${formatStat(m.value)} [${formatStat(m.low)}, ${formatStat(m.high)}]`;
}

export const metricLabels: Record<MetricKey, { title: string; axis: string; reference: number }> = {
  loss: { title: 'Loss', axis: 'Loss (nats/token)', reference: NaN },
  ppl: { title: 'Perplexity', axis: 'Perplexity', reference: NaN },
  delta_loss: { title: 'Δ loss', axis: 'Δ loss vs intact (nats/token)', reference: 0 },
  kl: { title: 'KL', axis: 'KL(intact ‖ ablated) (nats/token)', reference: 0 },
  top1_agreement: { title: 'Top-1 agreement', axis: 'Top-1 agreement with intact (fraction)', reference: 1 },
};

export const percent = (f: number): string => `${Number((f * 100).toPrecision(3))}%`;

/** A file name part from a run's name. */
export const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'ablation';
