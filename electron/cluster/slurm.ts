// Slurm for a study: the job-array script (one shard per array task), the merge script, submitting
// both with the merge depending on the array (afterok), and what Slurm says of a study's tasks.
// Slurm's own commands do the work (sbatch, squeue, sacct, scancel); nothing here schedules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudyError, writeFileAtomic, type StudyPlan } from './study.js';

export const SHARD_SCRIPT = 'shard.sbatch';
export const MERGE_SCRIPT = 'merge.sbatch';
export const SUBMITTED_FILE = 'slurm.json';

/** A word for a bash script: quoted unless it is plainly safe. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A user's sbatch option as given (--partition=gpu, --gres=gpu:1, -t 02:00:00): one #SBATCH line.
 * Options the study sets itself (the array, the output files) are refused: they would break it.
 */
export function checkSbatchOption(option: string): string {
  const o = option.trim();
  if (!o.startsWith('-')) throw new StudyError(`--sbatch "${option}": expected an sbatch option such as --partition=gpu, --account=lab, --gres=gpu:1, --time=02:00:00 or --mem=16G`);
  if (/[\n\r]/.test(o)) throw new StudyError(`--sbatch "${option}": one option per --sbatch, on one line`);
  const name = /^(--?[A-Za-z-]+)/.exec(o)?.[1] ?? o;
  const owned = ['--array', '-a', '--output', '-o', '--error', '-e', '--dependency', '-d', '--parsable'];
  if (owned.includes(name)) throw new StudyError(`--sbatch ${name}: the study sets this itself (one array task per shard, logs under logs/, the merge after the array); leave it out`);
  return o;
}

/** The #SBATCH lines; squeue shows the study's jobs as "ffn-<study>-shard" and "ffn-<study>-merge". */
function header(plan: StudyPlan, dir: string, job: string, log: string): string[] {
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${shellWord(`ffn-${plan.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)}-${job}`)}`,
    `#SBATCH --output=${path.join(dir, 'logs', log)}`,
    // a requeued (preempted) task appends to its log instead of truncating it
    '#SBATCH --open-mode=append',
    ...plan.sbatch.map((o) => `#SBATCH ${o}`),
  ];
}

/** The array job: task i runs shard i (resumable: a requeued task continues from its checkpoint). */
export function shardScript(plan: StudyPlan, dir: string): string {
  return [
    ...header(plan, dir, 'shard', 'shard-%a.out').slice(0, 2),
    `#SBATCH --array=0-${plan.ranges.length - 1}`,
    ...header(plan, dir, 'shard', 'shard-%a.out').slice(2),
    '#SBATCH --requeue',
    '',
    `# FFN Lab study "${plan.name}": ${plan.kind}, ${plan.ranges.length} shards (${dir}/study.json)`,
    'set -euo pipefail',
    `exec ${[...plan.command, 'shard', 'run', dir, '--index'].map(shellWord).join(' ')} "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}

/** The merge job: every shard's database into merged/ffn-lab.sqlite. */
export function mergeScript(plan: StudyPlan, dir: string): string {
  return [
    ...header(plan, dir, 'merge', 'merge.out'),
    '',
    `# FFN Lab study "${plan.name}": merges the shards once the array has finished (submitted with --dependency=afterok:<array job>)`,
    'set -euo pipefail',
    `exec ${[...plan.command, 'cluster', 'merge', dir].map(shellWord).join(' ')}`,
    '',
  ].join('\n');
}

/** What submit.sh does, for a user who submits by hand. */
export function submitScript(dir: string): string {
  return [
    '#!/bin/bash',
    '# Submits the shard array and the merge job that waits for it (what `ffn-lab cluster submit` does).',
    'set -euo pipefail',
    `array=$(sbatch --parsable ${shellWord(path.join(dir, SHARD_SCRIPT))})`,
    'array=${array%%;*}',
    `merge=$(sbatch --parsable --dependency=afterok:$array ${shellWord(path.join(dir, MERGE_SCRIPT))})`,
    'echo "shard array job $array, merge job ${merge%%;*}"',
    '',
  ].join('\n');
}

export function writeSlurmFiles(plan: StudyPlan, dir: string): string[] {
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const files: Array<[string, string]> = [
    [SHARD_SCRIPT, shardScript(plan, dir)],
    [MERGE_SCRIPT, mergeScript(plan, dir)],
    ['submit.sh', submitScript(dir)],
  ];
  for (const [name, text] of files) writeFileAtomic(path.join(dir, name), text, 0o755);
  return files.map(([name]) => name);
}

/** The study's submissions, newest last. */
export interface Submission {
  arrayJob: string;
  shards: number[];
  mergeJob: string;
  at: string;
}

export function readSubmissions(dir: string): Submission[] {
  const file = path.join(dir, SUBMITTED_FILE);
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { submissions: Submission[] }).submissions;
}

function slurm(cmd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { ok: false, out: '', err: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} not found (is this a Slurm login node?)` : r.error.message };
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

export function slurmAvailable(): boolean {
  return slurm('sbatch', ['--version']).ok;
}

/** "1,3,5-7" for sbatch --array */
export function arraySpec(shards: readonly number[]): string {
  const s = [...new Set(shards)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && (s[j + 1] as number) === (s[j] as number) + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/** "4-7,9%2" (an array spec, with a throttle) -> 4, 5, 6, 7, 9 */
export function expandArray(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split('%')[0]!.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const step = Number(m[3] ?? 1);
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i += step) out.push(i);
  }
  return out;
}

/**
 * Submits the given shards as one array job and the merge job after it (afterok). A merge job of
 * an earlier submission that still waits is cancelled: it waits on tasks that failed or were
 * cancelled, so it would never start.
 */
export function submit(dir: string, shards: readonly number[]): Submission {
  if (shards.length === 0) throw new StudyError('nothing to submit: every shard is done or queued (see ffn-lab cluster status)');
  for (const old of readSubmissions(dir)) {
    const state = slurm('squeue', ['-h', '-j', old.mergeJob, '-o', '%T']);
    if (state.ok && state.out.trim() === 'PENDING') slurm('scancel', [old.mergeJob]);
  }
  const array = slurm('sbatch', ['--parsable', `--array=${arraySpec(shards)}`, path.join(dir, SHARD_SCRIPT)]);
  if (!array.ok) throw new StudyError(`sbatch ${SHARD_SCRIPT} failed: ${array.err || array.out}`);
  const arrayJob = array.out.trim().split(';')[0]!;
  const merge = slurm('sbatch', ['--parsable', `--dependency=afterok:${arrayJob}`, path.join(dir, MERGE_SCRIPT)]);
  if (!merge.ok) throw new StudyError(`sbatch ${MERGE_SCRIPT} failed (the array job ${arrayJob} is submitted): ${merge.err || merge.out}`);
  const s: Submission = { arrayJob, shards: [...shards], mergeJob: merge.out.trim().split(';')[0]!, at: new Date().toISOString() };
  writeFileAtomic(path.join(dir, SUBMITTED_FILE), JSON.stringify({ submissions: [...readSubmissions(dir), s] }, null, 2));
  return s;
}

/** Slurm's state of each array task of the study's submissions (the newest submission of a shard wins); null: Slurm cannot be asked. */
export function taskStates(dir: string): { tasks: Map<number, { job: string; state: string }>; merge: { job: string; state: string } | null; source: string } | null {
  const subs = readSubmissions(dir);
  if (subs.length === 0 || !slurm('squeue', ['--version']).ok) return null;
  const tasks = new Map<number, { job: string; state: string }>();
  let merge: { job: string; state: string } | null = null;
  const ids = subs.flatMap((s) => [s.arrayJob, s.mergeJob]);
  // sacct (accounting) knows finished tasks; without it squeue knows queued and running ones and
  // scontrol the recently finished
  const acct = slurm('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State']);
  const rows: Array<[string, string]> = [];
  let source = 'sacct';
  if (acct.ok) {
    for (const line of acct.out.split('\n').filter(Boolean)) {
      const [id, state] = line.split('|');
      rows.push([id!, (state ?? '').split(' ')[0]!]);
    }
  } else {
    source = 'squeue/scontrol';
    const q = slurm('squeue', ['-h', '-r', '-j', ids.join(','), '-o', '%i|%T']);
    if (q.ok) for (const line of q.out.split('\n').filter(Boolean)) rows.push(line.split('|') as [string, string]);
    for (const id of ids) {
      const c = slurm('scontrol', ['-o', 'show', 'job', id]);
      if (!c.ok) continue;
      for (const line of c.out.split('\n').filter(Boolean)) {
        const jobId = /JobId=(\d+)/.exec(line)?.[1];
        const task = /ArrayTaskId=(\d+)\b/.exec(line)?.[1];
        const state = /JobState=(\S+)/.exec(line)?.[1];
        const array = /ArrayJobId=(\d+)/.exec(line)?.[1];
        if (!jobId || !state) continue;
        const key = array && task !== undefined ? `${array}_${task}` : jobId;
        if (!rows.some(([k]) => k === key)) rows.push([key, state]);
      }
    }
  }
  for (const s of subs) {
    for (const [id, state] of rows) {
      const m = /^(\d+)_(\d+)$/.exec(id);
      if (m && m[1] === s.arrayJob) tasks.set(Number(m[2]), { job: id, state });
      // sacct shows the tasks not yet started as one row: 123_[4-7,9%2]
      const pending = /^(\d+)_\[([^\]]+)\]$/.exec(id);
      if (pending && pending[1] === s.arrayJob) for (const t of expandArray(pending[2]!)) tasks.set(t, { job: `${s.arrayJob}_${t}`, state });
      if (id === s.mergeJob) merge = { job: id, state };
    }
  }
  return { tasks, merge, source };
}
