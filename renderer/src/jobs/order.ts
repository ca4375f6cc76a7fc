import type { Job, JobState } from '../api/contract';

export const activeStates: readonly JobState[] = ['queued', 'running'];

export function isActive(job: Job): boolean {
  return activeStates.includes(job.state);
}

/** Interrupted and failed jobs can be resumed (or their partial work discarded). */
export function isResumable(job: Job): boolean {
  return job.state === 'interrupted' || job.state === 'failed';
}

function lastActivity(job: Job): number {
  const stamp = job.finishedAt ?? job.startedAt ?? job.createdAt;
  const time = Date.parse(stamp);
  return Number.isNaN(time) ? 0 : time;
}

/**
 * Running jobs first, then queued ones (both oldest first, the order they run in), then the
 * rest, most recent first.
 */
export function orderJobs(jobs: readonly Job[]): Job[] {
  const rank = (job: Job) => (job.state === 'running' ? 0 : job.state === 'queued' ? 1 : 2);
  return [...jobs].sort((a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank !== 0) return byRank;
    if (rank(a) < 2) return a.id - b.id;
    return lastActivity(b) - lastActivity(a) || b.id - a.id;
  });
}

/** Jobs that are over and need nothing more from the user. */
export function isSettled(job: Job): boolean {
  return job.state === 'done' || job.state === 'cancelled' || job.state === 'discarded';
}

/**
 * Keeps every job that is active or needs attention, and only the `recent` most recent settled
 * ones; `hidden` counts the settled jobs left out. Expects `ordered` from orderJobs.
 */
export function limitSettled(ordered: readonly Job[], recent: number): { visible: Job[]; hidden: number } {
  const visible: Job[] = [];
  let settled = 0;
  for (const job of ordered) {
    if (isSettled(job) && ++settled > recent) continue;
    visible.push(job);
  }
  return { visible, hidden: Math.max(0, settled - recent) };
}
