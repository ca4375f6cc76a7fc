import type { ApiEvent } from './contract';
import { useApiEvent } from './useApiEvent';
import { useOnReconnect } from './useConnection';

/**
 * Calls `handler` when the backend says that what it mirrors changed (an event of `type`, e.g.
 * 'corpora-changed'), and when the event channel comes back, since events may have been missed.
 */
export function useChanges(type: ApiEvent['type'], handler: () => void): void {
  useApiEvent((event) => {
    if (event.type === type) handler();
  });
  useOnReconnect(handler);
}
