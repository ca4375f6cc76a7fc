// `npm run bench -- --memory`: peak RSS against the checkpoint's bytes, and capture tokens/s, of a
// Llama-shaped checkpoint of ~1.1B parameters (TinyLlama's shape, random weights) written into
// bench/.cache (bench/llama-checkpoint.ts), in three forms, each in its own process so its peak is
// its own:
//   f16→fp32  the F16 safetensors folder with GraphOptions.fp32Weights: every weight an fp32
//             initializer (how F16 checkpoints ran before they were kept in 16 bits)
//   f16       the same folder, weights kept as 16-bit initializers cast at use (graph/context.ts)
//   q4_k      a GGUF with Q4_K linear weights (token embedding F16, norms F32), in whatever form
//             the loader offers them (printed: MatMulNBits when kept quantized, else fp32)
//   q4_0, q5_k, q6_k, ... (any ggml block type, on request) the same GGUF with that type
// "kept" is the weights' bytes as the graph holds them (the estimate's graph weights).
// Each process goes through three phases and records the peak RSS of each (VmHWM, reset between
// phases through /proc/self/clear_refs; Linux only, else the process's peak so far):
//   build   the graph built and written to the graph cache (weights streamed to the side file)
//   create  onnxruntime's session made from the cached graph
//   run     one warm-up batch and FFN_BENCH_BATCHES (default 2) timed batches of B x T tokens
// "peak / ckpt" is the largest of the three over the checkpoint's weight-file bytes (target 1.3x).
// Also prints the memory estimate FfnSession.create checks (native-models/runtime/memory.ts).
// Nothing is asserted.
// Size: FFN_BENCH_MEMORY_SIZE = D,F,L,V,H,KV (default 2048,5632,22,32000,32,4); forms:
// FFN_BENCH_MEMORY_FORMS (default f16→fp32,f16,q4_k; "fp32" is accepted for f16→fp32); batch:
// FFN_BENCH_MEMORY_BATCH = B,T (default 1,128).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../common/prng.js';
import { type GraphOptions } from '../native-models/graph/builder.js';
import { loadModel } from '../native-models/load.js';
import { cachedGraphPath } from '../native-models/runtime/graph-cache.js';
import { weightForms } from '../native-models/runtime/memory.js';
import { FfnSession, sessionMemory } from '../native-models/runtime/session.js';
import { float32, int64 } from '../native-models/runtime/tensors.js';
import { type BenchQuant, ensureGgufQ4K, ensureSafetensorsF16, LLAMA_1B, type LlamaShape, paramCount } from './llama-checkpoint.js';

const sizeEnv = process.env['FFN_BENCH_MEMORY_SIZE'];
const [D, F, L, V, H, KV] = sizeEnv ? (sizeEnv.split(',').map(Number) as [number, number, number, number, number, number]) : [LLAMA_1B.dModel, LLAMA_1B.dFf, LLAMA_1B.nLayers, LLAMA_1B.vocab, LLAMA_1B.nHeads, LLAMA_1B.nKvHeads];
const shape: LlamaShape = { dModel: D, dFf: F, nLayers: L, vocab: V, nHeads: H, nKvHeads: KV, maxPositions: 2048 };
const [B, T] = (process.env['FFN_BENCH_MEMORY_BATCH'] ?? '1,128').split(',').map(Number) as [number, number];
const BATCHES = Number(process.env['FFN_BENCH_BATCHES'] ?? 2);
const MiB = 2 ** 20;
const FORMS = ['f16→fp32', 'f16', 'q4_k'] as const;
/** every ggml block type can be a form too (its GGUF written like the Q4_K one): FFN_BENCH_MEMORY_FORMS=f16→fp32,q4_0,q4_k,q5_k,q6_k */
const QUANTS: readonly BenchQuant[] = ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'q2_k', 'q3_k', 'q4_k', 'q5_k', 'q6_k'];
type Form = (typeof FORMS)[number] | BenchQuant;
const isQuant = (f: string): f is BenchQuant => (QUANTS as readonly string[]).includes(f);
const graph: GraphOptions = { stats: true, moments: true, tokenMask: true, topK: 16, residTopK: 8 };

const cacheRoot = join(process.env['FFN_BENCH_DIR'] ?? join(fileURLToPath(import.meta.url), '..', '..'), '.cache');
const tag = `${D}-${F}-${L}-${V}-${H}-${KV}`;
const paths = { f16: join(cacheRoot, `llama-f16-${tag}`), quant: (q: BenchQuant): string => join(cacheRoot, `llama-${q}-${tag}.gguf`) };

/** Peak RSS since the last reset (VmHWM), and the reset; falls back to the process's peak. */
function hwm(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1]) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: phases then report the peak so far
  }
}
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

interface Row {
  form: Form;
  weights: string;
  checkpointBytes: number;
  /** the weights as the graph holds them (fp32 / fp16 initializers, MatMulNBits blocks + scales + offsets): the estimate's graph weights */
  keptBytes: number;
  rss0: number;
  build: number;
  create: number;
  run: number;
  rssSession: number;
  buildS: number;
  createS: number;
  tokensPerS: number;
  estimate: number;
}

async function child(form: Form): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const path = isQuant(form) ? paths.quant(form) : paths.f16;
  const checkpointBytes = statSync(isQuant(form) ? path : join(path, 'model.safetensors')).size;
  const options: GraphOptions = { ...graph, fp32Weights: form === 'f16→fp32' };
  const graphDir = join(cacheRoot, `graphs-${process.pid}`);
  // the build's model goes out of scope with this function, so its weights can be collected
  const buildPhase = async (): Promise<{ buildS: number; build: number }> => {
    resetPeak();
    const built = loadModel(path);
    const t0 = performance.now();
    await cachedGraphPath(built, options, graphDir, 'auto');
    return { buildS: (performance.now() - t0) / 1000, build: hwm() };
  };
  const { buildS, build } = await buildPhase();
  gc();
  resetPeak();
  const model = loadModel(path);
  const forms = weightForms(model, options);
  const weights = [
    `fp32 ${(forms.fp32Params / 1e6).toFixed(0)}M`,
    ...(forms.halfParams ? [`16-bit ${(forms.halfParams / 1e6).toFixed(0)}M`] : []),
    ...forms.quantized.map((q) => `${q.kind} ${(q.params / 1e6).toFixed(0)}M`),
  ].join(' + ');
  const est = sessionMemory(model, options, { rows: B, seqLen: T });
  const estimate = est.total;
  const keptBytes = est.graphWeights;
  const t1 = performance.now();
  const session = await FfnSession.create(model, options, { cacheDir: graphDir, workload: { rows: B, seqLen: T } });
  const createS = (performance.now() - t1) / 1000;
  gc();
  const create = hwm();
  const rssSession = process.memoryUsage().rss;
  resetPeak();
  const rand = prng(9);
  const feeds = (): Record<string, ReturnType<typeof int64>> => ({
    input_ids: int64(Array.from({ length: B * T }, () => Math.floor(rand() * V)), [B, T]),
    token_mask: float32(new Float32Array(B * T).fill(1), [B, T]),
    threshold: float32([0], []),
  });
  await session.run(feeds()); // warm-up
  const t2 = performance.now();
  for (let i = 0; i < BATCHES; i++) await session.run(feeds());
  const tokensPerS = (BATCHES * B * T) / ((performance.now() - t2) / 1000);
  const run = hwm();
  await session.release();
  rmSync(graphDir, { recursive: true, force: true });
  const row: Row = { form, weights, checkpointBytes, keptBytes, rss0, build, create, run, rssSession, buildS, createS, tokensPerS, estimate };
  console.log(JSON.stringify(row));
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

const mib = (b: number): string => `${(b / MiB).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at >= 0) return child(process.argv[at + 1] as Form);
  const wanted = (process.env['FFN_BENCH_MEMORY_FORMS'] ?? FORMS.join(','))
    .split(',')
    .map((f) => (f.trim() === 'fp32' ? 'f16→fp32' : f.trim()))
    .filter((f): f is Form => (FORMS as readonly string[]).includes(f) || isQuant(f));
  console.log(`memory bench: Llama-shaped D=${D} F=${F} L=${L} V=${V} heads=${H}/${KV}, ${(paramCount(shape) / 1e9).toFixed(2)}B parameters (random weights, untied head); capture graph (stats, moments, top-16, resid top-8), B=${B} x T=${T}, ${BATCHES} batches after one warm-up`);
  console.log(`machine: ${cpuModel()}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; onnxruntime-node CPU, ${availableParallelism()} threads`);
  const f16 = ensureSafetensorsF16(paths.f16, shape);
  console.log(`checkpoint F16 safetensors: ${mib(f16.bytes)} ${f16.reused ? '(reused)' : `(written in ${f16.writeSeconds.toFixed(0)} s)`} ${f16.path}`);
  for (const form of wanted.filter(isQuant)) {
    const q = ensureGgufQ4K(paths.quant(form), shape, form);
    console.log(`checkpoint ${form.toUpperCase()} GGUF: ${mib(q.bytes)} ${q.reused ? '(reused)' : `(written in ${q.writeSeconds.toFixed(0)} s)`} ${q.path}`);
  }
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  const refused: string[] = [];
  for (const form of wanted) {
    try {
      const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', form], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
      rows.push(JSON.parse(out.trim().split('\n').pop() as string) as Row);
    } catch (e) {
      // a form the memory check refuses (or that fails) is reported, and the others still run
      const stderr = String((e as { stderr?: unknown }).stderr ?? e);
      refused.push(`${form}: ${/(MemoryLimitError: [^\n]*)/.exec(stderr)?.[1] ?? stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
  }
  for (const r of refused) console.log(`refused or failed: ${r}`);
  const base = rows.find((r) => r.form === 'f16→fp32');
  console.log('form       checkpoint       kept   build peak  create peak   run peak  peak/ckpt  estimate  build s  create s  tokens/s  vs fp32  weights in the graph');
  for (const r of rows) {
    const peak = Math.max(r.build, r.create, r.run);
    console.log(
      `${r.form.padEnd(9)} ${mib(r.checkpointBytes).padStart(10)} ${mib(r.keptBytes).padStart(10)} ${mib(r.build).padStart(12)} ${mib(r.create).padStart(12)} ${mib(r.run).padStart(10)} ${(peak / r.checkpointBytes).toFixed(2).padStart(9)}x ${mib(r.estimate).padStart(9)} ${r.buildS.toFixed(1).padStart(8)} ${r.createS.toFixed(1).padStart(9)} ${r.tokensPerS.toFixed(1).padStart(9)} ${base ? `${(r.tokensPerS / base.tokensPerS).toFixed(2)}x`.padStart(8) : '       -'}  ${r.weights}`,
    );
  }
  console.log(`peaks are the process's RSS (base ${mib(rows[0]?.rss0 ?? 0)}: node + onnxruntime loaded); build: graph built and its weights written to the side file; create: onnxruntime session from that file; run: warm-up + timed batches`);
  console.log('f16: 2-D weights are float16 initializers, cast to fp32 right before each use (fp32 activations and statistics); f16→fp32: the same checkpoint expanded to fp32 initializers');
  if (!existsSync(paths.f16)) console.log('(checkpoints missing?)');
}

await main();
