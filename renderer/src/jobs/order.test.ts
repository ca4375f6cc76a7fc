import { describe, expect, it } from 'vitest';
import type { Job, JobState } from '../api/contract';
import { limitSettled, orderJobs } from './order';

function job(id: number, state: JobState, finishedAt: string | null = null): Job {
  return {
    id,
    kind: 'corpus-import',
    title: `job ${id}`,
    state,
    params: {},
    progress: { done: 0, total: null, unit: 'documents', rate: null, etaSeconds: null, message: null },
    result: null,
    error: null,
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: null,
    finishedAt,
  };
}

describe('orderJobs', () => {
  it('puts running, then queued, then the most recent of the rest', () => {
    const ordered = orderJobs([
      job(1, 'done', '2025-01-01T01:00:00Z'),
      job(2, 'queued'),
      job(3, 'failed', '2025-01-01T03:00:00Z'),
      job(4, 'running'),
      job(5, 'cancelled', '2025-01-01T02:00:00Z'),
      job(6, 'running'),
    ]);
    expect(ordered.map((j) => j.id)).toEqual([4, 6, 2, 3, 5, 1]);
  });
});

describe('limitSettled', () => {
  it('keeps active and failed jobs, and only the most recent settled ones', () => {
    const ordered = orderJobs([
      job(1, 'done', '2025-01-01T01:00:00Z'),
      job(2, 'running'),
      job(3, 'failed', '2025-01-01T00:30:00Z'),
      job(4, 'cancelled', '2025-01-01T02:00:00Z'),
      job(5, 'discarded', '2025-01-01T03:00:00Z'),
    ]);
    const { visible, hidden } = limitSettled(ordered, 2);
    expect(visible.map((j) => j.id)).toEqual([2, 5, 4, 3]);
    expect(hidden).toBe(1);
  });
});
