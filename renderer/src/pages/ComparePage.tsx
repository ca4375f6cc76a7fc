import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { CompareResult } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { LayerTable, ModelTable } from '../compare/CompareTables';
import { ProfileCharts } from '../compare/ProfileCharts';
import { SensitivityForm } from '../compare/SensitivityForm';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { formatCount } from '../format';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';

/** "#/compare/3/5" -> [3, 5]; anything that is not all ids -> []. */
export function idsOfRoute(rest: readonly string[]): number[] {
  if (!rest.every((s) => /^\d+$/.test(s))) return [];
  return [...new Set(rest.map(Number))];
}

/** The captures to compare: a checkbox per capture, then Compare (the choice goes into the address). */
function Picker({ chosen }: { chosen: readonly number[] }) {
  const api = useApi();
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  const models = useQuery('models', () => api.call('model.list', {}));
  useChanges('datasets-changed', datasets.reload);
  const [picked, setPicked] = useState<number[]>([...chosen]);
  if (datasets.error) return <ErrorAlert message={`Could not load the captures: ${datasets.error.message}`} onRetry={datasets.reload} />;
  if (!datasets.data || !models.data) return <Loading label="Loading the captures…" />;
  if (datasets.data.length < 2) {
    return (
      <EmptyState
        testId="compare-empty"
        title="Two captures are needed"
        next={
          <a className="button button-primary" href={hrefFor('start')}>
            Run the Width vs depth study
          </a>
        }
      >
        <p>Compare puts captures of two or more models on the same text side by side. Capture each model on the same documents (Datasets), or run the “Width vs depth” study on Start here.</p>
      </EmptyState>
    );
  }
  const modelName = (id: number) => models.data?.find((m) => m.id === id)?.name ?? `model #${id}`;
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <form
      className="compare-picker"
      onSubmit={(e) => {
        e.preventDefault();
        if (picked.length >= 2) navigate(hrefFor('compare', ...picked));
      }}
    >
      <fieldset>
        <legend>Captures to compare (the first is the reference: the others must have read the same text)</legend>
        <ul className="plain-list">
          {datasets.data.map((d) => (
            <li key={d.id}>
              <label>
                <input type="checkbox" data-testid="compare-pick" data-dataset-id={d.id} checked={picked.includes(d.id)} onChange={() => toggle(d.id)} /> {d.name}{' '}
                <span className="muted">
                  ({modelName(d.modelId)}, {formatCount(d.tokens)} tokens, capture #{d.id})
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <button type="submit" className="button button-primary" data-testid="compare-run" disabled={picked.length < 2}>
        Compare {picked.length >= 2 ? `${picked.length} captures` : ''}
      </button>
    </form>
  );
}

function Result({ ids }: { ids: readonly number[] }) {
  const api = useApi();
  const result = useQuery(`compare:${ids.join(',')}`, () => api.call('compare.run', { datasets: [...ids] }));
  useChanges('ablations-changed', result.reload);
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = result.data !== undefined;
  useEffect(() => {
    if (loaded) heading.current?.focus({ preventScroll: true });
  }, [loaded]);
  if (result.error) return <ErrorAlert message={result.error.message} onRetry={result.reload} testId="compare-error" />;
  if (!result.data) return <Loading label="Comparing (the first time, the intrinsic dimension of each layer is measured)…" />;
  const r: CompareResult = result.data;
  return (
    <div className="compare-result" data-testid="compare-result">
      <h2 className="section-title" ref={heading} tabIndex={-1}>
        {r.models.map((m) => m.model.name).join(' vs ')}
      </h2>
      <p className="hint" data-testid="compare-text">
        The same text: corpus “{r.text.corpus.name}”, {formatCount(r.text.documents)} documents{r.text.cut_after_tokens === null ? ', read whole' : `, the first ${formatCount(r.text.cut_after_tokens)} tokens`}; a neuron fires when {r.text.fire}. Layers are
        aligned by relative depth: layer / (layers − 1).
      </p>
      {r.refused.length > 0 && (
        <div className="notice" role="status" data-testid="compare-refused">
          <p>Left out, because they did not read the same text:</p>
          <ul>
            {r.refused.map((x) => (
              <li key={x.dataset} data-dataset-id={x.dataset}>
                {x.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <ModelTable result={r} />
      <h2 className="section-title">Profiles against relative depth</h2>
      <ProfileCharts result={r} />
      <LayerTable result={r} />
      {r.models.some((m) => m.notes.length > 0) && (
        <section>
          <h2 className="section-title">Notes</h2>
          <ul data-testid="compare-notes">
            {r.models.flatMap((m) =>
              m.notes.map((n, i) => (
                <li key={`${m.dataset.id}:${i}`}>
                  <strong>{m.model.name}:</strong> {n}
                </li>
              )),
            )}
          </ul>
        </section>
      )}
      <SensitivityForm result={r} />
      <details className="compare-definitions">
        <summary>What each column means</summary>
        <dl>
          {Object.entries(r.definitions).map(([k, v]) => (
            <div key={k}>
              <dt>
                <code>{k}</code>
              </dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}

/** #/compare and #/compare/<id>/<id>/...: models side by side on the same text. */
export function ComparePage({ rest }: { rest: string[] }) {
  const ids = idsOfRoute(rest);
  return (
    <>
      <PageHeader title="Compare models">
        Captures of two or more models on the same text, side by side: parameters, FLOPs, held-out loss, and per layer how much of the FFN is used, its intrinsic dimension and what removing it costs.
      </PageHeader>
      <Picker key={ids.join(',')} chosen={ids} />
      {ids.length >= 2 && <Result ids={ids} />}
    </>
  );
}
