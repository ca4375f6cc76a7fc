import { formatLabels, useExports } from '../charts/export';
import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { formatCount } from '../format';
import { hrefFor } from '../routing/route';

const size = (bytes: number) => (bytes < 1024 ? `${formatCount(bytes)} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

/** The figures exported in this session (kept in memory: the list starts empty after a reload). */
export function FiguresPage() {
  const exports = useExports();
  return (
    <>
      <PageHeader title="Figures">Charts exported in this session as SVG, PNG, PDF or CSV.</PageHeader>
      {exports.length === 0 ? (
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
      ) : (
        <>
          <p className="hint">This list is kept for this session only; the files are where your browser saved them.</p>
          <div className="table-wrap">
            <table className="table" data-testid="figures-list">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Chart</th>
                  <th scope="col">Format</th>
                  <th scope="col" className="num">Size</th>
                  <th scope="col">Time</th>
                </tr>
              </thead>
              <tbody>
                {exports.map((e, i) => (
                  <tr key={`${e.time.getTime()}:${i}`} data-testid="figure-row" data-format={e.format}>
                    <td className="mono">{e.file}</td>
                    <td>{e.chart}</td>
                    <td>{formatLabels[e.format]}</td>
                    <td className="num">{size(e.bytes)}</td>
                    <td>{e.time.toLocaleTimeString()}</td>
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
