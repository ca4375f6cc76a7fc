import { useEffect, useRef, useState } from 'react';
import type { ConnectionState } from './client';
import { useApi } from './ApiContext';

/** The state of the backend event channel, kept current. */
export function useConnectionState(): ConnectionState {
  const api = useApi();
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => api.onConnection(setState), [api]);
  return state;
}

/**
 * Calls `callback` when the event channel comes back after being down: events may have been
 * missed meanwhile, so whoever mirrors backend state reloads it.
 */
export function useOnReconnect(callback: () => void): void {
  const api = useApi();
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(() => {
    let wasDown = false;
    return api.onConnection((state) => {
      if (state === 'closed') wasDown = true;
      else if (state === 'open' && wasDown) {
        wasDown = false;
        latest.current();
      }
    });
  }, [api]);
}
