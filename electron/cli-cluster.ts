// The CLI's cluster commands: plan a study folder, submit it to Slurm, see where it stands, merge
// it, and run one shard (what each array task runs). cli.ts parses the flags and builds the job's
// parameters; this file does the rest.
import fs from 'node:fs';
import path from 'node:path';
import type { AblateParams, CaptureParams } from './api.js';
import type { Backend } from './backend.js';
import { mergeStudy, type MergeOutcome } from './cluster/merge.js';
import { planStudy } from './cluster/plan.js';
import { runShard } from './cluster/shard.js';
import { slurmAvailable, submit, type Submission } from './cluster/slurm.js';
import { studyStatus } from './cluster/status.js';
import { mergedDir, readPlan, seedFromBase, StudyError } from './cluster/study.js';

export interface ClusterIo {
  out(value: unknown, text: () => string): void;
}

export interface ClusterContext {
  io: ClusterIo;
  values: Record<string, unknown>;
  args: string[];
  /** the Backend of --data-dir (the planning database) */
  backend: () => Backend;
  /** a Backend on another data folder (a shard's, the merge's) */
  open: (dataDir: string) => Backend;
  /** the job parameters the capture/ablate/sweep command would run, from the same flags */
  jobParams: (kind: 'capture' | 'ablate' | 'sweep') => Promise<CaptureParams | AblateParams>;
  usage: (message: string) => Error;
}

function studyDir(c: ClusterContext, verb: string): string {
  const dir = c.args[0];
  if (!dir) throw c.usage(`${verb} needs the study folder (what cluster plan --out wrote)`);
  return path.resolve(dir);
}

function shardList(c: ClusterContext, text: unknown, count: number): number[] | undefined {
  if (text === undefined) return undefined;
  const items = String(text).split(',').map((t) => t.trim());
  const bad = items.find((t) => !/^\d+$/.test(t) || Number(t) >= count);
  if (bad !== undefined) throw c.usage(`--only: "${bad}" is not a shard of this study (0..${count - 1}); expected e.g. --only 1,3`);
  return items.map(Number);
}

function submitted(s: Submission): string {
  return `submitted shards ${s.shards.join(', ')} as array job ${s.arrayJob}; merge job ${s.mergeJob} runs after it (afterok)`;
}

export async function clusterCommand(key: string, c: ClusterContext): Promise<void> {
  const { io, values } = c;
  switch (key) {
    case 'cluster plan': {
      const kind = c.args[0];
      if (kind !== 'capture' && kind !== 'ablate' && kind !== 'sweep') throw c.usage(`cluster plan needs what to run: capture, ablate or sweep; got "${kind ?? ''}"`);
      if (typeof values.out !== 'string') throw c.usage('--out is required: the study folder to write');
      const shards = Number(values.shards);
      if (values.shards === undefined || !Number.isInteger(shards) || shards < 1) throw c.usage(`--shards must be a positive integer (one Slurm array task each), got "${String(values.shards ?? '')}"`);
      const engine = values.engine ?? 'slurm';
      if (engine !== 'slurm' && engine !== 'k8s') throw c.usage(`--engine must be slurm or k8s, got "${String(engine)}"`);
      const gpus = values.gpus === undefined ? undefined : Number(values.gpus);
      if (gpus !== undefined && !(Number.isInteger(gpus) && gpus >= 0)) throw c.usage(`--gpus must be a non-negative integer, got "${String(values.gpus)}"`);
      // refused before the sets are resolved (that needs the capture), with the reason
      if (kind !== 'capture' && values.method !== undefined && values.method !== 'zero') {
        throw new StudyError(`--method ${String(values.method)} is not supported in a cluster study yet: it needs the capture's ${values.method === 'mean' ? 'means' : 'samples'} in every shard; use --method zero`);
      }
      const params = await c.jobParams(kind);
      const b = c.backend();
      // a task calls the same FFN Lab that planned it, unless --ffn-lab says how (e.g. an installed `ffn-lab`)
      const command = typeof values['ffn-lab'] === 'string' ? values['ffn-lab'].split(' ').filter(Boolean) : [process.execPath, path.resolve(process.argv[1]!)];
      const planned = planStudy(b.db, {
        kind,
        out: values.out,
        shards,
        ...(typeof values.name === 'string' ? { name: values.name } : {}),
        params,
        command,
        sbatch: (values.sbatch as string[] | undefined) ?? [],
        engine,
        ...(engine === 'k8s'
          ? { k8s: { image: String(values.image ?? ''), claim: String(values.pvc ?? ''), ...(values['mount-path'] ? { mountPath: String(values['mount-path']) } : {}), ...(gpus !== undefined ? { gpus } : {}) } }
          : {}),
      });
      let s: Submission | undefined;
      if (values.submit) {
        if (engine !== 'slurm') throw c.usage('--submit submits to Slurm; for k8s apply the manifests with kubectl (see k8s-shards.yaml)');
        s = submit(planned.dir, planned.plan.ranges.map((r) => r.index));
      }
      const { plan } = planned;
      return io.out({ study: planned.dir, name: plan.name, kind: plan.kind, shards: plan.ranges, documents: plan.documents, files: planned.files, ...(s ? { submitted: s } : {}) }, () =>
        [
          `study "${plan.name}" in ${planned.dir}: ${plan.kind} over ${plan.documents} documents in ${plan.ranges.length} shards (${plan.ranges.map((r) => r.documents).join(', ')} documents)`,
          `files: ${planned.files.join(', ')}`,
          s ? submitted(s) : engine === 'slurm' ? `submit: ffn-lab cluster submit ${planned.dir}   (or: bash ${path.join(planned.dir, 'submit.sh')})` : `run: kubectl apply -f ${path.join(planned.dir, 'k8s-shards.yaml')}, then k8s-merge.yaml when it completes`,
        ].join('\n'),
      );
    }
    case 'cluster submit': {
      const dir = studyDir(c, 'cluster submit');
      const plan = readPlan(dir);
      if (!slurmAvailable()) throw new StudyError('sbatch is not available here: submit from a Slurm login node (or run bash submit.sh there)');
      const only = shardList(c, values.only, plan.ranges.length);
      const shards = only ?? studyStatus(dir, plan).resubmit;
      const s = submit(dir, shards);
      return io.out({ submitted: s }, () => submitted(s));
    }
    case 'cluster status': {
      const dir = studyDir(c, 'cluster status');
      const st = studyStatus(dir, readPlan(dir));
      return io.out(st, () => {
        const rows = [['shard', 'documents', 'state', 'slurm', 'progress', 'error'], ...st.shards.map((s) => [String(s.index), String(s.documents), s.state, s.slurm ?? '', s.progress ? `${s.progress.done}/${s.progress.total ?? '?'}` : '', (s.error ?? '').split('\n')[0]!.slice(0, 80)])];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        const done = st.shards.filter((s) => s.state === 'done').length;
        return [
          `study "${st.name}" (${st.kind}): ${done} of ${st.shards.length} shards done${st.merged ? ', merged (merged/ffn-lab.sqlite)' : ''}${st.mergeJob ? `; merge job ${st.mergeJob.job} ${st.mergeJob.state}` : ''}`,
          ...rows.map((r) => r.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()),
          st.resubmit.length > 0 ? `resubmit shards ${st.resubmit.join(', ')}: ffn-lab cluster submit ${dir} --only ${st.resubmit.join(',')}` : done === st.shards.length ? (st.merged ? 'all done' : `all shards done: ffn-lab cluster merge ${dir}`) : 'nothing to resubmit',
          ...(st.slurmSource ? [`(Slurm states from ${st.slurmSource})`] : []),
        ].join('\n');
      });
    }
    case 'cluster merge': {
      const dir = studyDir(c, 'cluster merge');
      const plan = readPlan(dir);
      // built in a temporary folder and renamed into place: merged/ is whole or absent
      const target = mergedDir(dir);
      const tmp = `${target}.tmp-${process.pid}`;
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { recursive: true });
      seedFromBase(dir, tmp);
      let r: MergeOutcome;
      const b = c.open(tmp);
      try {
        r = await mergeStudy(b, dir, plan, { partial: values.partial === true });
      } catch (err) {
        b.close();
        fs.rmSync(tmp, { recursive: true, force: true });
        throw err;
      }
      b.close();
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(tmp, target);
      const file = path.join(target, 'ffn-lab.sqlite');
      return io.out({ ...r, database: file }, () => `${r.kind === 'dataset' ? 'capture' : 'ablation run'} ${r.id} "${r.name}" in ${file}: shards ${r.shards.join(', ')}${r.partial ? ' (partial)' : ''}; open it with --data-dir ${target}, or import it: ffn-lab merge ... ${file}:${r.id}`);
    }
    case 'cluster import': {
      // the app's database gets the merged result (or what is done so far, with --partial)
      const dir = studyDir(c, 'cluster import');
      const r = await mergeStudy(c.backend(), dir, readPlan(dir), { partial: values.partial === true, ...(typeof values.name === 'string' ? { name: values.name } : {}) });
      return io.out(r, () => `${r.kind === 'dataset' ? 'capture' : 'ablation run'} ${r.id} "${r.name}": shards ${r.shards.join(', ')}${r.partial ? ' (partial)' : ''}`);
    }
    case 'shard run': {
      const dir = studyDir(c, 'shard run');
      const index = Number(values.index ?? process.env.SLURM_ARRAY_TASK_ID ?? process.env.JOB_COMPLETION_INDEX);
      if (!Number.isInteger(index)) throw c.usage('shard run needs --index I (or $SLURM_ARRAY_TASK_ID / $JOB_COMPLETION_INDEX)');
      const r = await runShard(dir, readPlan(dir), index, c.open);
      return io.out(r, () => `shard ${r.index}: ${r.state === 'already-done' ? 'already done' : 'done'} (${r.dataDir})`);
    }
    default:
      throw c.usage(`unknown command "${key}"`);
  }
}
