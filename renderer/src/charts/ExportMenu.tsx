import { useState, type RefObject } from 'react';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { exportChart, formatLabels, type ChartData, type ExportFormat } from './export';
import { chartThumbnail, currentRoute } from './thumbnail';

const formats: readonly ExportFormat[] = ['svg', 'png-2x', 'png-4x', 'pdf', 'csv'];

/** The export buttons of one chart: the SVG under `container`, its data as CSV. */
export function ExportMenu({ chartId, title, baseName, container, data }: { chartId: string; title: string; baseName: string; container: RefObject<HTMLElement | null>; data: ChartData }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const api = useApi();
  const run = async (format: ExportFormat) => {
    const svg = container.current?.querySelector('svg');
    if (!svg) return;
    setBusy(true);
    setError(null);
    try {
      const record = await exportChart(svg, title, baseName, format, data);
      // the Figures page shows a thumbnail (not for CSV) and links back to this view
      const thumbnail = format === 'csv' ? null : await chartThumbnail(svg);
      const source = currentRoute();
      await api.call('figures.record', { ...record, ...(thumbnail ? { thumbnail } : {}), ...(source ? { source } : {}) }).catch((e: unknown) => {
        throw new Error(`${record.file} was saved, but the Figures list could not record it: ${errorMessage(e)}`);
      });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="export-menu" role="group" aria-label={`Export “${title}”`} data-testid={`export-${chartId}`}>
      <span className="muted">Export</span>
      {formats.map((f) => (
        <button key={f} type="button" className="button button-small" disabled={busy} data-testid={`export-${chartId}-${f}`} onClick={() => void run(f)}>
          {formatLabels[f]}
        </button>
      ))}
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
