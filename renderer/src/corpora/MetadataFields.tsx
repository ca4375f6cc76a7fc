/** Metadata field names of a corpus as small tags; a dash when there are none. */
export function MetadataFields({ fields }: { fields: readonly string[] }) {
  if (fields.length === 0) return <span className="muted">—</span>;
  return (
    <span className="tag-list">
      {fields.map((field) => (
        <span key={field} className="tag">
          {field}
        </span>
      ))}
    </span>
  );
}
