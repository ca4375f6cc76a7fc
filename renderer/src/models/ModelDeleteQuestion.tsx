import { useApi } from '../api/ApiContext';
import { useQuery } from '../api/useQuery';
import type { Model } from './types';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The model's delete question: the captures and ablation runs (by name) that go with it, before the user confirms. */
export function ModelDeleteQuestion({ model }: { model: Model }) {
  const api = useApi();
  const deps = useQuery(`model-dependents:${model.id}`, () => api.call('model.dependents', { id: model.id })).data;
  const none = deps && deps.datasets.length === 0 && deps.ablations.length === 0 && deps.neuronSets === 0;
  return (
    <span data-testid="model-delete-question">
      {`Remove “${model.name}” from FFN Lab? The checkpoint files on disk are not touched; you can import them again.`}
      {!deps && ' Checking what goes with it…'}
      {none && ' Nothing else was made from it.'}
      {deps && !none && (
        <>
          {' It takes with it:'}
          <ul className="dependents-list" data-testid="model-dependents">
            {deps.datasets.length > 0 && <li>{`${plural(deps.datasets.length, 'capture', 'captures')}: ${deps.datasets.map((d) => d.name).join(', ')}${deps.projections > 0 ? ` (and their ${plural(deps.projections, 'projection', 'projections')})` : ''}`}</li>}
            {deps.ablations.length > 0 && <li>{`${plural(deps.ablations.length, 'ablation run', 'ablation runs')}: ${deps.ablations.map((a) => a.name).join(', ')}`}</li>}
            {deps.neuronSets > 0 && <li>{plural(deps.neuronSets, 'saved neuron set', 'saved neuron sets')}</li>}
          </ul>
        </>
      )}
    </span>
  );
}
