// What the status bar's jobs indicator says and when the drawer opens by itself: open while
// something runs or a failure has not been read, closed once all is done. Pure, for tests.
import type { Job } from '../api/contract';
import { isActive } from './order';

export const needsAttention = (job: Job) => job.state === 'failed' || job.state === 'interrupted';

export interface DrawerSummary {
  running: number;
  queued: number;
  finished: number;
  /** failed or interrupted jobs the user has not marked read */
  unread: Job[];
  /** the indicator's words: "2 running · 1 queued", "1 failed", "4 finished", "no jobs", "loading jobs…" */
  text: string;
  tone: 'busy' | 'danger' | 'quiet';
}

/** `loaded` false: the jobs have not been listed yet, so the indicator says so rather than "no jobs". */
export function summarize(jobs: readonly Job[], read: ReadonlySet<number>, loaded = true): DrawerSummary {
  if (!loaded) return { running: 0, queued: 0, finished: 0, unread: [], text: 'loading jobs…', tone: 'quiet' };
  const running = jobs.filter((j) => j.state === 'running').length;
  const queued = jobs.filter((j) => j.state === 'queued').length;
  const finished = jobs.filter((j) => j.state === 'done').length;
  const unread = jobs.filter((j) => needsAttention(j) && !read.has(j.id));
  const parts = [running > 0 ? `${running} running` : null, queued > 0 ? `${queued} queued` : null, unread.length > 0 ? `${unread.length} failed` : null].filter((p): p is string => p !== null);
  if (parts.length === 0) parts.push(finished > 0 ? `${finished} finished` : jobs.length > 0 ? 'nothing running' : 'no jobs');
  return { running, queued, finished, unread, text: parts.join(' · '), tone: unread.length > 0 ? 'danger' : running + queued > 0 ? 'busy' : 'quiet' };
}

/**
 * The drawer's next open state after the jobs changed: opens when a job starts or a failure
 * arrives that was not there before; closes when the last active job ended and no failure is
 * unread; otherwise keeps what the user chose. `previous` null: the first load.
 */
export function nextOpen(open: boolean, previous: readonly Job[] | null, jobs: readonly Job[], read: ReadonlySet<number>): boolean {
  const activeNow = jobs.some(isActive);
  const unreadNow = jobs.filter((j) => needsAttention(j) && !read.has(j.id));
  if (previous === null) return activeNow || unreadNow.length > 0;
  const before = new Map(previous.map((j) => [j.id, j]));
  const started = jobs.some((j) => isActive(j) && !(before.get(j.id) && isActive(before.get(j.id)!)));
  const newFailure = unreadNow.some((j) => before.get(j.id)?.state !== j.state);
  if (started || newFailure) return true;
  const wasActive = previous.some(isActive);
  if (wasActive && !activeNow && unreadNow.length === 0) return false;
  return open;
}
