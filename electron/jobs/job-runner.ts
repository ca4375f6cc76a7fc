// Runs jobs in worker processes on behalf of the process that owns the database connection
// (the app, or the CLI): queues them, tracks progress with rate and ETA, cancels by killing the
// worker, and keeps the job rows true through crashes of either side.
import type { Db } from '../../db/database.js';
import * as jobsDb from '../../db/jobs.js';
import type { Job, JobKind } from '../api.js';
import { ApiError } from '../errors.js';
import { definitionOf } from './kinds.js';
import { recordNames } from './record-names.js';
import { addSample, etaSeconds, rateOf, type RateSample } from './progress-rate.js';
import type { SpawnWorker, WorkerHandle } from './protocol.js';

interface Live {
  worker: WorkerHandle;
  samples: RateSample[];
  cancelling: boolean;
  settled: boolean;
}

export interface JobRunnerOptions {
  db: Db;
  databasePath: string;
  spawn: SpawnWorker;
  onJob: (job: Job) => void;
  /** jobs running at once; inference jobs compete for the same cores, so 1 by default */
  concurrency?: number;
  /** whether a process id still runs (tests and other platforms may override) */
  isAlive?: (pid: number) => boolean;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class JobRunner {
  private readonly live = new Map<number, Live>();
  private readonly queue: Array<{ id: number; resume: boolean }> = [];
  private readonly waiters = new Map<number, Array<(job: Job) => void>>();
  private readonly concurrency: number;

  constructor(private readonly o: JobRunnerOptions) {
    this.concurrency = o.concurrency ?? 1;
  }

  /** Marks jobs whose owning process is gone as interrupted; call once at start-up. */
  recover(): number[] {
    return jobsDb.markOrphansInterrupted(this.o.db, (pid) => pid !== process.pid && (this.o.isAlive ?? pidAlive)(pid));
  }

  list(): Job[] {
    return jobsDb.listJobs(this.o.db).map((r) => this.toApi(r));
  }

  get(id: number): Job {
    const record = jobsDb.getJob(this.o.db, id);
    if (!record) throw new ApiError('not-found', `job ${id} does not exist`);
    return this.toApi(record);
  }

  start(kind: JobKind, rawParams: unknown): Job {
    const definition = definitionOf(kind);
    if (!definition) throw new ApiError('bad-request', `unknown job kind "${kind}"`);
    const params = definition.params.parse(rawParams);
    const record = jobsDb.insertJob(this.o.db, { kind, title: definition.title(params, recordNames(this.o.db)), params, ownerPid: process.pid });
    this.queue.push({ id: record.id, resume: false });
    this.emit(record.id);
    this.pump();
    return this.get(record.id);
  }

  cancel(id: number): Job {
    const job = this.get(id);
    const queued = this.queue.findIndex((q) => q.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(id, 'cancelled', { error: 'cancelled before it started' });
      return this.get(id);
    }
    const live = this.live.get(id);
    if (!live) throw new ApiError('conflict', `job ${id} is ${job.state}, not running; only queued or running jobs can be cancelled`);
    live.cancelling = true;
    live.worker.kill();
    // The exit handler cleans up and records the cancel once the process is gone.
    return job;
  }

  resume(id: number): Job {
    const job = this.get(id);
    if (job.state !== 'interrupted' && job.state !== 'failed') {
      throw new ApiError('conflict', `job ${id} is ${job.state}; only interrupted or failed jobs can be resumed`);
    }
    const definition = definitionOf(job.kind)!;
    this.o.db.prepare("UPDATE jobs SET state = 'queued', owner_pid = ?, error = NULL, finished_at = NULL WHERE id = ?").run(process.pid, id);
    this.queue.push({ id, resume: definition.resumable && job.state === 'interrupted' });
    this.emit(id);
    this.pump();
    return this.get(id);
  }

  discard(id: number): Job {
    const job = this.get(id);
    if (job.state !== 'interrupted' && job.state !== 'failed') {
      throw new ApiError('conflict', `job ${id} is ${job.state}; only interrupted or failed jobs can be discarded`);
    }
    this.cleanup(id);
    jobsDb.finishJob(this.o.db, id, 'discarded', { error: job.error });
    this.emit(id);
    return this.get(id);
  }

  /** Resolves when the job reaches a final state (done, failed, cancelled, interrupted, discarded). */
  waitFor(id: number): Promise<Job> {
    const job = this.get(id);
    if (!['queued', 'running'].includes(job.state)) return Promise.resolve(job);
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  /** Stops every worker; their jobs become interrupted and can be resumed at the next start. */
  shutdown(): void {
    this.queue.length = 0;
    for (const [id, live] of this.live) {
      if (live.settled) continue;
      live.settled = true;
      live.worker.kill();
      jobsDb.finishJob(this.o.db, id, 'interrupted', { error: 'the app quit while this job was running; resume or discard it' });
    }
    this.live.clear();
  }

  private pump(): void {
    while (this.live.size < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.launch(next.id, next.resume);
    }
  }

  private launch(id: number, resume: boolean): void {
    let worker: WorkerHandle;
    try {
      worker = this.o.spawn();
    } catch (err) {
      this.settle(id, 'failed', { error: `could not start the job process: ${(err as Error).message}` });
      return;
    }
    const live: Live = { worker, samples: [], cancelling: false, settled: false };
    this.live.set(id, live);
    jobsDb.markRunning(this.o.db, id, process.pid, worker.pid ?? null);
    this.emit(id);
    worker.onMessage((m) => {
      if (live.settled) return;
      if (m.type === 'progress') {
        const at = Date.now();
        live.samples = addSample(live.samples, { at, done: m.done });
        // The worker has saved this progress to the job row already.
        const progress = { done: m.done, total: m.total, unit: m.unit, message: m.message };
        // Running until its 'done' message is handled, even if the worker already recorded the end.
        this.o.onJob(this.toApi({ ...jobsDb.getJob(this.o.db, id)!, state: 'running', progress }));
      } else if (m.type === 'done') {
        live.settled = true;
        this.settle(id, 'done', { result: m.result });
      } else {
        live.settled = true;
        // A failed run leaves nothing half-made behind; "resume" then starts it afresh.
        this.cleanup(id);
        this.settle(id, 'failed', { error: m.error });
      }
    });
    worker.onExit((code, signal) => {
      this.live.delete(id);
      if (!live.settled) {
        live.settled = true;
        if (live.cancelling) {
          this.cleanup(id);
          this.settle(id, 'cancelled', { error: 'cancelled by the user; its partial output was removed' });
        } else {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          this.settle(id, 'interrupted', {
            error: `the job process ${how} (out of memory or a crash?); its committed work is kept: resume or discard it`,
          });
        }
      }
      this.pump();
    });
    worker.send({ type: 'start', jobId: id, databasePath: this.o.databasePath, resume });
  }

  /** Removes what an unfinished run of the job left behind (its kind knows what that is). */
  private cleanup(id: number): void {
    definitionOf(jobsDb.getJob(this.o.db, id)!.kind)?.cleanup(this.o.db, id);
  }

  private settle(id: number, state: jobsDb.JobStateName, outcome: { result?: unknown; error?: string | null }): void {
    jobsDb.finishJob(this.o.db, id, state, outcome);
    const job = this.emit(id);
    const waiting = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    waiting.forEach((w) => w(job));
  }

  private emit(id: number): Job {
    const job = this.get(id);
    this.o.onJob(job);
    return job;
  }

  private toApi(r: jobsDb.JobRecord): Job {
    const samples = this.live.get(r.id)?.samples ?? [];
    const rate = r.state === 'running' ? rateOf(samples) : null;
    return {
      id: r.id,
      kind: r.kind as JobKind,
      title: r.title,
      state: r.state,
      params: r.params,
      progress: { ...r.progress, rate, etaSeconds: etaSeconds(r.progress.done, r.progress.total, rate) },
      result: r.result,
      error: r.error,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
    };
  }
}
