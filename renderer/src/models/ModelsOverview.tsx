import { useApi } from '../api/ApiContext';
import { useOnReconnect } from '../api/useConnection';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { useModelsChanged } from './useModelsChanged';
import { ModelImportForm } from './ModelImportForm';
import { ModelsEmpty } from './ModelsEmpty';
import { ModelTable } from './ModelTable';

/** The import form and the table of models, kept current by models-changed events. */
export function ModelsOverview({ canPickFiles }: { canPickFiles: boolean }) {
  const api = useApi();
  const { data: models, error, loading, reload } = useQuery('models', () => api.call('model.list', {}));
  useModelsChanged(reload);
  useOnReconnect(reload);

  return (
    <>
      <PageHeader title="Models">Transformer checkpoints to study: their shape, their FFN width and how many neurons they have.</PageHeader>
      <ModelImportForm canPickFiles={canPickFiles} />
      <section className="model-list" aria-labelledby="models-title">
        <div className="section-head">
          <h2 id="models-title" className="section-title">
            Imported models
          </h2>
          {models && <span className="muted">{models.length === 1 ? '1 model' : `${models.length} models`}</span>}
        </div>
        {error && <ErrorAlert message={`Could not load models: ${error.message}`} onRetry={reload} testId="model-list-error" />}
        {!models && loading && <Loading label="Loading models…" />}
        {models && models.length === 0 && <ModelsEmpty />}
        {models && models.length > 0 && <ModelTable models={models} />}
      </section>
    </>
  );
}
