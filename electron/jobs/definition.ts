// What the owner process knows about a job kind: how to validate its params, how to name it,
// and how to remove what an unfinished run left behind. The work itself runs in the worker
// (see run-job.ts), so this file stays light enough for the UI's process.
import type { z } from 'zod';
import type { JobKind } from '../api.js';
import type { Db } from '../../db/database.js';
import type { RecordNames } from './record-names.js';

export interface JobDefinition<P> {
  kind: JobKind;
  params: z.ZodType<P>;
  /** what the jobs list shows; `names` names the model, corpus or capture it works on (record-names.ts) */
  title(params: P, names: RecordNames): string;
  /** whether an interrupted run can continue from its last committed step */
  resumable: boolean;
  /** deletes partial output of a cancelled, failed or discarded run; must be idempotent */
  cleanup(db: Db, jobId: number): void;
}

/** What a job's run function gets in the worker process. */
export interface JobContext<P> {
  db: Db;
  jobId: number;
  params: P;
  resume: boolean;
  /** the data folder (beside the database): caches such as built graphs live here */
  dataDir: string;
  progress(done: number, total: number | null, unit: string, message?: string | null): void;
}

export type JobRun<P> = (ctx: JobContext<P>) => unknown;

/** An error whose message is meant for the user as is (bad input, not a bug). */
export class JobInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobInputError';
  }
}
