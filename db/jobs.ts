// Typed queries for the jobs table. A job row is the durable record of long work: it survives
// a crash of the worker or of the app and says what can be resumed or cleaned.
import { now, type Db } from './database.js';

export type JobStateName = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted' | 'discarded';

export interface JobRecord {
  id: number;
  kind: string;
  title: string;
  state: JobStateName;
  params: unknown;
  progress: { done: number; total: number | null; unit: string; message: string | null };
  result: unknown;
  error: string | null;
  ownerPid: number | null;
  workerPid: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface JobRow {
  id: number;
  kind: string;
  title: string;
  state: JobStateName;
  params: string;
  progress_done: number;
  progress_total: number | null;
  progress_unit: string;
  progress_message: string | null;
  result: string | null;
  error: string | null;
  owner_pid: number | null;
  worker_pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    state: r.state,
    params: JSON.parse(r.params) as unknown,
    progress: { done: r.progress_done, total: r.progress_total, unit: r.progress_unit, message: r.progress_message },
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    error: r.error,
    ownerPid: r.owner_pid,
    workerPid: r.worker_pid,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function insertJob(db: Db, job: { kind: string; title: string; params: unknown; ownerPid: number }): JobRecord {
  const info = db
    .prepare('INSERT INTO jobs (kind, title, state, params, owner_pid, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(job.kind, job.title, 'queued', JSON.stringify(job.params), job.ownerPid, now());
  return getJob(db, Number(info.lastInsertRowid))!;
}

export function getJob(db: Db, id: number): JobRecord | undefined {
  const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  return row && toRecord(row);
}

export function listJobs(db: Db, limit = 200): JobRecord[] {
  const rows = db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[];
  return rows.map(toRecord);
}

export function markRunning(db: Db, id: number, ownerPid: number, workerPid: number | null): void {
  db.prepare(
    "UPDATE jobs SET state = 'running', owner_pid = ?, worker_pid = ?, error = NULL, started_at = COALESCE(started_at, ?), finished_at = NULL WHERE id = ?",
  ).run(ownerPid, workerPid, now(), id);
}

export function saveProgress(db: Db, id: number, p: JobRecord['progress']): void {
  db.prepare('UPDATE jobs SET progress_done = ?, progress_total = ?, progress_unit = ?, progress_message = ? WHERE id = ?').run(
    p.done,
    p.total,
    p.unit,
    p.message,
    id,
  );
}

export function finishJob(db: Db, id: number, state: JobStateName, outcome: { result?: unknown; error?: string | null }): void {
  db.prepare('UPDATE jobs SET state = ?, result = ?, error = ?, worker_pid = NULL, finished_at = ? WHERE id = ?').run(
    state,
    outcome.result === undefined ? null : JSON.stringify(outcome.result),
    outcome.error ?? null,
    now(),
    id,
  );
}

/**
 * Jobs left queued or running by a process that no longer exists were interrupted by a crash.
 * `isAlive` tells whether an owner pid still runs (another app or CLI may share the database).
 */
export function markOrphansInterrupted(db: Db, isAlive: (pid: number) => boolean): number[] {
  const rows = db.prepare("SELECT id, owner_pid FROM jobs WHERE state IN ('queued','running')").all() as Array<{
    id: number;
    owner_pid: number | null;
  }>;
  const orphans = rows.filter((r) => r.owner_pid === null || !isAlive(r.owner_pid)).map((r) => r.id);
  const mark = db.prepare(
    "UPDATE jobs SET state = 'interrupted', worker_pid = NULL, error = 'the process running this job stopped unexpectedly (crash, kill or power loss); resume or discard it' WHERE id = ?",
  );
  db.transaction(() => orphans.forEach((id) => mark.run(id)))();
  return orphans;
}
