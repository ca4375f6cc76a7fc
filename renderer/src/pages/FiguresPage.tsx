import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Figure } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { formatLabels } from '../charts/export';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { formatBytes, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';

/** "880 × 520 px", "330 × 195 pt"; empty for a CSV. */
function dimensions(f: Figure): string {
  if (f.width === null || f.height === null) return '';
  return `${f.width} × ${f.height} ${f.format === 'pdf' ? 'pt' : 'px'}`;
}

/** The figures exported from any chart, as the backend recorded them (kept across restarts). */
export function FiguresPage() {
  const api = useApi();
  const figures = useQuery('figures', () => api.call('figures.list', {}));
  useChanges('figures-changed', figures.reload);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const remove = (id: number) => {
    setRemoveError(null);
    api.call('figures.delete', { id }).catch((e: unknown) => setRemoveError(`Could not remove the figure: ${errorMessage(e)}`));
  };
  const items = figures.data;
  return (
    <>
      <PageHeader title="Figures">Charts exported as SVG, PNG, PDF or CSV.</PageHeader>
      {figures.error && <ErrorAlert message={`Could not load the figures: ${figures.error.message}`} onRetry={figures.reload} testId="figures-error" />}
      {removeError && <ErrorAlert message={removeError} testId="figures-remove-error" />}
      {!items && figures.loading && <Loading label="Loading the figures…" />}
      {items && items.length === 0 && (
        <EmptyState
          testId="figures-empty"
          title="No figures exported yet"
          next={
            <a className="button button-primary" href={hrefFor('neurons')}>
              Open the layer charts
            </a>
          }
        >
          <p>
            Every chart has export buttons: SVG, PNG at 2× and 4×, PDF (vector, text in Helvetica) and the data behind it as
            CSV. The files you export appear here.
          </p>
        </EmptyState>
      )}
      {items && items.length > 0 && (
        <>
          <p className="hint">The files are where your browser saved them; removing one here only takes it off this list.</p>
          <div className="table-wrap">
            <table className="table" data-testid="figures-list">
              <thead>
                <tr>
                  <th scope="col">Preview</th>
                  <th scope="col">File</th>
                  <th scope="col">Chart</th>
                  <th scope="col">Format</th>
                  <th scope="col">Size</th>
                  <th scope="col" className="num">Bytes</th>
                  <th scope="col">Exported</th>
                  <th scope="col">View</th>
                  <th scope="col" aria-label="Remove from the list" />
                </tr>
              </thead>
              <tbody>
                {items.map((f) => (
                  <tr key={f.id} data-testid="figure-row" data-format={f.format}>
                    <td className="figure-thumb-cell">
                      {f.thumbnail ? <img className="figure-thumb" src={f.thumbnail} alt={`${f.chart} (thumbnail)`} data-testid="figure-thumbnail" /> : <span className="muted">{f.format === 'csv' ? 'data' : '—'}</span>}
                    </td>
                    <td className="mono">{f.file}</td>
                    <td>{f.chart}</td>
                    <td className="nowrap">{formatLabels[f.format]}</td>
                    <td className="nowrap">{dimensions(f)}</td>
                    <td className="num nowrap">{formatBytes(f.bytes)}</td>
                    <td className="nowrap">{formatDateTime(f.createdAt)}</td>
                    <td className="nowrap">
                      {f.source ? (
                        <a href={f.source} data-testid="figure-source" title={`Open the view this figure came from (${f.source})`}>
                          Open the view
                        </a>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <button type="button" className="button button-small" data-testid="figure-remove" aria-label={`Remove ${f.file} from the list`} onClick={() => remove(f.id)}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
