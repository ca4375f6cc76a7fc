import type { Corpus } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { useRecord } from '../api/useRecord';
import { ConfirmDeleteButton } from '../components/ConfirmDeleteButton';
import { RecordDetail, type Heading } from '../components/RecordDetail';
import { formatBytes, formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { DocumentList } from './DocumentList';
import { MetadataFields } from './MetadataFields';

/** One corpus: its facts, its documents page by page, and delete. */
export function CorpusDetail({ id }: { id: number }) {
  const api = useApi();
  const record = useRecord(id, () => api.call('corpus.get', { id }), 'corpora-changed');
  const header = (corpus: Corpus): Heading => ({
    lede: corpus.source,
    actions: (
      <ConfirmDeleteButton
        testIdPrefix="corpus"
        label="Delete corpus…"
        question={
          <>
            Delete “{corpus.name}” and its {formatCount(corpus.documents)} documents? This cannot be undone.
          </>
        }
        remove={() => api.call('corpus.delete', { id: corpus.id })}
        onDeleted={() => navigate(hrefFor('corpora'))}
      />
    ),
  });

  return (
    <RecordDetail kind="corpus" section="corpora" record={record} header={header} notFound="This corpus does not exist (any more). It may have been deleted.">
      {(corpus) => (
        <>
          <dl className="facts">
            <div>
              <dt>Documents</dt>
              <dd data-testid="corpus-documents">{formatCount(corpus.documents)}</dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd title={`${formatCount(corpus.bytes)} bytes`}>{formatBytes(corpus.bytes)}</dd>
            </div>
            <div>
              <dt>Metadata</dt>
              <dd>
                <MetadataFields fields={corpus.metadataFields} />
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDateTime(corpus.createdAt)}</dd>
            </div>
            <div className="facts-wide">
              <dt>Checksum (SHA-256)</dt>
              <dd className="mono checksum" title={corpus.checksum}>
                {corpus.checksum}
              </dd>
            </div>
          </dl>
          <DocumentList corpusId={corpus.id} version={record.version} />
        </>
      )}
    </RecordDetail>
  );
}
