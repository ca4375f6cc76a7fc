import { describe, expect, it } from 'vitest';
import type { Job, JobState } from '../api/contract';
import { nextOpen, summarize } from './drawer';

function job(id: number, state: JobState): Job {
  return {
    id,
    kind: 'capture',
    title: `job ${id}`,
    state,
    params: {},
    progress: { done: 0, total: null, unit: 'tokens', rate: null, etaSeconds: null, message: null },
    result: null,
    error: state === 'failed' ? 'boom' : null,
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
  };
}

const none = new Set<number>();

describe('jobs indicator', () => {
  it('says what runs, what failed unread, or how many finished', () => {
    expect(summarize([job(1, 'running'), job(2, 'queued'), job(3, 'done')], none).text).toBe('1 running · 1 queued');
    expect(summarize([job(1, 'done'), job(2, 'done'), job(3, 'cancelled')], none)).toMatchObject({ text: '2 finished', tone: 'quiet' });
    expect(summarize([job(1, 'done'), job(2, 'failed')], none)).toMatchObject({ text: '1 failed', tone: 'danger' });
    // a failure marked read is no longer shown as one
    expect(summarize([job(1, 'done'), job(2, 'failed')], new Set([2]))).toMatchObject({ text: '1 finished', tone: 'quiet' });
    expect(summarize([], none).text).toBe('no jobs');
    // before the first list arrives it does not claim there are none
    expect(summarize([], none, false)).toMatchObject({ text: 'loading jobs…', tone: 'quiet' });
  });
});

describe('drawer opening', () => {
  it('on load: open while something runs or a failure is unread, else closed', () => {
    expect(nextOpen(false, null, [job(1, 'running')], none)).toBe(true);
    expect(nextOpen(false, null, [job(1, 'done'), job(2, 'done')], none)).toBe(false);
    expect(nextOpen(false, null, [job(1, 'interrupted')], none)).toBe(true);
    expect(nextOpen(false, null, [job(1, 'interrupted')], new Set([1]))).toBe(false);
  });

  it('opens when a job starts, closes when the last one is done', () => {
    expect(nextOpen(false, [job(1, 'done')], [job(1, 'done'), job(2, 'queued')], none)).toBe(true);
    expect(nextOpen(true, [job(2, 'running')], [job(2, 'done')], none)).toBe(false);
    // still running: the user's choice to close it stands
    expect(nextOpen(false, [job(2, 'running')], [job(2, 'running')], none)).toBe(false);
  });

  it('stays open when the last job failed, until the failure is read', () => {
    expect(nextOpen(true, [job(2, 'running')], [job(2, 'failed')], none)).toBe(true);
    expect(nextOpen(false, [job(2, 'running')], [job(2, 'failed')], none)).toBe(true);
    expect(nextOpen(true, [job(2, 'failed')], [job(2, 'failed')], new Set([2]))).toBe(true);
  });
});
