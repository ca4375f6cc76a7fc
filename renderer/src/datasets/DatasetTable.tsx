import type { Corpus, Dataset, Model } from '../api/contract';
import { DataTable, RowTitle, type Column } from '../components/DataTable';
import { formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';

const href = (dataset: Dataset) => hrefFor('neurons', dataset.id);

/** The datasets; a row (or its name) opens its neurons. */
export function DatasetTable({ datasets, models, corpora }: { datasets: readonly Dataset[]; models: readonly Model[]; corpora: readonly Corpus[] }) {
  const modelName = (id: number) => models.find((m) => m.id === id)?.name ?? `model #${id} (deleted)`;
  const corpusName = (id: number) => corpora.find((c) => c.id === id)?.name ?? `corpus #${id} (deleted)`;
  const columns: readonly Column<Dataset>[] = [
    { header: 'Name', cell: (d) => <RowTitle href={href(d)} title={d.name} sub={`dataset #${d.id}${d.warnings.length > 0 ? ` · ⚠ ${d.warnings.length === 1 ? 'one warning' : `${d.warnings.length} warnings`}` : ''}`} /> },
    { header: 'Model', cell: (d) => modelName(d.modelId) },
    { header: 'Corpus', cell: (d) => corpusName(d.corpusId) },
    { header: 'Tokens', headerClass: 'num', cellClass: 'num', cell: (d) => formatCount(d.tokens) },
    { header: 'Created', cellClass: 'nowrap', cell: (d) => formatDateTime(d.createdAt) },
  ];
  return <DataTable testId="dataset-table" columns={columns} rows={datasets} rowTestId="dataset-row" idAttribute="data-dataset-id" rowHref={href} />;
}
