import type { Corpus } from '../api/contract';
import { DataTable, RowTitle, type Column } from '../components/DataTable';
import { formatBytes, formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';
import { MetadataFields } from './MetadataFields';

const href = (corpus: Corpus) => hrefFor('corpora', corpus.id);

const columns: readonly Column<Corpus>[] = [
  { header: 'Name', cell: (corpus) => <RowTitle href={href(corpus)} title={corpus.name} sub={corpus.source} /> },
  { header: 'Documents', headerClass: 'num', cellClass: 'num', cell: (corpus) => formatCount(corpus.documents) },
  { header: 'Size', headerClass: 'num', cellClass: 'num', cellTitle: (corpus) => `${formatCount(corpus.bytes)} bytes`, cell: (corpus) => formatBytes(corpus.bytes) },
  { header: 'Metadata', cell: (corpus) => <MetadataFields fields={corpus.metadataFields} /> },
  { header: 'Created', cellClass: 'nowrap', cell: (corpus) => formatDateTime(corpus.createdAt) },
];

/** The imported corpora; a row (or its name, for the keyboard) opens the corpus. */
export function CorpusTable({ corpora }: { corpora: readonly Corpus[] }) {
  return <DataTable testId="corpus-table" columns={columns} rows={corpora} rowTestId="corpus-row" idAttribute="data-corpus-id" rowHref={href} />;
}
