import { useState } from 'react';
import type { AblationResult } from '../api/contract';
import { formatCount, formatStat } from '../format';

type SortKey = 'document' | 'tokens' | 'loss' | number;

/** Per document: its tokens, the intact loss and each condition's Δ loss; a header sorts by its column. */
export function PerDocumentTable({ result }: { result: AblationResult }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 0, descending: true });
  const value = (d: AblationResult['perDocument'][number], key: SortKey): number | string => (typeof key === 'number' ? (d.delta[key] ?? 0) : d[key]);
  const rows = [...result.perDocument].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    const c = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return sort.descending ? -c : c;
  });
  const header = (key: SortKey, label: string, num = true) => {
    const active = sort.key === key;
    return (
      <th key={String(key)} scope="col" className={num ? 'num' : undefined} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className="sort-button" data-testid={`doc-sort-${typeof key === 'number' ? `c${key}` : key}`} onClick={() => setSort({ key, descending: active ? !sort.descending : true })}>
          {label}
          {active ? (sort.descending ? ' ↓' : ' ↑') : ''}
        </button>
      </th>
    );
  };
  return (
    <div className="table-wrap doc-scroll">
      <table className="table" data-testid="document-table">
        <thead>
          <tr>
            {header('document', 'Document', false)}
            <th scope="col">Genre</th>
            {header('tokens', 'Tokens')}
            {header('loss', 'Intact loss')}
            {result.results.map((c, i) => header(i, `Δ ${c.label}`))}
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.document} data-testid="document-row">
              <td className="mono">{d.document}</td>
              <td>{d.genre ?? '—'}</td>
              <td className="num">{formatCount(d.tokens)}</td>
              <td className="num">{formatStat(d.loss)}</td>
              {d.delta.map((v, i) => (
                <td key={i} className={`num ${v > 0 ? 'delta-up' : v < 0 ? 'delta-down' : ''}`}>
                  {formatStat(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
