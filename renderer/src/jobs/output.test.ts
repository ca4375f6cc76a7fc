import { describe, expect, it } from 'vitest';
import type { Job } from '../api/contract';
import { jobOutput } from './output';

function done(kind: Job['kind'], result: unknown): Job {
  return {
    id: 1,
    kind,
    title: 't',
    state: 'done',
    params: {},
    progress: { done: 1, total: 1, unit: '', rate: null, etaSeconds: null, message: null },
    result,
    error: null,
    createdAt: '2025-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
  };
}

describe('jobOutput', () => {
  it('links each job kind to what it made, from the result its run returns', () => {
    expect(jobOutput(done('corpus-import', { corpus: { id: 3 } }))).toMatchObject({ kind: 'corpus', id: 3, href: '#/corpora/3' });
    expect(jobOutput(done('model-import', { model: { id: 2 } }))).toMatchObject({ kind: 'model', id: 2, href: '#/models/2' });
    expect(jobOutput(done('weight-scan', { modelId: 2 }))).toMatchObject({ kind: 'model', id: 2, href: '#/models/2' });
    expect(jobOutput(done('capture', { dataset: { id: 7 } }))).toMatchObject({ kind: 'dataset', id: 7, href: '#/neurons/7' });
    expect(jobOutput(done('ablate', { ablation: { id: 9 } }))).toMatchObject({ kind: 'ablation', id: 9, href: '#/ablation/9' });
    expect(jobOutput(done('project', { run: { id: 4, datasetId: 7 } }))).toMatchObject({ kind: 'projection', id: 4, href: '#/manifold/7/4' });
  });

  it('has no link for a job that did not finish, or a result without an id', () => {
    expect(jobOutput({ ...done('capture', { dataset: { id: 7 } }), state: 'failed' })).toBeNull();
    expect(jobOutput(done('capture', null))).toBeNull();
    expect(jobOutput(done('project', { run: { id: 4 } }))).toBeNull();
  });
});
