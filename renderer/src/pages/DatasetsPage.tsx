import { useApi } from '../api/ApiContext';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { EmptyState } from '../components/EmptyState';
import { ListSection } from '../components/ListSection';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { CaptureForm } from '../datasets/CaptureForm';
import { DatasetManage } from '../datasets/DatasetManage';
import { DatasetTable } from '../datasets/DatasetTable';
import { MergeForm } from '../datasets/MergeForm';
import { StudyForm } from '../datasets/StudyForm';
import { hrefFor } from '../routing/route';
import { CorporaLink } from './CorporaLink';

/** #/datasets: start a capture, and the datasets captures made. */
export function DatasetsPage() {
  const api = useApi();
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  const models = useQuery('models', () => api.call('model.list', {}));
  const corpora = useQuery('corpora', () => api.call('corpus.list', {}));
  useChanges('datasets-changed', datasets.reload);
  useChanges('models-changed', models.reload);
  useChanges('corpora-changed', corpora.reload);

  const m = models.data;
  const c = corpora.data;
  return (
    <>
      <PageHeader title="Datasets">Captures: a corpus run through a model, reduced to per-neuron statistics.</PageHeader>
      {(!m || !c) && <Loading label="Loading models and corpora…" />}
      {m && c && m.length > 0 && c.length > 0 && <CaptureForm models={m} corpora={c} />}
      {m && c && (m.length === 0 || c.length === 0) && (
        <p className="notice" data-testid="capture-needs">
          A capture needs {m.length === 0 && <a href={hrefFor('models')}>an imported model</a>}
          {m.length === 0 && c.length === 0 && ' and '}
          {c.length === 0 && <a href={hrefFor('corpora')}>an imported corpus</a>}.
        </p>
      )}
      <ListSection
        one="dataset"
        many="datasets"
        list={datasets}
        empty={
          <EmptyState testId="datasets-empty" title="No captures yet" next={<CorporaLink>Prepare a corpus</CorporaLink>}>
            <p>
              A capture tokenizes a corpus, runs it through a model and stores, for every FFN neuron, how often and how
              strongly it fires (count, mean, spread, min, max, count above the firing threshold) and its top-k
              activating contexts. The Neurons page reads these statistics to find dead, rare and outlier neurons.
            </p>
          </EmptyState>
        }
      >
        {(items) => <DatasetTable datasets={items} models={models.data ?? []} corpora={corpora.data ?? []} />}
      </ListSection>
      {datasets.data && datasets.data.length >= 1 && <DatasetManage datasets={datasets.data} />}
      {datasets.data && datasets.data.length >= 2 && <MergeForm datasets={datasets.data} />}
      <StudyForm />
    </>
  );
}
