import { formatValue } from '../format';

/** A document's metadata as "key value" pairs; long values are cut, the full text in a tooltip. */
export function DocumentMetadata({ metadata }: { metadata: Record<string, unknown> }) {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="kv-inline">
      {entries.map(([key, value]) => (
        <div key={key} className="kv-pair">
          <dt>{key}</dt>
          <dd title={formatValue(value, 2000)}>{formatValue(value, 40)}</dd>
        </div>
      ))}
    </dl>
  );
}
