import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import { useApiEvent } from '../api/useApiEvent';
import { useOnReconnect } from '../api/useConnection';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatBytes, formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { DeleteCorpusButton } from './DeleteCorpusButton';
import { DocumentList } from './DocumentList';
import { MetadataFields } from './MetadataFields';

/** One corpus: its facts, its documents page by page, and delete. */
export function CorpusDetail({ id }: { id: number }) {
  const api = useApi();
  const [version, setVersion] = useState(0);
  const { data: corpus, error, loading, reload } = useQuery(`${id}:${version}`, () => api.call('corpus.get', { id }));
  const refresh = () => setVersion((v) => v + 1);
  useApiEvent((event) => {
    if (event.type === 'corpora-changed') refresh();
  });
  useOnReconnect(refresh);

  const back = (
    <a className="back-link" href={hrefFor('corpora')} data-testid="corpus-back">
      ‹ All corpora
    </a>
  );

  if (error?.code === 'not-found') {
    return (
      <div className="corpus-detail" data-testid="corpus-detail">
        {back}
        <ErrorAlert message="This corpus does not exist (any more). It may have been deleted." testId="corpus-not-found" />
      </div>
    );
  }
  if (!corpus) {
    return (
      <div className="corpus-detail" data-testid="corpus-detail">
        {back}
        {error ? <ErrorAlert message={`Could not load the corpus: ${error.message}`} onRetry={reload} /> : loading && <Loading label="Loading corpus…" />}
      </div>
    );
  }
  return (
    <div className="corpus-detail" data-testid="corpus-detail" data-corpus-id={corpus.id}>
      {back}
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="corpus-title">
            {corpus.name}
          </h1>
          <p className="page-lede mono" title={corpus.source}>
            {corpus.source}
          </p>
        </div>
        <div className="page-actions">
          <DeleteCorpusButton corpus={corpus} onDeleted={() => navigate(hrefFor('corpora'))} />
        </div>
      </div>
      {error && <ErrorAlert message={`Could not refresh the corpus: ${error.message}`} onRetry={reload} />}
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
      <DocumentList corpusId={corpus.id} version={version} />
    </div>
  );
}
