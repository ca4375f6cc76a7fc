import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import { useOnReconnect } from '../api/useConnection';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { DeleteModelButton } from './DeleteModelButton';
import { ModelFacts } from './ModelFacts';
import { ModelNotFound } from './ModelNotFound';
import { useModelsChanged } from './useModelsChanged';

/** One model: all it is, and delete. */
export function ModelDetail({ id }: { id: number }) {
  const api = useApi();
  const [version, setVersion] = useState(0);
  const { data: model, error, loading, reload } = useQuery(`${id}:${version}`, () => api.call('model.get', { id }));
  const refresh = () => setVersion((v) => v + 1);
  useModelsChanged(refresh);
  useOnReconnect(refresh);

  const back = (
    <a className="back-link" href={hrefFor('models')} data-testid="model-back">
      ‹ All models
    </a>
  );

  if (error?.code === 'not-found') {
    return <ModelNotFound what={`#${id}`} />;
  }
  if (!model) {
    return (
      <div className="model-detail" data-testid="model-detail">
        {back}
        {error ? <ErrorAlert message={`Could not load the model: ${error.message}`} onRetry={reload} /> : loading && <Loading label="Loading model…" />}
      </div>
    );
  }
  return (
    <div className="model-detail" data-testid="model-detail" data-model-id={model.id}>
      {back}
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="model-title">
            {model.name}
          </h1>
          <p className="page-lede mono" title={model.path}>
            {model.architecture}
          </p>
        </div>
        <div className="page-actions">
          <DeleteModelButton model={model} onDeleted={() => navigate(hrefFor('models'))} />
        </div>
      </div>
      {error && <ErrorAlert message={`Could not refresh the model: ${error.message}`} onRetry={reload} />}
      <ModelFacts model={model} />
      <p className="hint model-next">Capturing activations on a corpus and neuron analysis for this model come next.</p>
    </div>
  );
}
