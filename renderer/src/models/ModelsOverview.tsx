import { useApi } from '../api/ApiContext';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { ListSection } from '../components/ListSection';
import { PageHeader } from '../components/PageHeader';
import { CheckpointDrop } from './CheckpointDrop';
import { ModelImportForm } from './ModelImportForm';
import { ModelsEmpty } from './ModelsEmpty';
import { ModelTable } from './ModelTable';

/** The import form (or a file dropped on the page) and the table of models, kept current by models-changed events. */
export function ModelsOverview({ canPickFiles }: { canPickFiles: boolean }) {
  const api = useApi();
  const models = useQuery('models', () => api.call('model.list', {}));
  useChanges('models-changed', models.reload);

  return (
    <CheckpointDrop>
      <PageHeader title="Models">Transformer checkpoints to study: their shape, their FFN width and how many neurons they have.</PageHeader>
      <ModelImportForm canPickFiles={canPickFiles} />
      <ListSection one="model" many="models" list={models} empty={<ModelsEmpty />}>
        {(items) => <ModelTable models={items} />}
      </ListSection>
    </CheckpointDrop>
  );
}
