import { useEffect, useRef } from 'react';
import type { ApiEvent } from './contract';
import { useApi } from './ApiContext';

/** Calls `handler` for every backend event; the latest handler is used without resubscribing. */
export function useApiEvent(handler: (event: ApiEvent) => void): void {
  const api = useApi();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => api.subscribe((event) => latest.current(event)), [api]);
}
