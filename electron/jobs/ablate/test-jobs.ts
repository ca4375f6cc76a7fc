// Running ablation jobs in tests: start one through the API and wait for it; read its stored result.
import { expect } from 'vitest';
import type { AblationResult, Job } from '../../api.js';
import type { Backend } from '../../backend.js';

export async function finishJob(b: Backend, method: string, params: unknown): Promise<Job> {
  const { job } = (await b.handle(method, params)) as { job: Job };
  return b.jobs.waitFor(job.id);
}

/** The stored result of a finished ablation job (the job must have succeeded). */
export async function ablationOf(b: Backend, job: Job): Promise<AblationResult> {
  expect(job.error).toBeNull();
  expect(job.state).toBe('done');
  return (await b.handle('ablation.get', { id: (job.result as { ablation: { id: number } }).ablation.id })) as AblationResult;
}
