import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset, Result } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { download, toCsv, type CsvCell } from '../charts/export';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatStat } from '../format';
import { hrefFor } from '../routing/route';

type Report = Result<'neurons.massiveDims'>;
type Dim = Report['dims'][number] & { id: number };
type Weight = Report['dims'][number]['super_weights'][number] & { id: number };

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'dataset';
const where = (d: Dim) => d.where.map((w) => `${w.document}:${w.position} ${JSON.stringify(w.token ?? w.token_id)} (${formatStat(w.value)})`).join('; ');

/** "Massive activations in the residual stream": the massive dims of a capture and the W_out weights that write them, each table exportable as CSV. */
export function MassiveDims({ dataset }: { dataset: Dataset }) {
  const api = useApi();
  const report = useQuery(`massive-dims:${dataset.id}`, () => api.call('neurons.massiveDims', { datasetId: dataset.id }));
  useChanges('datasets-changed', report.reload);
  const [error, setError] = useState<string | null>(null);
  const base = slug(dataset.name);

  const exportCsv = (name: string, chart: string, header: string[], rows: CsvCell[][]) => {
    const blob = new Blob([toCsv(header, rows)], { type: 'text/csv' });
    const file = `${base}-${name}.csv`;
    download(blob, file);
    void api.call('figures.record', { file, chart, format: 'csv', bytes: blob.size }).catch((e: unknown) => setError(errorMessage(e)));
  };

  const head = (
    <div className="section-head">
      <h2 id="massive-dims-title" className="section-title">
        Massive activations in the residual stream
      </h2>
      {report.data?.available && <span className="muted">{`max |value| ≥ ${report.data.thresholds.min_ratio}× the layer's median and ≥ ${report.data.thresholds.min_abs} · medians over ${report.data.samples} sampled tokens`}</span>}
    </div>
  );
  if (report.error && !report.data) return <section className="neuron-section" aria-labelledby="massive-dims-title">{head}<ErrorAlert message={`Could not look for massive activations: ${report.error.message}`} onRetry={report.reload} /></section>;
  if (!report.data) return <section className="neuron-section" aria-labelledby="massive-dims-title">{head}<Loading label="Looking for massive activations…" /></section>;
  const r = report.data;
  const dims: Dim[] = r.dims.map((d) => ({ ...d, id: d.dim }));
  const weights: Weight[] = r.dims.flatMap((d) => d.super_weights.map((w, i) => ({ ...w, id: d.dim * 1000 + i })));
  const dimColumns: readonly Column<Dim>[] = [
    { header: 'Dim', headerClass: 'num', cellClass: 'num', cell: (d) => String(d.dim) },
    { header: 'First layer', headerClass: 'num', cellClass: 'num', cell: (d) => String(d.first_layer) },
    { header: 'Massive in layers', cell: (d) => d.layers.join(', ') },
    { header: 'Max |value|', headerClass: 'num', cellClass: 'num', cell: (d) => formatStat(d.max_abs) },
    { header: 'Ratio to median', headerClass: 'num', cellClass: 'num', cell: (d) => (d.ratio === null ? '∞' : `${formatStat(d.ratio)}×`) },
    { header: 'Where (document:position token (value))', cell: where },
    { header: 'Candidates', headerClass: 'num', cellClass: 'num', cell: (d) => String(d.candidates) },
  ];
  const weightColumns: readonly Column<Weight>[] = [
    { header: 'Dim', headerClass: 'num', cellClass: 'num', cell: (w) => String(w.dim) },
    { header: 'Layer', headerClass: 'num', cellClass: 'num', cell: (w) => String(w.layer) },
    { header: 'Neuron', cell: (w) => <a href={hrefFor('neurons', dataset.id, w.layer, w.neuron)}>{w.neuron}</a> },
    { header: 'W_out[d, f]', headerClass: 'num', cellClass: 'num', cell: (w) => formatStat(w.weight) },
    { header: 'Peak |activation|', headerClass: 'num', cellClass: 'num', cell: (w) => formatStat(w.peak_abs) },
    { header: 'Contribution', headerClass: 'num', cellClass: 'num', headerTitle: '|W_out[d, f]| × the neuron’s peak |activation|', cell: (w) => formatStat(w.contribution) },
    { header: 'Share', headerClass: 'num', cellClass: 'num', headerTitle: "contribution / the dim's max |value|", cell: (w) => formatStat(w.share) },
    { header: '', cell: (w) => (w.candidate ? 'candidate' : '') },
  ];
  return (
    <section className="neuron-section" aria-labelledby="massive-dims-title" data-testid="massive-dims" data-dims={r.dims.length}>
      {head}
      {!r.available && <p className="hint" data-testid="massive-dims-unavailable">{`Not available: ${r.reason ?? ''}`}</p>}
      {r.available && r.dims.length === 0 && <p className="hint">No residual dimension reaches the thresholds in any layer.</p>}
      {error && <span className="error-text" role="alert">{error}</span>}
      {dims.length > 0 && (
        <>
          <DataTable testId="massive-dims-table" columns={dimColumns} rows={dims} rowTestId="massive-dim-row" idAttribute="data-dim" />
          <button
            type="button"
            className="button button-small"
            data-testid="massive-dims-csv"
            onClick={() =>
              exportCsv('massive-dims', 'Massive residual dims', ['dim', 'first_layer', 'layers', 'max_abs', 'ratio', 'where', 'candidates'], dims.map((d) => [d.dim, d.first_layer, d.layers.join(' '), d.max_abs, d.ratio, where(d), d.candidates]))
            }
          >
            CSV
          </button>
          <h3 className="section-title">Super-weight candidates</h3>
          <p className="hint">
            In the first layer where a dim is massive: the W_out weights into it ranked by |weight| × the neuron’s peak |activation| over the capture; a candidate can write at least{' '}
            {r.thresholds.min_share} of the dim’s max |value| by itself (Yu et al. 2024). A dim without a candidate is written by many weights, by attention or by the embeddings.
          </p>
          <DataTable testId="super-weights-table" columns={weightColumns} rows={weights} rowTestId="super-weight-row" />
          <button
            type="button"
            className="button button-small"
            data-testid="super-weights-csv"
            onClick={() =>
              exportCsv('super-weights', 'Super-weight candidates', ['dim', 'layer', 'neuron', 'weight', 'peak_abs', 'contribution', 'share', 'candidate'], weights.map((w) => [w.dim, w.layer, w.neuron, w.weight, w.peak_abs, w.contribution, w.share, String(w.candidate)]))
            }
          >
            CSV
          </button>
        </>
      )}
    </section>
  );
}
