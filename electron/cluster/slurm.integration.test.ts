// A real Slurm cluster (scripts/slurm-local.sh: slurmctld + slurmd + munged on localhost): a 4-shard
// capture and a 4-shard sweep go through real sbatch as job arrays, each followed by its merge job
// (--dependency=afterok), and the merged results equal the unsharded runs of the same studies
// (statistics to float64 rounding, the same verdicts, top examples, samples; the sweep's metrics and
// bootstrap intervals). One capture shard is killed midway with scancel, shows up in `cluster
// status` as the one to resubmit, and resumes from its checkpoint when resubmitted.
// Where Slurm cannot start (no slurm-wlm/munge, not root) the tests say so and skip; CI sets
// FFN_LAB_REQUIRE_SLURM=1 (.ci/run), which turns that into a failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseReadOnly } from '../../db/database.js';
import { fixtureWithCharTokenizer, runCli, tempDir, until } from '../jobs/test-support.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = path.join(root, 'native-models', 'fixtures');
const script = path.join(root, 'scripts', 'slurm-local.sh');
const slurmDir = tempDir('ffn-slurm-');
const port = 20000 + 2 * Math.floor(Math.random() * 5000);
const slurmEnv = { ...process.env, FFN_SLURM_DIR: slurmDir, FFN_SLURM_CTLD_PORT: String(port), FFN_SLURM_D_PORT: String(port + 1) };
let skipReason: string | null = null;

/** The daemons start as root: directly when we are, else through password-less sudo (a CI runner). */
function asRoot(command: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return [command[0]!, command.slice(1)];
  const vars = (['FFN_SLURM_DIR', 'FFN_SLURM_CTLD_PORT', 'FFN_SLURM_D_PORT'] as const).map((k) => `${k}=${slurmEnv[k]}`);
  return ['sudo', ['-n', 'env', ...vars, ...command]];
}

const home = tempDir();
let model: string;
const captureFlags = ['--seq-len', '24', '--batch', '1', '--top-k', '4', '--samples', '16', '--seed', '3', '--threshold', '0.05'];

function json(args: string[], dataDir = home): Record<string, unknown> {
  const r = runCli([...args, '--json'], dataDir);
  if (r.code !== 0) throw new Error(`ffn-lab ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function slurm(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Jobs of ours still in the queue (pending or running). */
const queued = (): string[] => slurm('squeue', ['-h', '-r', '-o', '%i %T']).split('\n').filter(Boolean);

/** Like until(), at a pace that leaves the two shared cores to the tasks (each probe runs squeue). */
async function poll(probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the study's merge has written merged/ and the queue is empty. */
async function mergedOf(dir: string): Promise<{ id: number; dataDir: string }> {
  await poll(() => queued().length === 0 && fs.existsSync(path.join(dir, 'merged', 'ffn-lab.sqlite')), 240_000);
  const log = fs.readFileSync(path.join(dir, 'logs', 'merge.out'), 'utf8');
  const id = Number(/(?:capture|ablation run) (\d+) /.exec(log)?.[1]);
  expect(id).toBeGreaterThan(0);
  return { id, dataDir: path.join(dir, 'merged') };
}

beforeAll(() => {
  const started = spawnSync(...asRoot(['bash', script, 'start']), { encoding: 'utf8', env: slurmEnv, timeout: 90_000 });
  if (started.status !== 0) {
    skipReason = `Slurm could not start here: ${(started.stderr || started.stdout || String(started.error)).trim()}`;
    if (process.env.FFN_LAB_REQUIRE_SLURM) throw new Error(`${skipReason} (FFN_LAB_REQUIRE_SLURM is set: CI must run this test)`);
    console.warn(`slurm integration tests skipped: ${skipReason}`);
    return;
  }
  // sbatch, squeue and the tasks (sbatch exports this environment) use the test cluster
  process.env.SLURM_CONF = path.join(slurmDir, 'slurm.conf');
  model = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
  const words = 'the jury said that city of election was an and to in for its on his were by had at grand county been no evidence'.split(' ');
  const corpus = path.join(tempDir(), 'twelve.jsonl');
  const doc = (d: number) => Array.from({ length: 200 + 9 * d }, (_, i) => words[(d * 5 + i * 7 + ((i * d) % 3)) % words.length]).join(' ');
  fs.writeFileSync(corpus, Array.from({ length: 12 }, (_, d) => JSON.stringify({ text: doc(d) })).join('\n'));
  json(['import', model]);
  json(['corpus', 'import', corpus, '--name', 'twelve']);
}, 180_000);

afterAll(() => {
  if (skipReason === null) spawnSync(...asRoot(['bash', script, 'stop']), { env: slurmEnv, timeout: 60_000 });
  delete process.env.SLURM_CONF;
});

describe('studies on a real Slurm cluster', () => {
  let whole = 0;

  it('a 4-shard capture with one shard scancel-ed and resubmitted merges into the unsharded capture', async (ctx) => {
    if (skipReason !== null) return ctx.skip();
    const dir = path.join(tempDir(), 'capture');
    // the first tasks commit every batch, so the one killed midway leaves a checkpoint
    process.env.FFN_LAB_COMMIT_INTERVAL_MS = '0';
    const planned = json(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'twelve', ...captureFlags, '--shards', '4', '--out', dir, '--sbatch=--time=00:20:00', '--submit']);
    delete process.env.FFN_LAB_COMMIT_INTERVAL_MS;
    const { arrayJob, mergeJob } = planned.submitted as { arrayJob: string; mergeJob: string };
    // the #SBATCH option passed through, and the merge job's dependency on the array
    expect(slurm('scontrol', ['show', 'job', mergeJob])).toMatch(/TimeLimit=00:20:00/);
    expect(slurm('scontrol', ['show', 'job', mergeJob])).toMatch(new RegExp(`Dependency=afterok:${arrayJob}`));

    // kill shard 2 midway: once it has committed a few batches, freeze its worker (so it cannot
    // finish first) and scancel the array task, as a user or a preemption would
    const shardDb = path.join(dir, 'shards', '002', 'ffn-lab.sqlite');
    const at = await until(() => {
      if (!fs.existsSync(shardDb)) return undefined;
      let db;
      try {
        db = openDatabaseReadOnly(shardDb);
        const r = db.prepare("SELECT d.batches_done AS done, d.batches_total AS total, j.worker_pid AS pid FROM datasets d JOIN jobs j ON j.id = d.job_id WHERE j.state = 'running'").get() as
          | { done: number; total: number; pid: number | null }
          | undefined;
        return r && r.done >= 2 && r.pid ? r : undefined;
      } catch {
        return undefined; // the shard is creating its tables
      } finally {
        db?.close();
      }
    }, 120_000);
    process.kill(at.pid!, 'SIGSTOP');
    expect(at.done).toBeLessThan(at.total);
    slurm('scancel', [`${arrayJob}_2`]);
    // the other shards finish; the merge job waits on an array that can no longer succeed
    await poll(() => !queued().some((l) => l.startsWith(`${arrayJob}_`)), 120_000);
    expect(queued()).toEqual([`${mergeJob} PENDING`]);
    const status = json(['cluster', 'status', dir]) as { shards: Array<{ state: string; slurm: string | null }>; resubmit: number[] };
    expect(status.shards.map((s) => s.state)).toEqual(['done', 'done', 'interrupted', 'done']);
    expect(status.shards[2]!.slurm).toBe('CANCELLED');
    expect(status.resubmit).toEqual([2]);

    // resubmit what status says: shard 2 resumes from its checkpoint, a new merge job follows it
    const again = json(['cluster', 'submit', dir]).submitted as { shards: number[]; mergeJob: string };
    expect(again.shards).toEqual([2]);
    // the old merge job, which could never start, was cancelled
    expect(slurm('scontrol', ['show', 'job', mergeJob])).toMatch(/JobState=CANCELLED/);
    const merged = await mergedOf(dir);
    expect(fs.readFileSync(path.join(dir, 'logs', 'shard-2.out'), 'utf8')).toMatch(/shard 2: resuming job \d+ \(interrupted\)/);
    expect((json(['cluster', 'status', dir]) as { shards: Array<{ state: string }> }).shards.every((s) => s.state === 'done')).toBe(true);

    // the same study unsharded, here
    whole = (json(['capture', '--model', model, '--corpus', 'twelve', ...captureFlags]).dataset as { id: number }).id;
    // a kurtosis threshold of 1 (default 10): the random fixture then has a heavy-tailed verdict, so
    // the verdicts compared below are not all empty
    const rows = (id: number, dataDir: string) => json(['neurons', '--dataset', String(id), '--kurtosis', '1'], dataDir).neurons as Array<Record<string, number | string[]>>;
    const m = rows(merged.id, merged.dataDir);
    const w = rows(whole, home);
    expect(m.length).toBe(w.length);
    m.forEach((row, i) => {
      const u = w[i]!;
      // counts, minima, maxima and verdicts exact; sums (hence means, spreads) to float64 rounding
      expect([row.layer, row.neuron, row.tokens, row.fire_count, row.min, row.max, row.verdicts]).toEqual([u.layer, u.neuron, u.tokens, u.fire_count, u.min, u.max, u.verdicts]);
      for (const k of ['mean', 'std', 'mean_abs', 'kurtosis'] as const) expect(row[k] as number).toBeCloseTo(u[k] as number, 10);
    });
    expect(m.some((r) => (r.verdicts as string[]).length > 0)).toBe(true);
    // top examples (matched by document name) and hidden-state samples: the same
    const top = (id: number, dataDir: string, layer: number, neuron: number) =>
      (json(['neuron', '--dataset', String(id), '--layer', String(layer), '--neuron', String(neuron)], dataDir).contexts as Array<{ value: number; document: string; position: number }>).map((c) => [c.value, c.document, c.position]);
    for (const [l, n] of [[0, 0], [0, 77], [1, 5], [1, 127]] as const) {
      expect(top(merged.id, merged.dataDir, l, n)).toEqual(top(whole, home, l, n));
      expect(top(whole, home, l, n).length).toBe(4);
    }
    const samples = (file: string, id: number) => {
      const db = openDatabaseReadOnly(file);
      try {
        return db.prepare('SELECT d.ordinal, s.position, s.token_id, s.loss, s.residual, s.ffn FROM samples s JOIN documents d ON d.id = s.document_id WHERE s.dataset_id = ? ORDER BY s.id').all(id);
      } finally {
        db.close();
      }
    };
    const ms = samples(path.join(merged.dataDir, 'ffn-lab.sqlite'), merged.id);
    expect(ms.length).toBe(16);
    expect(ms).toEqual(samples(path.join(home, 'ffn-lab.sqlite'), whole));
  }, 420_000);

  it('a 4-shard sweep merges into the unsharded sweep: the same metrics and bootstrap intervals', async (ctx) => {
    if (skipReason !== null) return ctx.skip();
    expect(whole).toBeGreaterThan(0);
    const flags = ['--model', model, '--corpus', 'twelve', '--dataset', String(whole), '--criterion', 'fire_rate', '--fractions', '0.25,0.5', '--documents', '4', '--seq-len', '24', '--resamples', '300', '--seed', '5'];
    const dir = path.join(tempDir(), 'sweep');
    json(['cluster', 'plan', 'sweep', ...flags, '--shards', '4', '--out', dir, '--sbatch=--time=00:20:00', '--submit']);
    const merged = await mergedOf(dir);
    const unsharded = json(['sweep', ...flags]) as { ablation: number };
    const get = (id: number, dataDir: string) => {
      const db = openDatabaseReadOnly(path.join(dataDir, 'ffn-lab.sqlite'));
      try {
        return JSON.parse((db.prepare('SELECT details FROM ablations WHERE id = ?').get(id) as { details: string }).details) as {
          tokens: number;
          documents: number;
          baseline: unknown;
          results: Array<{ label: string; neurons: number; metrics: unknown; hurt: unknown }>;
          perDocument: unknown;
        };
      } finally {
        db.close();
      }
    };
    const a = get(merged.id, merged.dataDir);
    const b = get(unsharded.ablation, home);
    expect(a.documents).toBe(4);
    expect([a.tokens, a.documents]).toEqual([b.tokens, b.documents]);
    expect(a.baseline).toEqual(b.baseline);
    expect(a.results.map((r) => r.label)).toEqual(['fire_rate 25%', 'random 25%', 'fire_rate 50%', 'random 50%']);
    a.results.forEach((r, i) => {
      expect(r.neurons).toBe(b.results[i]!.neurons);
      expect(r.metrics).toEqual(b.results[i]!.metrics);
      expect(r.hurt).toEqual(b.results[i]!.hurt);
    });
    expect(a.perDocument).toEqual(b.perDocument);
  }, 300_000);
});
