import { useState } from 'react';
import type { AblationResult } from '../api/contract';
import { formatCount, formatStat } from '../format';
import { changeClass, isNoise, noiseFloor } from './noise';

type SortKey = 'document' | 'tokens' | 'loss' | number;

/** Per document: its tokens, the intact loss and each condition's Δ loss; a header sorts by its column. */
export function PerDocumentTable({ result }: { result: AblationResult }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 0, descending: true });
  // changes within float32 noise of losses this size are labelled, not coloured
  const floor = noiseFloor(Math.max(0, ...result.perDocument.map((d) => d.loss)));
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
                <td key={i} className={`num ${changeClass(v, floor)}`} title={isNoise(v, floor) ? `noise: within ±${formatStat(floor)} nats (float32 rounding of losses this size)` : undefined}>
                  {formatStat(v)}
                  {isNoise(v, floor) && v !== 0 && <span className="noise-label"> noise</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
