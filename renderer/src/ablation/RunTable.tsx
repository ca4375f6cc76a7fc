import type { MouseEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { AblationSummary, Model } from '../api/contract';
import { ConfirmDeleteButton } from '../components/ConfirmDeleteButton';
import { DataTable, RowTitle, type Column } from '../components/DataTable';
import { formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';

const href = (run: AblationSummary) => hrefFor('ablation', run.id);
/** controls inside a row that opens a page must not open it */
const stop = (event: MouseEvent) => event.stopPropagation();

/** The stored runs; a row opens its result; two ticked rows can be compared side by side. */
export function RunTable({ runs, models, selected, onToggle, onDeleted }: { runs: readonly AblationSummary[]; models: readonly Model[]; selected: readonly number[]; onToggle: (id: number) => void; onDeleted: () => void }) {
  const api = useApi();
  const modelName = (id: number) => models.find((m) => m.id === id)?.name ?? `model #${id} (deleted)`;
  const columns: readonly Column<AblationSummary>[] = [
    {
      header: 'Compare',
      cell: (r) => (
        <input type="checkbox" aria-label={`Compare “${r.name}”`} data-testid="run-select" checked={selected.includes(r.id)} onClick={stop} onChange={() => onToggle(r.id)} />
      ),
    },
    { header: 'Name', cell: (r) => <RowTitle href={href(r)} title={r.name} sub={`run #${r.id} · ${modelName(r.modelId)}`} /> },
    { header: 'Kind', cell: (r) => (r.kind === 'sweep' ? 'Sweep' : 'Set vs intact') },
    { header: 'Method', cell: (r) => r.method },
    { header: 'Conditions', headerClass: 'num', cellClass: 'num', cell: (r) => String(r.conditions) },
    { header: 'Tokens', headerClass: 'num', cellClass: 'num', cell: (r) => formatCount(r.tokens) },
    { header: 'Created', cellClass: 'nowrap', cell: (r) => formatDateTime(r.createdAt) },
    {
      header: '',
      cell: (r) => (
        <span onClick={stop}>
          <ConfirmDeleteButton testIdPrefix="run" label="Delete…" question={`Delete “${r.name}”?`} remove={() => api.call('ablation.delete', { id: r.id })} onDeleted={onDeleted} />
        </span>
      ),
    },
  ];
  return <DataTable testId="run-table" columns={columns} rows={runs} rowTestId="run-row" idAttribute="data-run-id" rowHref={href} />;
}
