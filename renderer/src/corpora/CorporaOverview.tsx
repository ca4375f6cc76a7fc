import type { AppInfo } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { useApiEvent } from '../api/useApiEvent';
import { useOnReconnect } from '../api/useConnection';
import { useQuery } from '../api/useQuery';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { CorpusImportForm } from './CorpusImportForm';
import { CorpusTable } from './CorpusTable';

/** The import form and the table of corpora, kept current by corpora-changed events. */
export function CorporaOverview({ info }: { info: AppInfo | undefined }) {
  const api = useApi();
  const { data: corpora, error, loading, reload } = useQuery('corpora', () => api.call('corpus.list', {}));
  useApiEvent((event) => {
    if (event.type === 'corpora-changed') reload();
  });
  useOnReconnect(reload);

  return (
    <>
      <PageHeader title="Corpora">Text collections to run through models: plain text, folders of text files, JSON lines, or the Brown corpus.</PageHeader>
      <CorpusImportForm canPickFiles={info?.canPickFiles ?? false} />
      <section className="corpus-list" aria-labelledby="corpora-title">
        <div className="section-head">
          <h2 id="corpora-title" className="section-title">
            Imported corpora
          </h2>
          {corpora && <span className="muted">{corpora.length === 1 ? '1 corpus' : `${corpora.length} corpora`}</span>}
        </div>
        {error && <ErrorAlert message={`Could not load corpora: ${error.message}`} onRetry={reload} testId="corpus-list-error" />}
        {!corpora && loading && <Loading label="Loading corpora…" />}
        {corpora && corpora.length === 0 && (
          <EmptyState testId="corpora-empty" title="No corpora yet">
            <p>Import one above: a path to your own texts, or the Brown corpus to get started. The import runs as a job; watch it in the Jobs panel.</p>
          </EmptyState>
        )}
        {corpora && corpora.length > 0 && <CorpusTable corpora={corpora} />}
      </section>
    </>
  );
}
