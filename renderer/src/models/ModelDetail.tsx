import { useApi } from '../api/ApiContext';
import { useRecord } from '../api/useRecord';
import { ConfirmDeleteButton } from '../components/ConfirmDeleteButton';
import { RecordDetail, type Heading } from '../components/RecordDetail';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { CheckpointMetadata } from './CheckpointMetadata';
import { ModelDeleteQuestion } from './ModelDeleteQuestion';
import { ModelFacts } from './ModelFacts';
import { noModelMessage } from './ModelNotFound';
import type { Model } from './types';
import { WeightScan } from './WeightScan';

/** One model: all it is, and delete (which leaves its files on disk). */
export function ModelDetail({ id }: { id: number }) {
  const api = useApi();
  const record = useRecord(id, () => api.call('model.get', { id }), 'models-changed');
  const header = (model: Model): Heading => ({
    lede: model.architecture,
    ledeTitle: model.path,
    actions: (
      <ConfirmDeleteButton
        testIdPrefix="model"
        label="Delete model…"
        question={<ModelDeleteQuestion model={model} />}
        remove={() => api.call('model.delete', { id: model.id })}
        onDeleted={() => navigate(hrefFor('models'))}
      />
    ),
  });

  return (
    <RecordDetail kind="model" section="models" record={record} header={header} notFound={noModelMessage(`#${id}`)}>
      {(model) => (
        <>
          <ModelFacts model={model} />
          <CheckpointMetadata modelId={model.id} />
          <WeightScan modelId={model.id} />
        </>
      )}
    </RecordDetail>
  );
}
