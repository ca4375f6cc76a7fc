import { useApi } from '../api/ApiContext';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { hrefFor } from '../routing/route';
import { BackToRuns, runLede } from './AblationResultView';
import { ConditionTable } from './ConditionTable';

function Side({ id }: { id: number }) {
  const api = useApi();
  const run = useQuery(`ablation:${id}`, () => api.call('ablation.get', { id }));
  if (run.error) return <ErrorAlert message={run.error.message} onRetry={run.reload} />;
  if (!run.data) return <Loading label="Loading the run…" />;
  const r = run.data;
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

/** #/ablation/compare/<a>/<b>: two runs' condition tables side by side. */
export function CompareRuns({ a, b }: { a: number; b: number }) {
  return (
    <div data-testid="ablation-compare">
      <BackToRuns />
      <PageHeader title="Two runs side by side">Each against its own intact baseline; intervals are 95% bootstrap intervals over each run's documents.</PageHeader>
      <div className="compare-grid">
        <Side id={a} />
        <Side id={b} />
      </div>
    </div>
  );
}
