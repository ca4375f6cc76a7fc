import { useState } from 'react';
import { currentThresholds, fieldId, withThreshold, type Detect } from './thresholds';

/** Every detector threshold with its current value; a change re-judges the capture's neurons. */
export function DetectorThresholds({ detect, onChange }: { detect: Detect; onChange: (detect: Detect) => void }) {
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const rows = currentThresholds(detect);
  const changed = rows.filter((r) => r.changed).length;
  const apply = (id: string, row: (typeof rows)[number]) => {
    const text = drafts[id];
    if (text === undefined) return;
    const r = withThreshold(detect, row.field, text);
    if ('error' in r) {
      setError(r.error);
      return;
    }
    setError(null);
    setDrafts(({ [id]: _done, ...others }) => others);
    onChange(r.detect);
  };
  return (
    <details className="detector-thresholds" data-testid="detector-thresholds">
      <summary>{`Detector thresholds${changed > 0 ? ` (${changed} changed)` : ' (defaults)'}`}</summary>
      <div className="threshold-grid">
        {rows.map((row) => {
          const id = fieldId(row.field);
          const shown = drafts[id] ?? (row.value === null ? '' : String(row.value));
          return (
            <label key={id} className="threshold-field" title={`${row.field.help} (CLI: ${row.field.flag})`}>
              <span>
                {row.field.label}
                {row.changed && <span className="muted"> (default {row.field.value ?? 'auto'})</span>}
              </span>
              <input
                className="input num"
                data-testid={`threshold-${id}`}
                inputMode="decimal"
                value={shown}
                placeholder={row.value === null ? 'auto' : undefined}
                onChange={(e) => setDrafts((d) => ({ ...d, [id]: e.target.value }))}
                onBlur={() => apply(id, row)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') apply(id, row);
                }}
              />
            </label>
          );
        })}
      </div>
      {error && (
        <p className="error-text" role="alert" data-testid="threshold-error">
          {error}
        </p>
      )}
      {changed > 0 && (
        <button type="button" className="button button-small" data-testid="thresholds-reset" onClick={() => onChange({})}>
          Back to the defaults
        </button>
      )}
    </details>
  );
}
