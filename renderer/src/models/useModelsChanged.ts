import { useApiEvent } from '../api/useApiEvent';

/** Calls `handler` when the set of models changed (an import finished, a model was deleted). */
export function useModelsChanged(handler: () => void): void {
  useApiEvent((event) => {
    if (event.type === 'models-changed') handler();
  });
}
