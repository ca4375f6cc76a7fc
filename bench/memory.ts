// `npm run bench -- --memory`: peak RSS and capture tokens/s of a Llama-shaped model (random
// weights) in three forms, each in its own process so its peak is its own:
//   fp32  every weight fp32 (as a safetensors fp32 checkpoint runs today)
//   q8_0  linear weights as ggml Q8_0 blocks run by MatMulNBits (8-bit), embeddings/norms fp32
//   q4_0  the same with Q4_0 (4-bit)
// The weights are generated tensor by tensor in the process (a fixed seed per tensor) and, for the
// quantized forms, quantized at once, so the process holds only the form's bytes, as it would
// after reading such a checkpoint; they are not written to a file (no GGUF reader is wired into
// loading yet). "checkpoint bytes" is what the weights take in that form (fp32: 4 bytes per
// weight; Q8_0 34 and Q4_0 18 bytes per 32 weights; embeddings/norms fp32). Also prints the
// memory estimate FfnSession.create checks (native-models/runtime/memory.ts). Nothing is asserted.
// Size: FFN_BENCH_MEMORY_SIZE = D,F,L,V (default 768,2048,12,32000: 134M parameters).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gaussian, prng } from '../common/prng.js';
import { quantizeGgml } from '../native-models/graph/test-support/ggml-quantize.js';
import { llamaShapedSpec } from '../native-models/graph/test-support/random-model.js';
import { BLOCK_BYTES, QK } from '../native-models/graph/quantized.js';
import { paramShapes } from '../native-models/runtime/memory.js';
import { FfnSession, sessionMemory } from '../native-models/runtime/session.js';
import { float32, int64 } from '../native-models/runtime/tensors.js';
import { type LoadedModel, type QuantizedWeight, W, type WeightTensor } from '../native-models/spec.js';

const [D, F, L, V] = (process.env['FFN_BENCH_MEMORY_SIZE'] ?? '768,2048,12,32000').split(',').map(Number) as [number, number, number, number];
const B = 4;
const T = 256;
const BATCHES = Number(process.env['FFN_BENCH_BATCHES'] ?? 4);
const MiB = 2 ** 20;
type Form = 'fp32' | 'q8_0' | 'q4_0';

const spec = llamaShapedSpec(D, F, L, V, { architecture: 'bench-llama', maxPositions: 2048, normEps: 1e-5 });

function shapeOf(name: string): number[] {
  if (name === W.tokenEmbedding || name === W.lmHead) return [V, D];
  if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name === W.finalNormWeight) return [D];
  if (name.endsWith('mlp.out.weight')) return [D, F];
  if (name.includes('.mlp.')) return [F, D];
  return [D, D];
}

function generate(name: string, index: number): Float32Array {
  const shape = shapeOf(name);
  const n = shape.reduce((a, b) => a * b, 1);
  const normal = gaussian(prng(1000 + index));
  const data = new Float32Array(n);
  if (shape.length === 1) data.fill(1);
  else for (let i = 0; i < n; i++) data[i] = normal() * (1 / Math.sqrt(shape[1] as number));
  return data;
}

/** The model in one form, generated (and quantized) tensor by tensor. */
function benchModel(form: Form): { model: LoadedModel; checkpointBytes: number } {
  const names = [...paramShapes(spec).keys()];
  const fp32 = new Map<string, WeightTensor>();
  const blocks = new Map<string, Uint8Array>();
  let checkpointBytes = 0;
  names.forEach((name, i) => {
    const shape = shapeOf(name);
    const data = generate(name, i);
    if (form !== 'fp32' && shape.length === 2 && name !== W.tokenEmbedding) {
      const b = quantizeGgml(form, data);
      blocks.set(name, b);
      checkpointBytes += b.length;
    } else {
      fp32.set(name, { shape, data });
      checkpointBytes += data.byteLength;
    }
  });
  const model: LoadedModel = {
    spec,
    source: { paths: [], sha256: `bench-memory-${form}-${D}-${F}-${L}-${V}`, format: 'safetensors' },
    weightNames: () => names,
    weight(name) {
      const t = fp32.get(name);
      if (!t) throw new Error(`bench: ${name} is kept quantized`);
      return t;
    },
    quantized(name): QuantizedWeight | null {
      const b = blocks.get(name);
      if (!b || form === 'fp32') return null;
      const [rows, cols] = shapeOf(name) as [number, number];
      return { kind: form, rows, cols, bytes: () => b };
    },
  };
  return { model, checkpointBytes };
}

async function child(form: Form): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const { model, checkpointBytes } = benchModel(form);
  const graph = { stats: true, moments: true, tokenMask: true, topK: 16, residTopK: 8 };
  const estimate = sessionMemory(model, graph, { rows: B, seqLen: T });
  // the fp32 tensors quantized above are garbage: collect them so the peak is the session's
  (globalThis as { gc?: () => void }).gc?.();
  const rssWeights = process.memoryUsage().rss;
  const t0 = performance.now();
  const session = await FfnSession.create(model, graph, { workload: { rows: B, seqLen: T } });
  const createS = (performance.now() - t0) / 1000;
  const rssSession = process.memoryUsage().rss;
  const rand = prng(9);
  const feeds = (): Record<string, ReturnType<typeof int64>> => ({
    input_ids: int64(Array.from({ length: B * T }, () => Math.floor(rand() * V)), [B, T]),
    token_mask: float32(new Float32Array(B * T).fill(1), [B, T]),
    threshold: float32([0], []),
  });
  await session.run(feeds()); // warm-up
  const t1 = performance.now();
  for (let i = 0; i < BATCHES; i++) await session.run(feeds());
  const tokensPerS = (BATCHES * B * T) / ((performance.now() - t1) / 1000);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ form, checkpointBytes, rss0, rssWeights, rssSession, peak, createS, tokensPerS, estimate: estimate.total }));
  await session.release();
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

interface Row {
  form: Form;
  checkpointBytes: number;
  rss0: number;
  rssWeights: number;
  rssSession: number;
  peak: number;
  createS: number;
  tokensPerS: number;
  estimate: number;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at >= 0) return child(process.argv[at + 1] as Form);
  const params = [...paramShapes(spec).values()].reduce((a, b) => a + b, 0);
  console.log(`memory bench: Llama-shaped D=${D} F=${F} L=${L} V=${V} heads=${D / 64}, ${(params / 1e6).toFixed(0)}M parameters (random weights, untied head); capture graph (stats, moments, top-16, resid top-8), B=${B} x T=${T}, ${BATCHES} batches after one warm-up`);
  console.log(`machine: ${cpuModel()}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; onnxruntime-node CPU, ${availableParallelism()} threads`);
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const form of ['fp32', 'q8_0', 'q4_0'] as const) {
    const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', form], { encoding: 'utf8', maxBuffer: 1 << 20 });
    rows.push(JSON.parse(out.trim().split('\n').pop() as string) as Row);
  }
  const fp = rows[0] as Row;
  console.log('form   checkpoint  weights read  after create  peak RSS  peak/ckpt  (peak-base)/ckpt  estimate  create s  tokens/s  vs fp32');
  for (const r of rows) {
    const net = r.peak - r.rss0;
    console.log(
      `${r.form.padEnd(6)} ${(r.checkpointBytes / MiB).toFixed(0).padStart(7)} MiB ${((r.rssWeights - r.rss0) / MiB).toFixed(0).padStart(7)} MiB ${((r.rssSession - r.rss0) / MiB).toFixed(0).padStart(8)} MiB ${(r.peak / MiB).toFixed(0).padStart(5)} MiB ${(r.peak / r.checkpointBytes).toFixed(2).padStart(9)}x ${(net / r.checkpointBytes).toFixed(2).padStart(15)}x ${(r.estimate / MiB).toFixed(0).padStart(6)} MiB ${r.createS.toFixed(1).padStart(8)} ${r.tokensPerS.toFixed(0).padStart(9)} ${(r.tokensPerS / fp.tokensPerS).toFixed(2).padStart(7)}x`,
    );
  }
  console.log(`weights read / after create: RSS above base at those points; estimate: what FfnSession.create checks (runtime/memory.ts)`);
  console.log(`base = RSS of the process before the weights (node + onnxruntime loaded: ${(fp.rss0 / MiB).toFixed(0)} MiB). Q8_0 and Q4_0 run as MatMulNBits (fp32 activations, accuracy_level 1); block sizes: Q8_0 ${BLOCK_BYTES.q8_0} B, Q4_0 ${BLOCK_BYTES.q4_0} B per ${QK} weights.`);
}

await main();
