import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { EmptyState } from '../components/EmptyState';
import { ListSection } from '../components/ListSection';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { AblationForm } from './AblationForm';
import { RunTable } from './RunTable';

/** #/ablation: start an ablation or a sweep, the stored runs, and the way to the playground. */
export function AblationOverview() {
  const api = useApi();
  const runs = useQuery('ablations', () => api.call('ablation.list', {}));
  const models = useQuery('models', () => api.call('model.list', {}));
  const corpora = useQuery('corpora', () => api.call('corpus.list', {}));
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  useChanges('ablations-changed', runs.reload);
  useChanges('models-changed', models.reload);
  useChanges('corpora-changed', corpora.reload);
  useChanges('datasets-changed', datasets.reload);
  const [selected, setSelected] = useState<number[]>([]);
  // ticking a third run drops the oldest tick: a comparison is of two
  const toggle = (id: number) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));

  const m = models.data;
  const c = corpora.data;
  const d = datasets.data;
  return (
    <>
      <PageHeader
        title="Ablation"
        actions={
          <>
            <a className="button" href={hrefFor('ablation', 'playground')} data-testid="open-playground">
              Open the playground
            </a>
            <a className="button" href={hrefFor('ablation', 'patching')} data-testid="open-patching">
              Activation patching
            </a>
          </>
        }
      >
        Switch neurons off and measure what the model loses, against the intact model and a matched random control.
      </PageHeader>
      {(!m || !c || !d) && <Loading label="Loading models, corpora and captures…" />}
      {m && c && d && (m.length === 0 || c.length === 0) && (
        <p className="notice" data-testid="ablation-needs">
          An ablation needs {m.length === 0 && <a href={hrefFor('models')}>an imported model</a>}
          {m.length === 0 && c.length === 0 && ' and '}
          {c.length === 0 && <a href={hrefFor('corpora')}>an imported corpus</a>} to evaluate on; verdict sets, rankings, mean and resample ablation
          also need <a href={hrefFor('datasets')}>a capture</a>.
        </p>
      )}
      {m && c && d && m.length > 0 && c.length > 0 && (
        <div className="ablation-forms">
          <AblationForm kind="compare" models={m} corpora={c} datasets={d} />
          <AblationForm kind="sweep" models={m} corpora={c} datasets={d} />
        </div>
      )}
      <ListSection
        one="run"
        many="runs"
        title="Stored runs"
        list={runs}
        empty={
          <EmptyState testId="ablation-empty" title="No ablation runs yet">
            <p>
              A run ablates a set of neurons (a detector verdict, a saved set, or the top k by a score) by zeroing them, replacing them
              by their mean, or resampling them, and compares the model with the intact one: loss and perplexity, KL divergence,
              top-1 agreement, per document and per token. A sweep ablates growing fractions in the order of a ranking.
            </p>
          </EmptyState>
        }
      >
        {(items) => (
          <>
            <div className="compare-bar">
              <button type="button" className="button button-small" data-testid="compare-runs" disabled={selected.length !== 2} onClick={() => navigate(hrefFor('ablation', 'compare', selected[0]!, selected[1]!))}>
                Compare the two ticked runs
              </button>
              <span className="hint">{selected.length === 2 ? 'Their condition tables side by side.' : 'Tick two runs to compare them.'}</span>
            </div>
            <RunTable runs={items} models={m ?? []} selected={selected} onToggle={toggle} onDeleted={runs.reload} />
          </>
        )}
      </ListSection>
    </>
  );
}
