import type { ReactNode } from 'react';
import type { AblationResult } from '../api/contract';
import { CurveChart, type CurveSeries } from '../charts/CurveChart';
import { Figure } from '../charts/Figure';
import { IntervalChart } from '../charts/IntervalChart';
import { okabeIto } from '../charts/style';
import { metricLabels, percent, slug, type MetricKey } from './format';

const metrics: readonly MetricKey[] = ['delta_loss', 'kl', 'top1_agreement'];
const chartIds: Record<MetricKey, string> = { delta_loss: 'delta-loss', kl: 'kl', top1_agreement: 'top1', loss: 'loss', ppl: 'ppl' };
const intactValue: Partial<Record<MetricKey, number>> = { delta_loss: 0, kl: 0, top1_agreement: 1 };

/** The CSV behind a figure: every condition's estimate and interval of the metric. */
function csv(result: AblationResult, k: MetricKey) {
  return {
    header: ['condition', 'series', 'fraction', 'neurons', k, `${k}_low`, `${k}_high`],
    rows: result.results.map((c) => [c.label, c.series, c.fraction, c.neurons, c.metrics[k].value, c.metrics[k].low, c.metrics[k].high]),
  };
}

/** One figure per metric (Δ loss, KL, top-1 agreement), each exported with the conditions' estimates and intervals as CSV. */
function MetricFigures({ result, prefix, title, caption, chart }: { result: AblationResult; prefix: string; title: (k: MetricKey) => string; caption: string; chart: (k: MetricKey) => ReactNode }) {
  return (
    <div className="chart-grid">
      {metrics.map((k) => (
        <Figure key={k} chartId={`${prefix}-${chartIds[k]}`} title={title(k)} baseName={`${slug(result.name)}-${prefix}-${chartIds[k]}`} caption={caption} data={csv(result, k)}>
          {chart(k)}
        </Figure>
      ))}
    </div>
  );
}

/** A set against the intact model: dots with 95% whiskers per condition. */
function ComparisonFigures({ result }: { result: AblationResult }) {
  const title = (k: MetricKey) => `${metricLabels[k].title} by condition`;
  return (
    <MetricFigures
      result={result}
      prefix="ablation"
      title={title}
      caption={`${result.method} ablation, ${result.tokens} tokens; dots are estimates, whiskers 95% bootstrap intervals over ${result.documents} documents; dashed: the intact model.`}
      chart={(k) => (
        <IntervalChart label={title(k)} items={result.results.map((c) => ({ label: `${c.label} (${c.neurons})`, ...c.metrics[k] }))} xLabel={metricLabels[k].axis} reference={metricLabels[k].reference} />
      )}
    />
  );
}

/** A sweep: each metric over the fraction ablated, the ranking against the matched random sets, with 95% bands. */
function SweepFigures({ result }: { result: AblationResult }) {
  const names = [...new Set(result.results.map((c) => c.series ?? c.label))];
  const series = (k: MetricKey): CurveSeries[] =>
    names.map((name) => ({
      name,
      color: name === 'random' ? okabeIto.orange : okabeIto.blue,
      points: [
        { x: 0, y: intactValue[k] ?? 0, low: intactValue[k] ?? null, high: intactValue[k] ?? null },
        ...result.results.filter((c) => (c.series ?? c.label) === name).map((c) => ({ x: c.fraction ?? 0, y: c.metrics[k].value, low: c.metrics[k].low, high: c.metrics[k].high })),
      ],
    }));
  const title = (k: MetricKey) => `${metricLabels[k].title} vs fraction ablated`;
  return (
    <MetricFigures
      result={result}
      prefix="sweep"
      title={title}
      caption={`${result.method} ablation of growing fractions of all neurons; bands are 95% bootstrap intervals over ${result.documents} documents.`}
      chart={(k) => <CurveChart label={title(k)} series={series(k)} xLabel="Neurons ablated (% of all FFN neurons)" yLabel={metricLabels[k].axis} formatX={percent} />}
    />
  );
}

export function ResultFigures({ result }: { result: AblationResult }) {
  return result.kind === 'sweep' ? <SweepFigures result={result} /> : <ComparisonFigures result={result} />;
}
