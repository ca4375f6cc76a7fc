import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/errors';

export interface LatestState<T> {
  data: T | undefined;
  error: string | null;
  /** a newer request than the data shown is waiting or running */
  busy: boolean;
}

/**
 * Runs `run` `delayMs` after `key` last changed (null: nothing to run), with at most one call in
 * flight: changes that come meanwhile collapse into one follow-up call with the newest inputs, and
 * only the answer to the newest request is shown (a slow, stale answer is dropped), so typing does
 * not queue up work in the one worker that serves these calls.
 */
export function useLatest<T>(key: string | null, run: () => Promise<T>, delayMs: number): LatestState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  const inFlight = useRef(false);
  const queued = useRef<{ id: number; run: () => Promise<T> } | null>(null);
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  });

  useEffect(() => {
    const id = ++latest.current;
    if (key === null) {
      setBusy(false);
      return;
    }
    setBusy(true);
    const fire = (call: { id: number; run: () => Promise<T> }) => {
      if (inFlight.current) {
        queued.current = call;
        return;
      }
      inFlight.current = true;
      call.run().then(
        (value) => {
          if (call.id !== latest.current) return;
          setData(value);
          setError(null);
          setBusy(false);
        },
        (failure: unknown) => {
          if (call.id !== latest.current) return;
          // the results of an earlier request would read as the answer to this one: clear them
          setData(undefined);
          setError(errorMessage(failure));
          setBusy(false);
        },
      ).finally(() => {
        inFlight.current = false;
        const next = queued.current;
        queued.current = null;
        if (next && next.id === latest.current) fire(next);
      });
    };
    const timer = setTimeout(() => fire({ id, run: runRef.current }), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);

  return { data, error, busy };
}
