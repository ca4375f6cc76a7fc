import type { AppInfo } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { EmptyState } from '../components/EmptyState';
import { ListSection } from '../components/ListSection';
import { PageHeader } from '../components/PageHeader';
import { CorpusImportForm } from './CorpusImportForm';
import { CorpusTable } from './CorpusTable';

/** The import form and the table of corpora, kept current by corpora-changed events. */
export function CorporaOverview({ info }: { info: AppInfo | undefined }) {
  const api = useApi();
  const corpora = useQuery('corpora', () => api.call('corpus.list', {}));
  useChanges('corpora-changed', corpora.reload);

  return (
    <>
      <PageHeader title="Corpora">Text collections to run through models: plain text, folders of text files, JSON lines, or the Brown corpus.</PageHeader>
      <CorpusImportForm canPickFiles={info?.canPickFiles ?? false} />
      <ListSection
        one="corpus"
        many="corpora"
        list={corpora}
        empty={
          <EmptyState testId="corpora-empty" title="No corpora yet">
            <p>Import one above: a path to your own texts, or the Brown corpus to get started. The import runs as a job; watch it in the Jobs drawer (status bar, j).</p>
          </EmptyState>
        }
      >
        {(items) => <CorpusTable corpora={items} />}
      </ListSection>
    </>
  );
}
