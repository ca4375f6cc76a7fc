import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Job } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { useApiEvent } from '../api/useApiEvent';
import { useOnReconnect } from '../api/useConnection';

export interface JobsStore {
  jobs: Job[];
  loaded: boolean;
  error: string | null;
  /** puts a job the UI got from a call (start, cancel, resume...) in place, by id */
  upsert: (job: Job) => void;
  reload: () => void;
}

const JobsContext = createContext<JobsStore | null>(null);

/**
 * Mirrors the backend's jobs: jobs.list on start and after a reconnect, then `job` events replace
 * jobs by id. A job updated by an event while a list request was in flight keeps the event's
 * version, which is newer than the list's.
 */
export function JobsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [byId, setById] = useState<ReadonlyMap<number, Job>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const touched = useRef(new Set<number>());
  const request = useRef(0);

  const upsert = useCallback((job: Job) => {
    touched.current.add(job.id);
    setById((current) => new Map(current).set(job.id, job));
  }, []);

  const reload = useCallback(() => {
    const id = ++request.current;
    touched.current = new Set();
    api.call('jobs.list', {}).then(
      (list) => {
        if (id !== request.current) return;
        setById((current) => {
          const next = new Map<number, Job>(list.map((job) => [job.id, job]));
          for (const jobId of touched.current) {
            const recent = current.get(jobId);
            if (recent) next.set(jobId, recent);
          }
          return next;
        });
        setError(null);
        setLoaded(true);
      },
      (failure: unknown) => {
        if (id !== request.current) return;
        setError(errorMessage(failure));
        setLoaded(true);
      },
    );
  }, [api]);

  useEffect(() => reload(), [reload]);
  useOnReconnect(reload);
  useApiEvent((event) => {
    if (event.type === 'job') upsert(event.job);
  });

  const value = useMemo<JobsStore>(() => ({ jobs: [...byId.values()], loaded, error, upsert, reload }), [byId, loaded, error, upsert, reload]);
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

export function useJobs(): JobsStore {
  const store = useContext(JobsContext);
  if (!store) throw new Error('useJobs() outside <JobsProvider>');
  return store;
}
