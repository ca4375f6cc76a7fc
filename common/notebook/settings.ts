// Settings of a step as readable key/value pairs: nested objects flattened with dots, long
// lists summarized by their length (a saved set's 500 neurons say "500 items", not the list).

const MAX_LIST = 8;

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/** Flattens `params` into [key, value] rows, skipping `omit` keys (at any depth, by full dotted path). */
export function flattenSettings(params: unknown, omit: readonly string[] = [], prefix = ''): Array<[string, string]> {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return prefix ? [[prefix, summarizeValue(params)]] : [];
  const rows: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (omit.includes(path) || value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const inner = flattenSettings(value, omit, path);
      rows.push(...(inner.length > 0 ? inner : []));
    } else rows.push([path, summarizeValue(value)]);
  }
  return rows;
}

function summarizeValue(value: unknown): string {
  if (!Array.isArray(value)) return show(value);
  if (value.length > MAX_LIST || value.some((v) => v !== null && typeof v === 'object')) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  return value.map(show).join(', ');
}
