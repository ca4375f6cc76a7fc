import type { AblationResult } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { useQuery } from '../api/useQuery';
import { Figure } from '../charts/Figure';
import { GroupedIntervalChart } from '../charts/GroupedIntervalChart';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { hrefFor } from '../routing/route';
import { BackToRuns, runLede } from './AblationResultView';
import { ConditionTable } from './ConditionTable';
import { comparedSeries, comparedCsv, COMPARED_METRICS } from './compared';
import { metricLabels } from './format';

function Side({ r }: { r: AblationResult }) {
  return (
    <section className="compare-side" data-testid="compare-side" data-run-id={r.id}>
      <h2 className="section-title">
        <a href={hrefFor('ablation', r.id)}>{r.name}</a>
      </h2>
      <p className="hint">{runLede(r)}</p>
      <ConditionTable result={r} testId={`condition-table-${r.id}`} />
    </section>
  );
}

/** Δ loss, KL and top-1 agreement of both runs' conditions on one chart each: conditions along x, one colour per run. */
function ComparedFigures({ runs }: { runs: readonly AblationResult[] }) {
  return (
    <div className="chart-grid" data-testid="compare-figures">
      {COMPARED_METRICS.map((k) => {
        const { groups, series } = comparedSeries(runs, k);
        const title = `${metricLabels[k].title} of both runs`;
        return (
          <Figure
            key={k}
            chartId={`compare-${k.replace('_', '-')}`}
            title={title}
            baseName={`ablation-${runs.map((r) => r.id).join('-vs-')}-${k}`}
            caption={`Each run against its own intact model; dots are estimates, whiskers 95% bootstrap intervals over each run's documents; dashed: no change.`}
            data={comparedCsv(runs, k)}
          >
            <GroupedIntervalChart label={title} groups={groups} series={series} xLabel="Condition" yLabel={metricLabels[k].axis} />
          </Figure>
        );
      })}
    </div>
  );
}

/** #/ablation/compare/<a>/<b>: two runs' condition tables one above the other, and their effects drawn together. */
export function CompareRuns({ a, b }: { a: number; b: number }) {
  const api = useApi();
  const runA = useQuery(`ablation:${a}`, () => api.call('ablation.get', { id: a }));
  const runB = useQuery(`ablation:${b}`, () => api.call('ablation.get', { id: b }));
  const failed = runA.error ?? runB.error;
  return (
    <div data-testid="ablation-compare">
      <BackToRuns />
      <PageHeader title="Two runs compared">Each against its own intact baseline; intervals are 95% bootstrap intervals over each run's documents.</PageHeader>
      {failed && <ErrorAlert message={failed.message} onRetry={runA.error ? runA.reload : runB.reload} />}
      {!failed && (!runA.data || !runB.data) && <Loading label="Loading the runs…" />}
      {runA.data && runB.data && (
        <>
          <div className="compare-stack">
            <Side r={runA.data} />
            <Side r={runB.data} />
          </div>
          <ComparedFigures runs={[runA.data, runB.data]} />
        </>
      )}
    </div>
  );
}
