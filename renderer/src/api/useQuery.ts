import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from './errors';

export interface QueryState<T> {
  data: T | undefined;
  /** the last failed load's error; cleared by the next successful one */
  error: ApiError | null;
  loading: boolean;
  /** loads again, keeping the current data on screen meanwhile */
  reload: () => void;
}

/**
 * Runs `load` when `key` changes (and on reload()), ignoring answers that arrive after a newer
 * request was made. `key` is a string so that callers state exactly what the data depends on.
 */
export function useQuery<T>(key: string, load: () => Promise<T>): QueryState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const latestLoad = useRef(load);
  const request = useRef(0);
  useEffect(() => {
    latestLoad.current = load;
  });

  useEffect(() => {
    const id = ++request.current;
    setLoading(true);
    latestLoad.current().then(
      (value) => {
        if (id !== request.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (id !== request.current) return;
        setError(failure instanceof ApiError ? failure : new ApiError('internal', errorMessage(failure)));
        setLoading(false);
      },
    );
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload };
}
