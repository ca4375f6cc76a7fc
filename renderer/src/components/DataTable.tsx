import type { ReactNode } from 'react';
import { navigate } from '../routing/useHashRoute';

export interface Column<T> {
  header: string;
  /** the header cell's class and tooltip */
  headerClass?: string;
  headerTitle?: string;
  /** each cell's class and tooltip */
  cellClass?: string;
  cellTitle?: (row: T) => string;
  cell: (row: T) => ReactNode;
}

interface Props<T extends { id: number }> {
  testId: string;
  /** classes after "table" */
  className?: string;
  busy?: boolean;
  columns: readonly Column<T>[];
  rows: readonly T[];
  /** every row's testid */
  rowTestId: string;
  /** rows that open a page: a click anywhere on the row goes to `rowHref(row)`; put a RowTitle link in a cell for the keyboard */
  rowHref?: (row: T) => string;
  /** an attribute holding the row's id, e.g. "data-corpus-id" */
  idAttribute?: `data-${string}`;
}

/** A table with a header row and a row per item, described column by column. */
export function DataTable<T extends { id: number }>({ testId, className, busy, columns, rows, rowTestId, rowHref, idAttribute }: Props<T>) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : 'table'} data-testid={testId} aria-busy={busy}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.headerClass} title={column.headerTitle}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              className={rowHref && 'row-link'}
              data-testid={rowTestId}
              {...(idAttribute ? { [idAttribute]: row.id } : {})}
              onClick={rowHref && (() => navigate(rowHref(row)))}
            >
              {columns.map((column) => (
                <td key={column.header} className={column.cellClass} title={column.cellTitle?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A row's first cell in a table of rows that open a page: the name as a link, and a line under it. */
export function RowTitle({ href, title, sub }: { href: string; title: string; sub: string }) {
  return (
    <>
      <a href={href} className="row-title" onClick={(event) => event.stopPropagation()}>
        {title}
      </a>
      <div className="row-sub mono" title={sub}>
        {sub}
      </div>
    </>
  );
}
