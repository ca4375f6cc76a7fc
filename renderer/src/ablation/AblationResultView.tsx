import { Warnings } from '../datasets/Warnings';
import { useApi } from '../api/ApiContext';
import type { AblationResult } from '../api/contract';
import { useQuery } from '../api/useQuery';
import { useRecord } from '../api/useRecord';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { formatCount } from '../format';
import { hrefFor } from '../routing/route';
import { NextActions, type NextAction } from '../components/NextActions';
import { ConditionTable } from './ConditionTable';
import { formatInterval } from './format';
import { HurtTokens } from './HurtTokens';
import { PerDocumentTable } from './PerDocumentTable';
import { Provenance } from './Provenance';
import { ResultFigures } from './ResultFigures';

export const BackToRuns = () => (
  <a className="back-link" href={hrefFor('ablation')} data-testid="ablation-back">
    ‹ All ablation runs
  </a>
);

/** A run's one-line description: kind, method, data and the intact baseline. */
export function runLede(r: AblationResult): string {
  return `${r.kind === 'sweep' ? 'Sweep' : 'Set vs intact'} · ${r.method} ablation · ${formatCount(r.tokens)} tokens in ${formatCount(r.documents)} documents · intact loss ${formatInterval(r.baseline.loss)}`;
}

/** From a run: its capture's neurons, another run beside it, the model's notebook. */
function ablationNextSteps(r: AblationResult): NextAction[] {
  const datasetId = (r.params as { datasetId?: number }).datasetId ?? r.datasetId;
  return [
    ...(datasetId ? [{ label: 'View in Neurons', testId: 'next-neurons', href: hrefFor('neurons', datasetId), title: 'The capture whose verdicts chose these neurons' }] : []),
    { label: 'Compare with another run', testId: 'next-compare-runs', href: hrefFor('ablation'), title: 'Pick two runs in the list to see them side by side' },
    { label: 'Notebook', testId: 'next-notebook', href: hrefFor('notebook', r.modelId) },
  ];
}

/** #/ablation/<id>: one run's conditions, figures, per-document and per-token breakdown, provenance. */
export function AblationResultView({ id }: { id: number }) {
  const api = useApi();
  const run = useRecord(id, () => api.call('ablation.get', { id }), 'ablations-changed');
  const models = useQuery('models', () => api.call('model.list', {}));
  const corpora = useQuery('corpora', () => api.call('corpus.list', {}));
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  const r = run.data;
  if (run.error?.code === 'not-found' || (run.error && !r)) return <><BackToRuns /><ErrorAlert message={run.error.message} onRetry={run.reload} testId="ablation-error" /></>;
  if (!r) return <><BackToRuns /><Loading label="Loading the run…" /></>;
  const p = r.params as { datasetId?: number };
  return (
    <div data-testid="ablation-result" data-run-id={r.id} data-kind={r.kind}>
      <BackToRuns />
      <PageHeader title={r.name} actions={<NextActions actions={ablationNextSteps(r)} />}>
        {runLede(r)}
      </PageHeader>
      <Warnings warnings={r.warnings} testId="ablation-warnings" />
      <section className="neuron-section" aria-labelledby="conditions-title">
        <h2 id="conditions-title" className="section-title">
          Conditions
        </h2>
        <ConditionTable result={r} />
      </section>
      <section className="neuron-section" aria-labelledby="figures-title">
        <h2 id="figures-title" className="section-title">
          {r.kind === 'sweep' ? 'Curves' : 'Comparison'}
        </h2>
        <ResultFigures result={r} />
      </section>
      <section className="neuron-section" aria-labelledby="hurt-title">
        <h2 id="hurt-title" className="section-title">
          Tokens hurt most
        </h2>
        <HurtTokens result={r} />
      </section>
      <section className="neuron-section" aria-labelledby="documents-title">
        <h2 id="documents-title" className="section-title">
          Per document
        </h2>
        <PerDocumentTable result={r} />
      </section>
      <Provenance
        result={r}
        model={models.data?.find((m) => m.id === r.modelId)}
        corpus={corpora.data?.find((c) => c.id === r.corpusId)}
        dataset={datasets.data?.find((d) => d.id === p.datasetId)}
      />
    </div>
  );
}
