// What an ablation costs, from per-document totals: loss and perplexity, the change in loss against
// the intact model, mean KL(intact || ablated) per token and top-1 agreement, each with a bootstrap
// confidence interval over documents (documents, not tokens, are the independent units: tokens of
// one document are correlated).
import { prng } from '../../common/prng.js';

/** One document's sums under one condition. */
export interface DocTotals {
  tokens: number;
  nll: number;
  kl: number;
  /** tokens whose most likely next token equals the intact model's */
  agree: number;
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface ConditionMetrics {
  loss: Interval;
  ppl: Interval;
  delta_loss: Interval;
  kl: Interval;
  top1_agreement: Interval;
}

type MetricName = keyof ConditionMetrics;
const METRICS: readonly MetricName[] = ['loss', 'ppl', 'delta_loss', 'kl', 'top1_agreement'];

/** The metrics of totals summed over some documents (ratio estimators: sums over sums). */
function point(base: DocTotals, cond: DocTotals): Record<MetricName, number> {
  const n = cond.tokens;
  const loss = cond.nll / n;
  return { loss, ppl: Math.exp(loss), delta_loss: loss - base.nll / base.tokens, kl: cond.kl / n, top1_agreement: cond.agree / n };
}

function sumDocs(docs: readonly DocTotals[], pick?: ArrayLike<number>): DocTotals {
  const t: DocTotals = { tokens: 0, nll: 0, kl: 0, agree: 0 };
  const n = pick ? pick.length : docs.length;
  for (let i = 0; i < n; i++) {
    const d = docs[pick ? (pick[i] as number) : i] as DocTotals;
    t.tokens += d.tokens;
    t.nll += d.nll;
    t.kl += d.kl;
    t.agree += d.agree;
  }
  return t;
}

/** The q-quantile of sorted values, linear between order statistics. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Metrics of one condition against the intact model (`base`, same documents in the same order), with
 * percentile bootstrap 95% intervals from `resamples` resamplings of the documents (seeded). With
 * fewer than two documents the interval is the point itself.
 */
export function conditionMetrics(base: readonly DocTotals[], cond: readonly DocTotals[], resamples: number, seed: number): ConditionMetrics {
  if (base.length !== cond.length) throw new RangeError(`intact and ablated runs cover different documents (${base.length} vs ${cond.length})`);
  const docs = base.length;
  const value = point(sumDocs(base), sumDocs(cond));
  const draws = Object.fromEntries(METRICS.map((m) => [m, new Float64Array(docs > 1 ? resamples : 0)])) as Record<MetricName, Float64Array>;
  if (docs > 1) {
    const rand = prng(seed);
    const pick = new Int32Array(docs);
    for (let r = 0; r < resamples; r++) {
      for (let i = 0; i < docs; i++) pick[i] = Math.floor(rand() * docs);
      const p = point(sumDocs(base, pick), sumDocs(cond, pick));
      for (const m of METRICS) (draws[m] as Float64Array)[r] = p[m];
    }
  }
  const out = {} as ConditionMetrics;
  for (const m of METRICS) {
    const d = (draws[m] as Float64Array).sort();
    out[m] = d.length > 0 ? { value: value[m], low: quantile(d, 0.025), high: quantile(d, 0.975) } : { value: value[m], low: value[m], high: value[m] };
  }
  return out;
}
