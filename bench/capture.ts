// The capture bench: tokens/s of the instrumented graph's capture heads (per-neuron statistics,
// and statistics + top-k; no logits) on a GPT-2-small-shaped random checkpoint, against a
// plain-PyTorch forward with hooks collecting the same statistics (bench/torch_capture.py), and
// the achieved FLOP rate against a measured large fp32 MatMul through onnxruntime on the same
// threads. Prints figures and ratios; asserts nothing. Run through `npm run bench` (bench/run.mjs).
//
// Every contender (our heads, the PyTorch variants in a child process, the MatMul references) is
// warmed up, then they run in turn, one run each per round, so that all of them see the same
// machine load (the bench machine may be shared); rates come from the median run.

import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { type Readable, type Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildGraph, type GraphOptions } from '../native-models/graph/builder.js';
import { attr, Graph } from '../native-models/graph/graph.js';
import { join as joinEncoded } from '../native-models/graph/protobuf.js';
import { loadModel } from '../native-models/load.js';
import { createWithFallback } from '../native-models/runtime/providers.js';
import { type Feeds, FfnSession, type Results } from '../native-models/runtime/session.js';
import { asFloat32, asInt64, float32, int64 } from '../native-models/runtime/tensors.js';
import { type LoadedModel, type ModelSpec } from '../native-models/spec.js';
import { ensureCheckpoint, GPT2_SMALL } from './checkpoint.js';

// ------------------------------------------------------------------------------------------------
// settings

const here = dirname(fileURLToPath(import.meta.url));
/** bench/ in the source tree, wherever this file was bundled to (run.mjs passes it) */
const benchDir = process.env['FFN_BENCH_DIR'] ?? here;

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '4' },
    seq: { type: 'string', default: '256' },
    seconds: { type: 'string', default: '12' },
    profile: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '2' },
    'gap-ms': { type: 'string', default: '200' },
    threads: { type: 'string' },
    topk: { type: 'string', default: '16' },
    threshold: { type: 'string', default: '0' },
    'skip-torch': { type: 'boolean', default: false },
    'openblas-coretype': { type: 'string', default: 'auto' },
    'skip-forward': { type: 'boolean', default: false },
    'cache-dir': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [options]
  --batch B            sequences per run (default 4)
  --seq T              tokens per sequence (default 256)
  --seconds S          timed seconds per contender, after warm-up (default 12); contenders run
                       in turn, one run each per round, until all have had their seconds
  --profile            also profile the stats graph per ONNX op (onnxruntime profiler)
  --warmup N           warm-up runs per measurement (default 2)
  --gap-ms MS          idle pause before each timed run (default 200), so that the thread pools of
                       the previous contender (onnxruntime, OpenMP, OpenBLAS spin-wait) are asleep
  --threads N          intra-op threads for onnxruntime and torch (default: available cores)
  --topk K             k of the top-k head and of the torch top-k hook (default 16)
  --threshold X        the fire threshold (default 0)
  --skip-torch         no PyTorch baseline
  --openblas-coretype  OPENBLAS_CORETYPE for the PyTorch process: 'auto' (default: from the CPU
                       flags, since OpenBLAS's cpuid detection can fall back to generic kernels in
                       VMs; an OPENBLAS_CORETYPE already set wins), 'none', or a core name
  --skip-forward       no forward-only reference graph
  --cache-dir DIR      where the random checkpoint lives (default bench/.cache)
  --out FILE           results JSON (default bench/results/latest.json)`);
  process.exit(0);
}

function intArg(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`bench: --${name} must be an integer >= ${min}, got ${v}`);
  return n;
}
function numArg(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`bench: --${name} must be a number >= ${min}, got ${v}`);
  return n;
}

const B = intArg('batch', args.batch, 1);
const T = intArg('seq', args.seq, 1);
const seconds = numArg('seconds', args.seconds, 0);
const warmup = intArg('warmup', args.warmup, 0);
const gapMs = intArg('gap-ms', args['gap-ms'], 0);
const threads = args.threads === undefined ? availableParallelism() : intArg('threads', args.threads, 1);
const topK = intArg('topk', args.topk, 1);
const threshold = numArg('threshold', args.threshold, -Infinity);
const cacheDir = args['cache-dir'] ?? join(benchDir, '.cache');
const outFile = args.out ?? join(benchDir, 'results', 'latest.json');
const TARGET_RATIO = 1.7;
const TARGET_FRACTION = 0.7;

const log = (m: string): void => {
  process.stderr.write(`[bench] ${m}\n`);
};

// ------------------------------------------------------------------------------------------------
// helpers

/** Something timed: one of our heads, a PyTorch variant, a MatMul reference. */
interface Contender {
  key: string;
  label: string;
  group: 'ours' | 'torch' | 'matmul';
  /** tokens of one run (0 for the MatMul references) */
  tokens: number;
  flops: number;
  /** one run; returns its seconds */
  run(): Promise<number>;
}

interface Timing {
  runs: number;
  /** seconds of each timed run */
  runSeconds: number[];
  medianSeconds: number;
  bestSeconds: number;
}

function timingOf(runSeconds: number[]): Timing {
  const sorted = [...runSeconds].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
  return { runs: n, runSeconds, medianSeconds: median, bestSeconds: sorted[0] as number };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/**
 * Warm-up runs of each contender, then rounds in which each runs once, until the timed seconds
 * reach `seconds` per contender on average and each has at least 3 runs. A contender that throws
 * is dropped (its error is kept).
 */
async function measure(all: Contender[]): Promise<{ timings: Map<string, Timing>; failed: Map<string, string> }> {
  const failed = new Map<string, string>();
  const times = new Map<string, number[]>(all.map((c) => [c.key, []]));
  const attempt = async (c: Contender, record: boolean): Promise<void> => {
    if (failed.has(c.key)) return;
    if (record && gapMs > 0) await sleep(gapMs);
    try {
      const s = await c.run();
      if (record) times.get(c.key)?.push(s);
    } catch (e) {
      failed.set(c.key, e instanceof Error ? e.message : String(e));
      log(`${c.label}: failed, dropped: ${failed.get(c.key)}`);
    }
  };
  for (const c of all) {
    log(`warm-up: ${c.label}`);
    for (let i = 0; i < warmup; i++) await attempt(c, false);
  }
  const live = (): Contender[] => all.filter((c) => !failed.has(c.key));
  let total = 0;
  for (let round = 1; ; round++) {
    for (const c of live()) {
      const before = times.get(c.key)?.length ?? 0;
      await attempt(c, true);
      const list = times.get(c.key) ?? [];
      if (list.length > before) total += list[list.length - 1] as number;
    }
    const runs = live().map((c) => times.get(c.key)?.length ?? 0);
    log(`round ${round}: ${total.toFixed(0)} of ${(seconds * live().length).toFixed(0)} timed seconds`);
    if (total >= seconds * live().length && runs.every((n) => n >= 3)) break;
    if (live().length === 0) break;
  }
  const timings = new Map<string, Timing>();
  for (const c of live()) timings.set(c.key, timingOf(times.get(c.key) ?? []));
  return { timings, failed };
}

/** Seeded token ids in [0, vocab). */
function randomIds(n: number, vocab: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.floor((s / 4294967296) * vocab);
  }
  return out;
}

/**
 * FLOPs of one forward of B sequences of T tokens through every block (multiply-add = 2):
 * linear: 2 * B*T * L * (4 D^2 + 2 D F)   (q, k, v, o; FFN in and out; ungated)
 * attention: L * 4 * B * T^2 * D          (Q K^T and P V over the full T x T, as both compute)
 * Norms, GELU, softmax, biases, the statistics and the embeddings are left out (O(B T F) each).
 */
function forwardFlops(spec: ModelSpec, b: number, t: number): { linear: number; attention: number; total: number } {
  const { nLayers: L, dModel: D, dFf: F, nHeads: H, nKvHeads: Hkv, headDim: hd } = spec;
  const perTokenParams = L * (D * H * hd + 2 * D * Hkv * hd + H * hd * D + (spec.gated ? 3 : 2) * D * F);
  const linear = 2 * b * t * perTokenParams;
  const attention = L * 4 * b * t * t * H * hd;
  return { linear, attention, total: linear + attention };
}
const FLOP_FORMULA =
  'FLOPs/forward = 2*B*T*L*(4*D^2 + 2*D*F) [linear] + 4*L*B*T^2*D [QK^T and PV, full TxT]; norms/GELU/softmax/stats not counted';

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

function cpuFlags(): string[] {
  try {
    const m = /^flags\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    const have = new Set((m?.[1] ?? '').split(/\s+/));
    return ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_tile'].filter((f) => have.has(f));
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------------------------------------
// the MatMul references

/** One-node graph: A [M, K] input times a constant weight (as the model's weights are). */
async function matmulReference(key: string, m: number, k: number, n: number, gemmTransB: boolean): Promise<{ contender: Contender; close: () => Promise<void> }> {
  const g = new Graph(`bench ${key}`);
  const a = g.input('a', 'float32', [m, k]);
  const w = new Float32Array(k * n);
  for (let i = 0; i < w.length; i++) w[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  let y: string;
  if (gemmTransB) {
    const bias = new Float32Array(n).fill(0.01);
    y = g.op('Gemm', [a, g.initF32('w', w, [n, k]), g.initF32('bias', bias, [n])], { transB: attr.i(1) });
  } else {
    y = g.op('MatMul', [a, g.initF32('w', w, [k, n])]);
  }
  g.output(y, 'y', 'float32', [m, n]);
  const bytes = joinEncoded(g.encode({ mode: 'never', location: 'unused' }).model);
  const { session } = await createWithFallback(bytes, { providers: ['cpu'], threads, optimization: 'all' });
  const input = new Float32Array(m * k);
  for (let i = 0; i < input.length; i++) input[i] = ((i * 40503) % 997) / 997 - 0.5;
  const feeds = { a: new ort.Tensor('float32', input, [m, k]) };
  // one "run" repeats the product so that it lasts about half a second; its time is per product
  await session.run(feeds);
  let once = Infinity;
  for (let i = 0; i < 3; i++) once = Math.min(once, await timed(() => session.run(feeds)));
  const reps = Math.max(1, Math.round(0.5 / once));
  const label = gemmTransB ? `Gemm [${m}x${k}] x [${n}x${k}]^T + bias` : `MatMul [${m}x${k}] x [${k}x${n}]`;
  return {
    contender: {
      key,
      label,
      group: 'matmul',
      tokens: 0,
      flops: 2 * m * k * n,
      run: async () => (await timed(async () => {
        for (let i = 0; i < reps; i++) await session.run(feeds);
      })) / reps,
    },
    close: () => session.release(),
  };
}

// ------------------------------------------------------------------------------------------------
// the cross-check of our statistics against the hooks'

interface Check {
  count: number;
  sum: number[];
  sumsq: number[];
  min: number[];
  max: number[];
  fire: number[];
}

/** Per-layer folds of a stats output. */
function checkOf(out: Results, L: number, F: number): Check {
  const per = (name: string, fold: (acc: number, v: number) => number, init: number): number[] => {
    const data = asFloat32(out[name], name);
    return Array.from({ length: L }, (_, l) => data.subarray(l * F, (l + 1) * F).reduce(fold, init));
  };
  const fire = asInt64(out['stats_fire_count'], 'stats_fire_count');
  return {
    count: Number(asInt64(out['stats_count'], 'stats_count')[0]),
    sum: per('stats_sum', (a, v) => a + v, 0),
    sumsq: per('stats_sumsq', (a, v) => a + v, 0),
    min: per('stats_min', (a, v) => Math.min(a, v), Infinity),
    max: per('stats_max', (a, v) => Math.max(a, v), -Infinity),
    fire: Array.from({ length: L }, (_, l) => fire.subarray(l * F, (l + 1) * F).reduce((a, v) => a + Number(v), 0)),
  };
}

/** The largest relative difference per field. */
function compareChecks(a: Check, b: Check): Record<string, number> {
  const rel = (x: number[], y: number[]): number =>
    x.length !== y.length
      ? Infinity
      : x.reduce((m, v, i) => {
          const w = y[i] ?? NaN;
          return Math.max(m, Math.abs(v - w) / Math.max(Math.abs(v), Math.abs(w), 1e-12));
        }, 0);
  return {
    count: a.count === b.count ? 0 : 1,
    sum: rel(a.sum, b.sum),
    sumsq: rel(a.sumsq, b.sumsq),
    min: rel(a.min, b.min),
    max: rel(a.max, b.max),
    fire: rel(a.fire, b.fire),
  };
}

// ------------------------------------------------------------------------------------------------
// the PyTorch baseline: bench/torch_capture.py, serving runs on request

/** The OpenBLAS kernels matching this CPU's flags (SkylakeX for AVX-512, Haswell for AVX2+FMA). */
function openblasCoretype(): string | undefined {
  const choice = args['openblas-coretype'] ?? 'auto';
  if (choice === 'none') return undefined;
  if (choice !== 'auto') return choice;
  if (process.env['OPENBLAS_CORETYPE'] !== undefined) return process.env['OPENBLAS_CORETYPE'];
  try {
    const m = /^flags\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    const have = new Set((m?.[1] ?? '').split(/\s+/));
    if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => have.has(f))) return 'SkylakeX';
    if (have.has('avx2') && have.has('fma')) return 'Haswell';
  } catch {
    // not Linux: leave OpenBLAS to its own detection
  }
  return undefined;
}

interface TorchInfo {
  openblas: { core: string; config: string; threads: number; OPENBLAS_CORETYPE: string | null } | null;
  torch: string;
  threads: number;
  blas: string;
  blas_libs: string[];
  load_s: number;
  variants: { name: string; topk: number; fused_gelu: boolean }[];
}

class TorchServer {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly info: TorchInfo,
  ) {}

  /** Starts the script; a string says why there is no baseline. */
  static async start(folder: string, idsFile: string): Promise<TorchServer | string> {
    const python = '/usr/bin/python3';
    if (!existsSync(python)) return `${python} does not exist`;
    const script = join(benchDir, 'torch_capture.py');
    const argv = [script, folder, '--batch', `${B}`, '--seq', `${T}`, '--threads', `${threads}`, '--topk', `${topK}`, '--threshold', `${threshold}`, '--ids', idsFile];
    log(`PyTorch baseline: ${python} ${argv.map((a) => relative(process.cwd(), a) || a).join(' ')}`);
    const env = { ...process.env };
    const core = openblasCoretype();
    if (core === undefined) delete env['OPENBLAS_CORETYPE'];
    else env['OPENBLAS_CORETYPE'] = core;
    env['OPENBLAS_NUM_THREADS'] ??= `${threads}`;
    log(`PyTorch baseline env: OPENBLAS_CORETYPE=${core ?? '(unset)'} OPENBLAS_NUM_THREADS=${env['OPENBLAS_NUM_THREADS']}`);
    const child = spawn(python, argv, { stdio: ['pipe', 'pipe', 'inherit'], env });
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) return `${python} ${relative(process.cwd(), script)} ended without a reply${spawnError ? `: ${spawnError.message}` : ' (its stderr is above)'}`;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(first.value) as Record<string, unknown>;
    } catch {
      child.kill();
      return `${relative(process.cwd(), script)} printed ${JSON.stringify(first.value.slice(0, 200))}, not JSON`;
    }
    if (typeof msg['skipped'] === 'string') return msg['skipped'];
    return new TorchServer(child, lines, msg as unknown as TorchInfo);
  }

  async ask(command: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${command}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error(`the PyTorch process ended (exit ${this.child.exitCode ?? this.child.signalCode ?? '?'})`);
    const msg = JSON.parse(r.value) as Record<string, unknown>;
    if (typeof msg['error'] === 'string') throw new Error(msg['error']);
    return msg;
  }

  /** torch.addmm [2048x768] x [768x3072] in the same process (its BLAS), per product */
  matmulContender(): Contender {
    return {
      key: 'torch matmul',
      label: 'torch.addmm [2048x768] x [768x3072]',
      group: 'matmul',
      tokens: 0,
      flops: 2 * 2048 * 768 * 3072,
      run: async () => {
        const s = (await this.ask('matmul'))['s'];
        if (typeof s !== 'number') throw new Error('matmul: no seconds in the reply');
        return s;
      },
    };
  }

  contender(name: string, label: string, flops: number): Contender {
    return {
      key: `torch ${name}`,
      label,
      group: 'torch',
      tokens: B * T,
      flops,
      run: async () => {
        const s = (await this.ask(`run ${name}`))['s'];
        if (typeof s !== 'number') throw new Error(`run ${name}: no seconds in the reply`);
        return s;
      },
    };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const ended = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    await ended;
  }
}

// ------------------------------------------------------------------------------------------------
// the optional per-op profile

interface OpShare {
  op: string;
  ms: number;
  share: number;
}

/** onnxruntime's profiler over a few runs of a graph: kernel time per op type. */
async function profileGraph(model: LoadedModel, options: GraphOptions, name: string, feeds: Feeds): Promise<OpShare[]> {
  const built = buildGraph(model, options, { mode: 'never', location: 'unused' });
  const prefix = join(cacheDir, 'profile', name);
  mkdirSync(dirname(prefix), { recursive: true });
  const session = await ort.InferenceSession.create(built.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: prefix,
    logSeverityLevel: 3,
  });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = t.type === 'float32' ? new ort.Tensor('float32', t.data, t.dims) : new ort.Tensor('int64', t.data, t.dims);
  const wanted = Object.fromEntries(session.inputNames.map((n) => [n, ortFeeds[n] as ort.Tensor]));
  for (let i = 0; i < 3; i++) await session.run(wanted);
  session.endProfiling();
  await session.release();
  const dir = dirname(prefix);
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(name) && f.endsWith('.json'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files[0] === undefined) throw new Error(`no profile written under ${dir}`);
  const events = JSON.parse(readFileSync(files[0], 'utf8')) as { cat?: string; name?: string; dur?: number; args?: { op_name?: string } }[];
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || e.args?.op_name === undefined) continue;
    byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + (e.dur ?? 0));
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp.entries()].map(([op, us]) => ({ op, ms: us / 1000 / 3, share: us / total })).sort((a, b) => b.ms - a.ms);
}

// ------------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const load0 = loadavg();
  const folder = join(cacheDir, 'gpt2-small-random');
  log(`checkpoint ${relative(process.cwd(), folder)} ...`);
  const ckpt = ensureCheckpoint(folder, GPT2_SMALL);
  log(ckpt.reused ? `reusing the checkpoint (${(ckpt.bytes / 1e6).toFixed(0)} MB)` : `wrote the checkpoint (${(ckpt.bytes / 1e6).toFixed(0)} MB) in ${ckpt.writeSeconds.toFixed(1)} s`);

  const tLoad = performance.now();
  const model = loadModel(folder);
  for (const n of model.weightNames()) model.weight(n); // read + convert now, not inside the first graph build
  const loadSeconds = (performance.now() - tLoad) / 1000;
  const { spec } = model;
  const L = spec.nLayers;
  const F = spec.dFf;
  log(`loaded ${spec.architecture}: L=${L} D=${spec.dModel} F=${F} H=${spec.nHeads} V=${spec.vocabSize}, ${(spec.params / 1e6).toFixed(1)}M params, in ${loadSeconds.toFixed(1)} s`);

  const tokens = B * T;
  const ids = randomIds(tokens, spec.vocabSize, 12345);
  mkdirSync(cacheDir, { recursive: true });
  const idsFile = join(cacheDir, `ids-${B}x${T}.bin`);
  writeFileSync(idsFile, new Uint8Array(ids.buffer));
  const flops = forwardFlops(spec, B, T);

  const contenders: Contender[] = [];
  const closers: (() => Promise<void>)[] = [];

  // our heads
  const heads: { key: string; label: string; options: GraphOptions }[] = [
    { key: 'ours stats', label: 'ours: stats', options: { stats: true } },
    { key: 'ours topk', label: `ours: stats+top${topK}`, options: { stats: true, topK } },
  ];
  if (!args['skip-forward']) heads.push({ key: 'ours forward', label: 'ours: forward only (last_logits)', options: { logits: 'last' } });
  const feeds: Feeds = { input_ids: int64(ids, [B, T]) };
  const statsFeeds: Feeds = { ...feeds, threshold: float32([threshold], []) };
  const built: { key: string; options: GraphOptions; buildSeconds: number; provider: string }[] = [];
  let ourCheck: Check | undefined;
  for (const h of heads) {
    log(`${h.label}: building the graph ${JSON.stringify(h.options)} ...`);
    const t0 = performance.now();
    const session = await FfnSession.create(model, h.options, { threads, providers: ['cpu'] });
    const buildSeconds = (performance.now() - t0) / 1000;
    built.push({ key: h.key, options: h.options, buildSeconds, provider: session.provider });
    log(`${h.label}: graph built and session created in ${buildSeconds.toFixed(1)} s on ${session.provider}`);
    const f = session.inputNames.includes('threshold') ? statsFeeds : feeds;
    if (h.options.stats && ourCheck === undefined) ourCheck = checkOf(await session.run(f), L, F);
    contenders.push({ key: h.key, label: h.label, group: 'ours', tokens, flops: flops.total, run: () => timed(() => session.run(f)) });
    closers.push(() => session.release());
  }

  // the PyTorch variants, placed after ours of the same kind so that pairs run back to back
  let torch: TorchServer | undefined;
  let torchSkipped: string | undefined;
  let torchCheck: Check | undefined;
  if (args['skip-torch']) torchSkipped = '--skip-torch';
  else {
    const started = await TorchServer.start(folder, idsFile);
    if (typeof started === 'string') torchSkipped = started;
    else {
      torch = started;
      torchCheck = (await torch.ask('check stats')) as unknown as Check;
      contenders.splice(1, 0, torch.contender('stats', 'torch: hooks, stats (HF gelu_new)', flops.total));
      contenders.splice(3, 0, torch.contender('stats+topk', `torch: hooks, stats+top${topK}`, flops.total));
      contenders.push(torch.contender('stats+fused-gelu', 'torch: hooks, stats, fused tanh GELU', flops.total));
    }
  }
  if (torchSkipped !== undefined) log(`PyTorch baseline skipped: ${torchSkipped}`);

  if (torch) contenders.push(torch.matmulContender());
  // the MatMul references: the large reference shape, and the model's FFN-in Gemm at this batch
  for (const [key, m, k, n, gemm] of [
    ['matmul', 2048, 768, 3072, false],
    ['gemm', tokens, spec.dModel, F, true],
  ] as const) {
    const r = await matmulReference(key, m, k, n, gemm);
    contenders.push(r.contender);
    closers.push(r.close);
  }

  log(`timing ${contenders.length} contenders in turn, ${threads} threads, about ${seconds} s each ...`);
  const { timings, failed } = await measure(contenders);
  for (const c of closers) await c();
  await torch?.close();

  let profile: { stats: OpShare[]; forward: OpShare[] } | undefined;
  if (args.profile) {
    log('profiling the stats graph and the forward-only graph per op ...');
    profile = { stats: await profileGraph(model, { stats: true }, 'stats', statsFeeds), forward: await profileGraph(model, { logits: 'last' }, 'forward', statsFeeds) };
  }
  const load1 = loadavg();

  // ---------------------------------------------------------------------------------------------
  // report

  const byKey = new Map(contenders.map((c) => [c.key, c]));
  const rate = (key: string): { tps?: number; gflops?: number; bestTps?: number; bestGflops?: number } => {
    const t = timings.get(key);
    const c = byKey.get(key);
    if (!t || !c) return {};
    return { tps: c.tokens / t.medianSeconds, gflops: c.flops / t.medianSeconds / 1e9, bestTps: c.tokens / t.bestSeconds, bestGflops: c.flops / t.bestSeconds / 1e9 };
  };
  const matmulRate = rate('matmul').gflops;
  const matmulBest = rate('matmul').bestGflops;
  const baseOf: Record<string, string> = {
    'ours stats': 'torch stats',
    'ours topk': 'torch stats+topk',
    'ours forward': 'torch stats',
    'torch stats': 'torch stats',
    'torch stats+topk': 'torch stats+topk',
    'torch stats+fused-gelu': 'torch stats',
  };
  const fmt = (n: number | undefined, d = 0): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
  const ratioText = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}x` : '-');
  const pct = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${((a / b) * 100).toFixed(0)}%` : '-');
  const header = ['', 'tokens/s', 'vs torch', 'GFLOP/s', 'of matmul', '|', 'best tok/s', 'vs torch', 'of matmul', '|', 'runs'];
  const rows: string[][] = [];
  const order = ['ours stats', 'ours topk', 'ours forward', 'torch stats', 'torch stats+topk', 'torch stats+fused-gelu'];
  for (const key of order) {
    const c = byKey.get(key);
    if (!c) continue;
    const r = rate(key);
    const base = rate(baseOf[key] ?? '');
    rows.push([
      c.label,
      fmt(r.tps),
      ratioText(r.tps, base.tps),
      fmt(r.gflops, 1),
      pct(r.gflops, matmulRate),
      '|',
      fmt(r.bestTps),
      ratioText(r.bestTps, base.bestTps),
      pct(r.bestGflops, matmulBest),
      '|',
      failed.has(key) ? 'failed' : `${timings.get(key)?.runs ?? 0}`,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out: string[] = [];
  out.push('');
  out.push(`FFN Lab capture bench — GPT-2-small-shaped random checkpoint, B=${B} x T=${T} (${tokens} tokens/run), fp32, ${threads} threads`);
  out.push(`machine: ${cpuModel()}, ${availableParallelism()} cores [${cpuFlags().join(' ')}], ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free); load avg ${load0[0]?.toFixed(2)} before, ${load1[0]?.toFixed(2)} after`);
  out.push(`ours: onnxruntime-node ${ort.env.versions.common}, provider ${built[0]?.provider ?? '?'}, graph optimization 'all'; node ${process.version}`);
  if (torch) {
    const i = torch.info;
    const ob = i.openblas ? `; OpenBLAS core ${i.openblas.core} (OPENBLAS_CORETYPE=${i.openblas.OPENBLAS_CORETYPE ?? 'unset'}), ${i.openblas.threads} threads, ${i.openblas.config}` : '';
    out.push(`PyTorch baseline: torch ${i.torch}, ${i.threads} threads, BLAS ${i.blas} -> ${i.blas_libs.map((p) => p.split('/').pop()).join(', ') || '?'}${ob}`);
    out.push('  plain-PyTorch GPT-2 (HF modeling_gpt2 eager layout), forward hooks on each MLP activation; no final norm, no lm head');
  } else out.push(`PyTorch baseline: SKIPPED — ${torchSkipped}`);
  out.push(`contenders ran in turn (one run each per round, ${gapMs} ms apart, after ${warmup} warm-up runs); left: from each one's median run, right: from its best run`);
  out.push('(the best run is the least disturbed by other load on a shared machine; "of matmul" on the right divides by the best MatMul run)');
  out.push('');
  out.push(line(header));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) out.push(line(r));
  out.push('');
  for (const key of ['matmul', 'gemm', 'torch matmul']) {
    const c = byKey.get(key);
    const t = timings.get(key);
    if (c && t) out.push(`measured ${key === 'torch matmul' ? '' : 'onnxruntime '}${c.label}: ${fmt(rate(key).gflops, 1)} GFLOP/s median of ${t.runs} runs (${(t.medianSeconds * 1000).toFixed(1)} ms), best ${fmt(rate(key).bestGflops, 1)}`);
  }
  out.push(`"of matmul" = GFLOP/s / the MatMul [2048x768]x[768x3072] rate (${fmt(matmulRate, 1)} median, ${fmt(matmulBest, 1)} best)`);
  out.push(FLOP_FORMULA);
  out.push(`  = ${(flops.linear / 1e9).toFixed(1)} linear + ${(flops.attention / 1e9).toFixed(1)} attention = ${(flops.total / 1e9).toFixed(1)} GFLOP per run`);
  out.push(`graph build + session create: ${built.map((b) => `${b.key.replace('ours ', '')} ${b.buildSeconds.toFixed(1)} s`).join(', ')}; checkpoint load ${loadSeconds.toFixed(1)} s${torch ? `; torch load ${torch.info.load_s.toFixed(1)} s` : ''}`);
  const tStats = rate('ours stats').tps;
  const tFwd = rate('ours forward').tps;
  if (tStats !== undefined && tFwd !== undefined) out.push(`stats head cost: ${((tFwd / tStats - 1) * 100).toFixed(1)}% more time per token than the forward only`);
  let checkDiff: Record<string, number> | undefined;
  if (ourCheck && torchCheck) {
    checkDiff = compareChecks(ourCheck, torchCheck);
    out.push(`cross-check, same ids, per-layer folds of the stats, max relative difference ours vs hooks: ${Object.entries(checkDiff).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
  }
  for (const [key, why] of failed) out.push(`FAILED ${byKey.get(key)?.label ?? key}: ${why}`);
  if (profile) {
    out.push('');
    out.push('onnxruntime profiler, kernel time per op type, ms per run (share): stats graph | forward-only graph');
    const fwd = new Map(profile.forward.map((p) => [p.op, p]));
    const cell = (p: OpShare | undefined): string => (p ? `${p.ms.toFixed(1).padStart(8)} (${(p.share * 100).toFixed(1).padStart(4)}%)` : `${'-'.padStart(8)}        `);
    for (const p of profile.stats) out.push(`  ${p.op.padEnd(20)} ${cell(p)} | ${cell(fwd.get(p.op))}`);
    for (const p of profile.forward.filter((q) => !profile?.stats.some((r) => r.op === q.op))) out.push(`  ${p.op.padEnd(20)} ${cell(undefined)} | ${cell(p)}`);
    const sum = (ps: OpShare[]): number => ps.reduce((a, p) => a + p.ms, 0);
    out.push(`  ${'total'.padEnd(20)} ${sum(profile.stats).toFixed(1).padStart(8)}         | ${sum(profile.forward).toFixed(1).padStart(8)}`);
  }
  const ratio = (rate('ours stats').tps ?? NaN) / (rate('torch stats').tps ?? NaN);
  const ratioBest = (rate('ours stats').bestTps ?? NaN) / (rate('torch stats').bestTps ?? NaN);
  const ratioTopk = (rate('ours topk').tps ?? NaN) / (rate('torch stats+topk').tps ?? NaN);
  const ratioTopkBest = (rate('ours topk').bestTps ?? NaN) / (rate('torch stats+topk').bestTps ?? NaN);
  const achieved = rate('ours stats').gflops;
  const fraction = (achieved ?? NaN) / (matmulRate ?? NaN);
  const fractionBest = (rate('ours stats').bestGflops ?? NaN) / (matmulBest ?? NaN);
  const finite = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);
  out.push('');
  out.push(`targets (from the issue, for context; not asserted): >= ${TARGET_RATIO}x the PyTorch baseline, >= ${TARGET_FRACTION * 100}% of the measured matmul rate on CPU`);
  out.push(`  measured (median / best run): stats ${fmt(finite(ratio), 2)}x / ${fmt(finite(ratioBest), 2)}x, stats+top${topK} ${fmt(finite(ratioTopk), 2)}x / ${fmt(finite(ratioTopkBest), 2)}x the baseline; stats head at ${fmt(finite(fraction * 100))}% / ${fmt(finite(fractionBest * 100))}% of the matmul rate`);
  console.log(out.join('\n'));

  const json = {
    date: new Date().toISOString(),
    settings: { batch: B, seq: T, tokensPerRun: tokens, seconds, warmup, gapMs, threads, topK, threshold, openblasCoretype: torch?.info.openblas?.OPENBLAS_CORETYPE ?? null },
    machine: { cpu: cpuModel(), cores: availableParallelism(), flags: cpuFlags(), memGiB: totalmem() / 2 ** 30, loadavgBefore: load0, loadavgAfter: load1, node: process.version, onnxruntime: ort.env.versions.common },
    model: { folder: relative(process.cwd(), folder), spec, checkpointBytes: ckpt.bytes, loadSeconds },
    flops: { formula: FLOP_FORMULA, perRun: flops },
    graphs: built,
    contenders: contenders.map((c) => ({ key: c.key, label: c.label, group: c.group, tokensPerRun: c.tokens, flopsPerRun: c.flops, ...rate(c.key), timing: timings.get(c.key), failed: failed.get(c.key) })),
    torch: torch ? torch.info : { skipped: torchSkipped },
    profile,
    summary: {
      oursStatsTokensPerSecond: tStats,
      oursStatsTopkTokensPerSecond: rate('ours topk').tps,
      oursForwardOnlyTokensPerSecond: tFwd,
      torchStatsTokensPerSecond: rate('torch stats').tps,
      torchStatsTopkTokensPerSecond: rate('torch stats+topk').tps,
      torchFusedGeluTokensPerSecond: rate('torch stats+fused-gelu').tps,
      ratioStats: finite(ratio),
      ratioStatsBestRun: finite(ratioBest),
      ratioStatsTopk: finite(ratioTopk),
      ratioStatsTopkBestRun: finite(ratioTopkBest),
      achievedGflops: achieved,
      achievedGflopsBestRun: rate('ours stats').bestGflops,
      matmulGflops: matmulRate,
      matmulGflopsBestRun: matmulBest,
      fractionOfMatmul: finite(fraction),
      fractionOfMatmulBestRun: finite(fractionBest),
      crossCheck: checkDiff,
      targets: { ratio: TARGET_RATIO, fractionOfMatmul: TARGET_FRACTION },
    },
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${relative(process.cwd(), outFile)}`);
}

await main();
