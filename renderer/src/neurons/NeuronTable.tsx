import { flushSync } from 'react-dom';
import { useState, type ReactNode } from 'react';
import type { NeuronRow, Params } from '../api/contract';
import { formatCount } from '../format';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { formatStat } from '../format';
import { formatPercent } from './evidence';
import { VerdictBadges } from './VerdictBadges';
import { visibleRange } from './window';

const ROW_HEIGHT = 32;
const VIEWPORT = 560;

type SortField = NonNullable<Params<'neurons.list'>['sort']>;

/** The table's sort: a column's field, or the natural order (layer, neuron). */
export interface TableSort {
  field: SortField | 'index';
  descending: boolean;
  /** a header was clicked: sort by its field (a second click on the same one flips the direction) */
  onSort: (field: SortField | 'index') => void;
}

const allColumns: { header: string; num?: boolean; moe?: boolean; title?: string; sort?: SortField | 'index'; cell: (n: NeuronRow) => ReactNode }[] = [
  { header: 'Layer', num: true, sort: 'index', cell: (n) => String(n.layer) },
  { header: 'Neuron', num: true, sort: 'index', cell: (n) => String(n.neuron) },
  { header: 'Expert', num: true, moe: true, title: "the neuron's expert (a routed expert's index, or shared)", cell: (n) => (n.expert === undefined ? '—' : String(n.expert)) },
  { header: 'Unit', num: true, moe: true, title: 'the unit within its expert', cell: (n) => (n.unit === undefined ? '—' : String(n.unit)) },
  { header: 'Tokens', num: true, sort: 'tokens', cell: (n) => formatCount(n.tokens) },
  { header: 'Fire rate', num: true, sort: 'fire_rate', title: 'share of tokens with an activation above the firing threshold', cell: (n) => (n.fire_rate === null ? '—' : formatPercent(n.fire_rate)) },
  { header: 'Mean', num: true, sort: 'mean', cell: (n) => formatStat(n.mean) },
  { header: 'Max', num: true, sort: 'max', cell: (n) => formatStat(n.max) },
  { header: 'Peak ratio', num: true, sort: 'peak_ratio', title: "peak |activation| over the layer's median peak", cell: (n) => formatStat(n.peak_ratio) },
  { header: 'Kurtosis', num: true, sort: 'kurtosis', title: 'excess kurtosis of the activations', cell: (n) => formatStat(n.kurtosis) },
  { header: 'Verdicts', cell: (n) => <VerdictBadges verdicts={n.verdicts} /> },
];

/**
 * Neurons in a scrolling table that renders only the rows in view (fixed row height), so that
 * thousands of rows scroll smoothly. A click on a row opens the neuron.
 */
export function NeuronTable({ datasetId, neurons, busy, selected, onToggle, moe = false, sort }: { datasetId: number; neurons: readonly NeuronRow[]; busy: boolean; selected?: ReadonlySet<string>; onToggle?: (n: NeuronRow) => void; moe?: boolean; sort?: TableSort }) {
  // mixture of experts: the Expert and Unit columns
  const columns = moe ? allColumns : allColumns.filter((c) => !c.moe);
  const selectable = selected !== undefined && onToggle !== undefined;
  const span = columns.length + (selectable ? 1 : 0);
  const [scrollTop, setScrollTop] = useState(0);
  const { start, end } = visibleRange(scrollTop, VIEWPORT, ROW_HEIGHT, neurons.length);
  const open = (n: NeuronRow) => navigate(hrefFor('neurons', datasetId, n.layer, n.neuron));
  return (
    <div className="table-wrap neuron-scroll" style={{ maxHeight: VIEWPORT + ROW_HEIGHT }} onScroll={(e) => {
        // rows are rendered in the scroll event's frame: a deferred update paints one blank frame per jump (bench --neuron-table)
        const top = e.currentTarget.scrollTop;
        flushSync(() => setScrollTop(top));
      }} data-testid="neuron-scroll">
      <table className="table neuron-table" data-testid="neuron-table" aria-busy={busy} aria-rowcount={neurons.length + 1}>
        <thead>
          <tr>
            {selectable && (
              <th scope="col" className="select-cell">
                <span className="visually-hidden">Select</span>
              </th>
            )}
            {columns.map((c) => {
              const active = sort !== undefined && c.sort !== undefined && sort.field === c.sort;
              const ariaSort = active ? (c.sort === 'index' ? 'ascending' : sort.descending ? 'descending' : 'ascending') : undefined;
              return (
                <th key={c.header} scope="col" className={c.num ? 'num' : undefined} title={c.title} aria-sort={ariaSort} data-testid={`neuron-th-${c.header.toLowerCase().replace(/\s+/g, '-')}`}>
                  {sort && c.sort ? (
                    <button type="button" className="th-sort" onClick={() => sort.onSort(c.sort!)}>
                      {c.header}
                      {active && (c.sort === 'index' ? '' : sort.descending ? ' ↓' : ' ↑')}
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {start > 0 && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={span} style={{ height: start * ROW_HEIGHT }} />
            </tr>
          )}
          {neurons.slice(start, end).map((n, i) => (
            <tr
              key={`${n.layer}:${n.neuron}`}
              className="row-link"
              style={{ height: ROW_HEIGHT }}
              data-testid="neuron-row"
              data-layer={n.layer}
              data-neuron={n.neuron}
              data-expert={n.expert}
              data-unit={n.unit}
              aria-rowindex={start + i + 2}
              tabIndex={0}
              onClick={() => open(n)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') open(n);
              }}
            >
              {selectable && (
                <td className="select-cell" onClick={(e) => e.stopPropagation()}>
                  <input type="checkbox" aria-label={`Select layer ${n.layer}, neuron ${n.neuron}`} data-testid="neuron-select" checked={selected.has(`${n.layer}:${n.neuron}`)} onChange={() => onToggle(n)} onKeyDown={(e) => e.stopPropagation()} />
                </td>
              )}
              {columns.map((c) => (
                <td key={c.header} className={c.num ? 'num' : undefined}>
                  {c.cell(n)}
                </td>
              ))}
            </tr>
          ))}
          {end < neurons.length && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={span} style={{ height: (neurons.length - end) * ROW_HEIGHT }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
