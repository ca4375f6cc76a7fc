// Where a study stands, per shard: done, running, interrupted, failed or not started, from the shard
// databases (the truth about work committed), with Slurm's word on queued/running/failed tasks
// when the study was submitted (sacct where accounting runs, else squeue and scontrol); and what to
// resubmit.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabaseReadOnly, type Db } from '../../db/database.js';
import { listJobs } from '../../db/jobs.js';
import { shardResult } from './shard.js';
import { taskStates } from './slurm.js';
import { mergedDir, shardDir, shardName, type StudyPlan } from './study.js';

export type ShardState = 'done' | 'running' | 'queued' | 'interrupted' | 'failed' | 'not-started';

export interface ShardStatus {
  index: number;
  documents: number;
  state: ShardState;
  /** tokens (capture) committed so far, from the shard's job */
  progress: { done: number; total: number | null } | null;
  /** Slurm's state of the shard's newest task (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...) */
  slurm: string | null;
  error: string | null;
}

export interface StudyStatus {
  name: string;
  kind: StudyPlan['kind'];
  shards: ShardStatus[];
  /** shards to submit again: not done, and not queued or running in Slurm */
  resubmit: number[];
  merged: boolean;
  mergeJob: { job: string; state: string } | null;
  slurmSource: string | null;
}

const SLURM_ACTIVE = new Set(['PENDING', 'RUNNING', 'REQUEUED', 'RESIZING', 'SUSPENDED', 'CONFIGURING', 'COMPLETING']);

export function studyStatus(dir: string, plan: StudyPlan): StudyStatus {
  const slurm = taskStates(dir);
  const shards = plan.ranges.map((r): ShardStatus => {
    const file = path.join(shardDir(dir, plan, r.index), 'ffn-lab.sqlite');
    const task = slurm?.tasks.get(r.index)?.state ?? null;
    let state: ShardState = 'not-started';
    let progress: ShardStatus['progress'] = null;
    let error: string | null = null;
    let db: Db | undefined;
    try {
      if (fs.existsSync(file)) db = openDatabaseReadOnly(file);
    } catch {
      // a task is creating it (no tables yet)
      state = 'running';
    }
    if (db) {
      try {
        if (shardResult(db, plan, r.index) !== undefined) state = 'done';
        else {
          const name = shardName(plan, r.index);
          const job = listJobs(db).find((j) => (j.params as { name?: string }).name === name && (j.kind === 'capture' || j.kind === 'ablate'));
          if (job) {
            progress = { done: job.progress.done, total: job.progress.total };
            error = job.error;
            // a job left "running" by a task that was killed reads as running until the next task recovers it
            state = job.state === 'running' || job.state === 'queued' ? 'running' : job.state === 'failed' ? 'failed' : job.state === 'interrupted' ? 'interrupted' : 'not-started';
          }
        }
      } finally {
        db.close();
      }
    }
    if (state !== 'done' && task !== null) {
      if (task === 'PENDING' || task === 'REQUEUED') state = 'queued';
      else if (SLURM_ACTIVE.has(task)) state = 'running';
      else if (state === 'running') state = task === 'COMPLETED' ? 'failed' : 'interrupted';
    }
    return { index: r.index, documents: r.documents, state, progress, slurm: task, error };
  });
  return {
    name: plan.name,
    kind: plan.kind,
    shards,
    resubmit: shards.filter((s) => s.state !== 'done' && s.state !== 'queued' && s.state !== 'running').map((s) => s.index),
    merged: fs.existsSync(path.join(mergedDir(dir), 'ffn-lab.sqlite')),
    mergeJob: slurm?.merge ?? null,
    slurmSource: slurm?.source ?? null,
  };
}
