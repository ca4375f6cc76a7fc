import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Job } from '../api/contract';
import { nextOpen, summarize, type DrawerSummary } from './drawer';
import { useJobs } from './JobsStore';

const readKey = 'ffn-lab.jobs-read';
const keepRead = 500;

function loadRead(): Set<number> {
  try {
    const raw = JSON.parse(window.localStorage.getItem(readKey) ?? '[]') as unknown;
    return new Set(Array.isArray(raw) ? raw.filter((n): n is number => Number.isInteger(n)) : []);
  } catch {
    return new Set();
  }
}

function saveRead(read: ReadonlySet<number>): void {
  try {
    window.localStorage.setItem(readKey, JSON.stringify([...read].slice(-keepRead)));
  } catch {
    // storage unavailable: read marks last for this session only
  }
}

export interface JobsDrawer {
  open: boolean;
  setOpen: (open: boolean) => void;
  toggle: () => void;
  summary: DrawerSummary;
  isRead: (id: number) => boolean;
  markRead: (id: number) => void;
}

const DrawerContext = createContext<JobsDrawer | null>(null);

/**
 * The jobs drawer's state, shared by the status-bar indicator and the drawer: it opens by itself
 * while something runs or a failure is unread (drawer.ts), and remembers which failures the
 * user has read (localStorage, per browser profile).
 */
export function JobsDrawerProvider({ children }: { children: ReactNode }) {
  const { jobs, loaded } = useJobs();
  const [open, setOpen] = useState(false);
  const [read, setRead] = useState<ReadonlySet<number>>(loadRead);
  const previous = useRef<readonly Job[] | null>(null);

  useEffect(() => {
    if (!loaded) return;
    setOpen((current) => nextOpen(current, previous.current, jobs, read));
    previous.current = jobs;
    // `read` is left out on purpose: marking a failure read never opens or closes the drawer
  }, [jobs, loaded]);

  const markRead = useCallback((id: number) => {
    setRead((current) => {
      const next = new Set(current).add(id);
      saveRead(next);
      return next;
    });
  }, []);

  const value = useMemo<JobsDrawer>(
    () => ({ open, setOpen, toggle: () => setOpen((o) => !o), summary: summarize(jobs, read, loaded), isRead: (id) => read.has(id), markRead }),
    [open, jobs, read, markRead, loaded],
  );
  return <DrawerContext.Provider value={value}>{children}</DrawerContext.Provider>;
}

export function useJobsDrawer(): JobsDrawer {
  const drawer = useContext(DrawerContext);
  if (!drawer) throw new Error('useJobsDrawer() outside <JobsDrawerProvider>');
  return drawer;
}
