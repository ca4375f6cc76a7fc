import { layerTable, modelTable, tableCsv, tableLatex, type Table } from '../../../common/compare-table';
import { useApi } from '../api/ApiContext';
import type { CompareResult } from '../api/contract';
import { download } from '../charts/export';
import { formatCount, formatStat } from '../format';

type Interval = { value: number; low: number | null; high: number | null };
const interval = (i: Interval | null | undefined, digits = 4) =>
  i ? `${i.value.toFixed(digits)}${i.low !== null && i.high !== null ? ` [${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]` : ''}` : '–';
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

/** CSV and LaTeX buttons for one table; a CSV is recorded on the Figures page like every export. */
function TableExport({ name, table, testId }: { name: string; table: Table; testId: string }) {
  const api = useApi();
  const save = (text: string, file: string, type: string, format: 'csv' | null) => {
    const blob = new Blob([text], { type });
    download(blob, file);
    if (format) void api.call('figures.record', { file, chart: `Compare: ${name}`, format, bytes: blob.size }).catch(() => undefined);
  };
  return (
    <div className="export-menu" role="group" aria-label={`Export the ${name} table`} data-testid={testId}>
      <span className="muted">Export</span>
      <button type="button" className="button button-small" data-testid={`${testId}-csv`} onClick={() => save(tableCsv(table), `compare-${name}.csv`, 'text/csv', 'csv')}>
        CSV
      </button>
      <button type="button" className="button button-small" data-testid={`${testId}-latex`} onClick={() => save(tableLatex(table), `compare-${name}.tex`, 'application/x-tex', null)}>
        LaTeX tabular
      </button>
    </div>
  );
}

/** One row per model: shape, parameters, FLOPs per token, held-out loss and perplexity, speed. */
export function ModelTable({ result }: { result: CompareResult }) {
  return (
    <section>
      <h2 className="section-title">Models</h2>
      <div className="table-wrap">
        <table className="table" data-testid="compare-models">
          <caption className="table-caption">Held-out loss in nats/token with its 95% bootstrap interval over documents; FLOPs: forward, per token.</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">Layers</th>
              <th scope="col" className="num">d_model</th>
              <th scope="col" className="num">FFN width</th>
              <th scope="col" className="num">Parameters</th>
              <th scope="col" className="num">FFN share</th>
              <th scope="col" className="num">FLOPs/token</th>
              <th scope="col" className="num">Held-out loss</th>
              <th scope="col" className="num">Perplexity</th>
              <th scope="col" className="num">Tokens/s</th>
            </tr>
          </thead>
          <tbody>
            {result.models.map((m) => (
              <tr key={m.dataset.id} data-testid="compare-model-row" data-model={m.model.name}>
                <th scope="row">{m.model.name}</th>
                <td className="num">{m.model.layers}</td>
                <td className="num">{m.model.d_model}</td>
                <td className="num">{formatCount(m.model.ffn_width)}</td>
                <td className="num">{formatCount(m.params.total)}</td>
                <td className="num">{pct(m.params.ffn_share)}</td>
                <td className="num">{m.flops_per_token.total.toExponential(2)}</td>
                <td className="num" data-testid="compare-heldout">{interval(m.heldout?.loss)}</td>
                <td className="num">{interval(m.heldout?.ppl, 1)}</td>
                <td className="num">{m.tokens_per_s === null ? '–' : formatCount(Math.round(m.tokens_per_s))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <TableExport name="models" table={modelTable(result)} testId="compare-models-export" />
    </section>
  );
}

/** One row per model and layer, in the order of relative depth within each model. */
export function LayerTable({ result }: { result: CompareResult }) {
  return (
    <section>
      <h2 className="section-title">Layers</h2>
      <div className="table-wrap">
        <table className="table" data-testid="compare-layers">
          <caption className="table-caption">Fractions are of the layer’s neurons; Δ loss with its 95% bootstrap interval over documents.</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">Layer</th>
              <th scope="col" className="num">Depth</th>
              <th scope="col" className="num">Fire rate (median)</th>
              <th scope="col" className="num">Active per token</th>
              <th scope="col" className="num">Dead</th>
              <th scope="col" className="num">Rare</th>
              <th scope="col" className="num">Massive dims</th>
              <th scope="col" className="num">TwoNN</th>
              <th scope="col" className="num">PCA-90</th>
              <th scope="col" className="num">Δ loss, whole FFN</th>
              <th scope="col" className="num">Δ loss, random</th>
            </tr>
          </thead>
          <tbody>
            {result.models.flatMap((m) =>
              m.layers.map((l) => (
                <tr key={`${m.dataset.id}:${l.layer}`} data-testid="compare-layer-row" data-model={m.model.name} data-layer={l.layer}>
                  <th scope="row">{m.model.name}</th>
                  <td className="num">{l.layer}</td>
                  <td className="num">{l.rel_depth.toFixed(2)}</td>
                  <td className="num">{formatStat(l.fire_rate?.q50 ?? null)}</td>
                  <td className="num">{pct(l.active_fraction?.mean)}</td>
                  <td className="num">{pct(l.verdicts.dead)}</td>
                  <td className="num">{pct(l.verdicts.rare)}</td>
                  <td className="num">{l.massive_dims ?? '–'}</td>
                  <td className="num">{formatStat(l.twonn)}</td>
                  <td className="num">{l.pca90 ?? '–'}</td>
                  <td className="num" data-testid="compare-sensitivity">{interval(l.sensitivity?.whole)}</td>
                  <td className="num">{l.sensitivity ? `${interval(l.sensitivity.random)} (${l.sensitivity.random.neurons})` : '–'}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <TableExport name="layers" table={layerTable(result)} testId="compare-layers-export" />
    </section>
  );
}
