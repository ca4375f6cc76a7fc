import { useState } from 'react';
import type { DocumentSummary } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { useQuery } from '../api/useQuery';
import { formatBytes, formatCount } from '../format';
import { DocumentMetadata } from './DocumentMetadata';

const pageSize = 50;

const columns: readonly Column<DocumentSummary>[] = [
  { header: '#', headerClass: 'num', cellClass: 'num muted', cell: (doc) => formatCount(doc.ordinal + 1) },
  { header: 'Name', cellClass: 'mono nowrap', cell: (doc) => doc.name },
  { header: 'Size', headerClass: 'num', cellClass: 'num nowrap', cell: (doc) => formatBytes(doc.bytes) },
  { header: 'Metadata', cell: (doc) => <DocumentMetadata metadata={doc.metadata} /> },
  {
    header: 'Preview',
    cellClass: 'preview',
    cell: (doc) => (
      <div className="preview-text" title={doc.preview}>
        {doc.preview}
      </div>
    ),
  },
];

/** The documents of a corpus, a page at a time. `version` changes when the corpus may have changed. */
export function DocumentList({ corpusId, version }: { corpusId: number; version: number }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const { data, error, loading, reload } = useQuery(`${corpusId}:${offset}:${version}`, () =>
    api.call('corpus.documents', { id: corpusId, offset, limit: pageSize }),
  );

  const total = data?.total ?? 0;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + (data?.documents.length ?? 0), total);

  return (
    <section className="documents" aria-labelledby="documents-title">
      <div className="section-head">
        <h2 id="documents-title" className="section-title">
          Documents
        </h2>
        <div className="pager" data-testid="documents-pager">
          <span className="pager-range" aria-live="polite" data-testid="documents-range">
            {data ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}` : ''}
          </span>
          <button type="button" className="button button-small" data-testid="documents-prev" disabled={offset === 0 || loading} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
            ‹ Previous
          </button>
          <button
            type="button"
            className="button button-small"
            data-testid="documents-next"
            disabled={!data || offset + pageSize >= total || loading}
            onClick={() => setOffset(offset + pageSize)}
          >
            Next ›
          </button>
        </div>
      </div>
      {error && <ErrorAlert message={`Could not load documents: ${error.message}`} onRetry={reload} />}
      {!data && loading && <Loading label="Loading documents…" />}
      {data && data.documents.length === 0 && <p className="muted">This corpus has no documents.</p>}
      {data && data.documents.length > 0 && (
        <DataTable testId="document-table" className={loading ? 'table-documents is-stale' : 'table-documents'} busy={loading} columns={columns} rows={data.documents} rowTestId="document-row" />
      )}
    </section>
  );
}
