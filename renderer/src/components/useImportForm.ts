import { useState } from 'react';
import type { Job } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { useJobs } from '../jobs/JobsStore';

export type PickKind = 'file' | 'folder';

export interface ImportForm<Kind extends string> {
  path: string;
  setPath: (path: string) => void;
  name: string;
  setName: (name: string) => void;
  /** what is under way; every button waits while anything is */
  busy: Kind | 'pick' | null;
  error: string | null;
  /** shows a message where the form's errors go (null: none) */
  setError: (error: string | null) => void;
  /** the last job started */
  started: Job | null;
  /** Runs `call` as `kind`; the job it starts goes to the Jobs drawer (status bar, j). Clears the fields after when `clear`. */
  start: (kind: Kind, call: () => Promise<{ job: Job }>, clear: boolean) => void;
  /** Fills the path from the native file dialog (app.pickPath). */
  pick: (kind: PickKind, title: string) => void;
}

/** The state of a form that starts import jobs from a path and an optional name. */
export function useImportForm<Kind extends string>(): ImportForm<Kind> {
  const api = useApi();
  const { upsert } = useJobs();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<Kind | 'pick' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Job | null>(null);

  const run = async (kind: Kind, call: () => Promise<{ job: Job }>, clear: boolean) => {
    setBusy(kind);
    setError(null);
    setStarted(null);
    try {
      const { job } = await call();
      upsert(job);
      setStarted(job);
      if (clear) {
        setPath('');
        setName('');
      }
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  const pick = async (kind: PickKind, title: string) => {
    setBusy('pick');
    setError(null);
    try {
      const { path: picked } = await api.call('app.pickPath', { kind, title });
      if (picked) setPath(picked);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  return {
    path,
    setPath,
    name,
    setName,
    busy,
    error,
    setError,
    started,
    start: (kind, call, clear) => void run(kind, call, clear),
    pick: (kind, title) => void pick(kind, title),
  };
}
