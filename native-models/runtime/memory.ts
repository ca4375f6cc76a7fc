// How much memory a session needs, and whether this machine has it, asked before the graph is
// built, so a model too large for the machine is refused with the numbers and the options instead
// of the process being killed by the OS.
//
// The estimate (bytes, host memory):
//   host weights    the model's weights as LoadedModel holds them once read: fp32 (4 bytes per
//                   weight) or, for weights kept quantized, their ggml blocks; F16 / BF16 weights
//                   kept in 16 bits are not held (read from the file into the graph's side file)
//   graph weights x CREATE_FACTOR
//                   the weights in the graph's form (fp32, or MatMulNBits' packed blocks + fp32
//                   scales (+ offsets, zero points): 5 bits per weight for Q4_0, 6-6.1 for Q3_K,
//                   Q4_1, Q4_K, 8 for Q2_K, 9 for Q8_0, Q5_0, 10 for Q5_1, Q5_K, Q6_K) are held by the
//                   encoded graph,
//                   by onnxruntime's initializers and by its pre-packed copies while the session is
//                   made; measured 1.8-2x the graph's weights at the peak of FfnSession.create
//                   (onnxruntime-node 1.30, CPU; runtime/memory.test.ts checks it)
//   working set     the run's activations: 4 bytes x [N*T x (6 D + f F + 2.5 V with full logits
//                   + 8 L F with statistics or top-k heads)
//                   + 3 N H T^2 (attention scores, masked, probabilities)] for N rows (conditions x
//                   batch) of T tokens; f = 4, + 4 with stats, + 2 with top-k, + 3 per tapped layer;
//                   + the fp32 copy of the largest 8-bit MatMulNBits weight (unpackedParams)
//                   + the fp32 copy of the largest 16-bit weight (cast right before its use)
//   16-bit weights  2 bytes each x HALF_CREATE_FACTOR (mapped once from the side file, no pre-packing)
//   overhead        onnxruntime's runtime, thread pools and allocator slack: OVERHEAD_BYTES
// and the sum times MARGIN.
// Activations and statistics are fp32 whatever the weights' form.

import { existsSync, readFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import type { GraphOptions } from '../graph/builder.js';
import { LAZY_EXTERNAL_BYTES } from '../graph/graph.js';
import { FORMS, ggmlBytes, matMulNBitsParamBytes } from '../graph/quantized.js';
import { type LoadedModel, type ModelSpec, type QuantizedWeight, W } from '../spec.js';

export const CREATE_FACTOR = 2;
/**
 * 16-bit weights (F16 / BF16 kept as they are) go to the graph's side file and onnxruntime maps
 * it: they take their size once, as the run touches them (1B parameters, bench --memory: 1.97 GiB
 * of mapped weights at the run's peak), and are not pre-packed
 */
export const HALF_CREATE_FACTOR = 1;
export const OVERHEAD_BYTES = 80 * 2 ** 20;
/** the sum above x MARGIN: measured peaks came within 0.5-1.0x of the estimate (memory.test.ts; bench --memory) */
export const MARGIN = 1.1;

/** What one run feeds the graph: N rows (conditions x sequences) of T tokens. */
export interface Workload {
  rows: number;
  seqLen: number;
}

export interface WeightForms {
  /** weights held as fp32 */
  fp32Params: number;
  /** weights kept quantized, by kind */
  quantized: { kind: QuantizedWeight['kind']; params: number }[];
  /**
   * the largest weight in an 8-bit MatMulNBits form (Q8_0, Q5_*, Q6_K), when there is one:
   * onnxruntime-node 1.30's CPU kernel dequantizes such a weight to a temporary fp32 copy on every
   * run (its unpacked path; graph/quantized.ts), so the run needs that much more
   */
  unpackedParams?: number;
  /** weights kept as float16 / bfloat16 initializers (F16 / BF16 checkpoints; graph/context.ts), when any */
  halfParams?: number;
  /** the largest of those: each is cast to a temporary fp32 copy right before its use in a run */
  largestHalf?: number;
}

export interface MemoryEstimate {
  hostWeights: number;
  graphWeights: number;
  /** graphWeights x CREATE_FACTOR */
  creation: number;
  workingSet: number;
  overhead: number;
  total: number;
  workload: Workload;
}

/** Parameters of every canonical weight of a spec (tied head counted once), from its sizes. */
export function paramShapes(spec: ModelSpec): Map<string, number> {
  const { vocabSize: V, dModel: D, dFf: F, nHeads: H, nKvHeads: Hkv, headDim: hd } = spec;
  const m = new Map<string, number>([[W.tokenEmbedding, V * D]]);
  if (spec.positional.kind === 'learned') m.set(W.positionEmbedding, (spec.maxPositions + spec.positional.offset) * D);
  const ln = spec.norm === 'layernorm' ? 2 : 1;
  for (let i = 0; i < spec.nLayers; i++) {
    const n = W.layer(i);
    m.set(n.norm1Weight, ln * D);
    m.set(n.norm2Weight, ln * D);
    m.set(n.q, H * hd * D + (spec.bias.qkv ? H * hd : 0));
    m.set(n.k, Hkv * hd * D + (spec.bias.qkv ? Hkv * hd : 0));
    m.set(n.v, Hkv * hd * D + (spec.bias.qkv ? Hkv * hd : 0));
    m.set(n.o, D * H * hd + (spec.bias.attnOut ? D : 0));
    m.set(n.mlpIn, F * D + (spec.bias.mlp ? F : 0));
    if (spec.gated) m.set(n.mlpGate, F * D);
    m.set(n.mlpOut, D * F + (spec.bias.mlp ? D : 0));
  }
  m.set(W.finalNormWeight, ln * D);
  if (!spec.tiedEmbeddings) m.set(W.lmHead, V * D);
  return m;
}

/**
 * Which weights the graph will hold quantized or in 16 bits (asks quantized() and half() for
 * sizes; reads no bytes), for the graph options fp32Weights (16-bit weights expanded to fp32) and
 * precision (fp16: every other matrix held as float16 too, the token embedding excepted: Gather
 * reads it in fp32 unless the file stores it in 16 bits).
 */
export function weightForms(model: LoadedModel, graph: Pick<GraphOptions, 'fp32Weights' | 'precision'> = {}): WeightForms {
  const fp32Weights = graph.fp32Weights ?? false;
  const shapes = paramShapes(model.spec);
  const names = new Set(model.weightNames());
  const byKind = new Map<QuantizedWeight['kind'], number>();
  let fp32Params = 0;
  let unpacked = 0;
  let halfParams = 0;
  let largestHalf = 0;
  for (const [name, params] of shapes) {
    // the token embedding is read by Gather, which needs fp32 (and so does a head tied to it)
    const q = name !== W.tokenEmbedding && names.has(name) ? (model.quantized?.(name) ?? null) : null;
    // F16 / BF16: kept in 16 bits, the token embedding too (gathered in 16 bits, then cast)
    const h = q === null && !fp32Weights && names.has(name) ? (model.half?.(name) ?? null) : null;
    if (h !== null) {
      const n = (h.shape[0] ?? 0) * (h.shape[1] ?? 0);
      halfParams += n;
      largestHalf = Math.max(largestHalf, n);
      fp32Params += params - n; // its bias
      continue;
    }
    if (q === null) {
      // fp16 precision: the matrices of linear() and their biases (norms and embeddings stay fp32);
      // the Gemms read them as they are, so none is cast to an fp32 copy (largestHalf)
      if (graph.precision === 'fp16' && names.has(name) && !name.includes('norm') && name !== W.tokenEmbedding && name !== W.positionEmbedding) {
        halfParams += params;
      } else {
        fp32Params += params;
      }
      continue;
    }
    byKind.set(q.kind, (byKind.get(q.kind) ?? 0) + q.rows * q.cols);
    fp32Params += params - q.rows * q.cols; // its bias
    if (FORMS[q.kind].bits === 8) unpacked = Math.max(unpacked, q.rows * q.cols);
  }
  return {
    fp32Params,
    quantized: [...byKind].map(([kind, params]) => ({ kind, params })),
    ...(unpacked > 0 ? { unpackedParams: unpacked } : {}),
    ...(halfParams > 0 ? { halfParams, largestHalf } : {}),
  };
}

/** The estimate for a session of `graph` running `workload` (pure). */
export function estimateMemory(spec: ModelSpec, forms: WeightForms, graph: GraphOptions, workload: Workload): MemoryEstimate {
  const { dModel: D, dFf: F, vocabSize: V, nHeads: H } = spec;
  const hostWeights = forms.fp32Params * 4 + forms.quantized.reduce((a, q) => a + ggmlBytes(q.kind, q.params), 0);
  // 16-bit weights are not held by the host: read from the file when the graph is encoded, one at a time
  const halfBytes = 2 * (forms.halfParams ?? 0);
  const graphWeights = forms.fp32Params * 4 + forms.quantized.reduce((a, q) => a + matMulNBitsParamBytes(q.kind, q.params), 0) + halfBytes;
  const N = workload.rows;
  const T = workload.seqLen;
  const fullLogits = graph.logits === 'all' || graph.nll || graph.kl || graph.top1;
  let perF = 4;
  if (graph.stats) perF += 4;
  if ((graph.topK ?? 0) > 0) perF += 2;
  const taps = new Set(graph.taps ?? []).size;
  const perToken = 6 * D + perF * F + (fullLogits ? 2.5 * V : 0) + taps * (2 * F + D);
  // the statistics heads keep per-layer [N*T, F] temporaries alive across layers (measured at
  // 134M parameters / 12 layers: about 8 floats per token, neuron and layer at the run's peak)
  const perLayer = graph.stats || (graph.topK ?? 0) > 0 || (graph.residTopK ?? 0) > 0 ? 8 * spec.nLayers * F : 0;
  const workingSet = 4 * (N * T * (perToken + perLayer) + 3 * N * H * T * T + (graph.logits === 'last' ? N * V : 0) + (forms.unpackedParams ?? 0) + (forms.largestHalf ?? 0));
  // 16-bit weights are held once (HALF_CREATE_FACTOR) when they go to the side file (past
  // LAZY_EXTERNAL_BYTES, graph.ts), mapped and never pre-packed; inline, like the rest
  const halfFactor = halfBytes > LAZY_EXTERNAL_BYTES ? HALF_CREATE_FACTOR : CREATE_FACTOR;
  const creation = (graphWeights - halfBytes) * CREATE_FACTOR + halfBytes * halfFactor;
  const total = (hostWeights + creation + workingSet + OVERHEAD_BYTES) * MARGIN;
  return { hostWeights, graphWeights, creation, workingSet, overhead: OVERHEAD_BYTES, total, workload };
}

/** Memory this process may still use, and where the figure comes from. */
export interface Available {
  bytes: number;
  source: string;
}

/** "12G", "512M", "2048" (bytes) -> bytes. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

function readNumber(file: string): number | null {
  try {
    if (!existsSync(file)) return null;
    const t = readFileSync(file, 'utf8').trim();
    if (t === 'max') return null;
    const n = Number(t);
    // cgroup v1 writes a huge number for "no limit"
    return Number.isFinite(n) && n < 2 ** 60 ? n : null;
  } catch {
    return null;
  }
}

/**
 * FFN_LAB_MEMORY_LIMIT (bytes, or 512M / 12G) when set; otherwise the smaller of the OS's available
 * memory (os.freemem: MemAvailable on Linux) and the cgroup's limit less its usage, when one is set.
 */
export function availableMemory(env: NodeJS.ProcessEnv = process.env): Available {
  const forced = env['FFN_LAB_MEMORY_LIMIT'];
  if (forced !== undefined && forced !== '') {
    const b = parseBytes(forced);
    if (b === null) throw new Error(`FFN_LAB_MEMORY_LIMIT=${JSON.stringify(forced)}: expected bytes, or a number with K, M, G or T (e.g. 12G)`);
    return { bytes: b, source: 'FFN_LAB_MEMORY_LIMIT' };
  }
  let best: Available = { bytes: freemem(), source: `available system memory (of ${gib(totalmem())} total)` };
  const cgroups: [string, string][] = [
    ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory.current'],
    ['/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory/memory.usage_in_bytes'],
  ];
  for (const [limitFile, usageFile] of cgroups) {
    const limit = readNumber(limitFile);
    if (limit === null) continue;
    const left = limit - (readNumber(usageFile) ?? 0);
    if (left < best.bytes) best = { bytes: Math.max(0, left), source: `the container's memory limit (${gib(limit)}) less its usage` };
    break;
  }
  return best;
}

export function gib(b: number): string {
  return `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;
}

export class MemoryLimitError extends Error {
  constructor(
    message: string,
    readonly estimate: MemoryEstimate,
    readonly available: Available,
  ) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}

/** Throws MemoryLimitError when the estimate exceeds what is available. */
export function checkMemory(spec: ModelSpec, forms: WeightForms, e: MemoryEstimate, available: Available): void {
  if (e.total <= available.bytes) return;
  const params = forms.fp32Params + (forms.halfParams ?? 0) + forms.quantized.reduce((a, q) => a + q.params, 0);
  const kept = [...(forms.halfParams ? [{ kind: '16-bit', params: forms.halfParams }] : []), ...forms.quantized];
  const form = kept.length === 0 ? 'fp32' : `fp32 + ${kept.map((q) => `${q.kind} (${(q.params / 1e6).toFixed(0)}M)`).join(', ')}`;
  const q4 = estimateMemory(spec, { fp32Params: params - quantizableParams(spec), quantized: [{ kind: 'q4_0', params: quantizableParams(spec) }] }, {}, { rows: 0, seqLen: 0 });
  throw new MemoryLimitError(
    `not enough memory for ${spec.architecture} (${(params / 1e6).toFixed(0)}M parameters, weights ${form}): it needs about ${gib(e.total)} ` +
      `(weights ${gib(e.hostWeights)} read + ${gib(e.creation)} while the session is made, working set ${gib(e.workingSet)} for ${e.workload.rows} rows x ${e.workload.seqLen} tokens, ${gib(e.overhead)} runtime) ` +
      `but ${gib(available.bytes)} is available (${available.source}). Options: a quantized checkpoint (a GGUF of Q4_0 ... Q6_K blocks runs as MatMulNBits; its weights would need about ${gib(q4.total - q4.overhead)} as Q4_0), ` +
      'a smaller batch or sequence length (the working set grows with rows x tokens, and attention with tokens squared), ' +
      'or a GPU provider (--providers cuda). FFN_LAB_MEMORY_LIMIT=<bytes|12G> overrides the limit if the estimate is wrong for this machine.',
    e,
    available,
  );
}

/** Parameters of the 2-D linear weights (all but embeddings and norms), which can run quantized. */
function quantizableParams(spec: ModelSpec): number {
  const { dModel: D, dFf: F, nHeads: H, nKvHeads: Hkv, headDim: hd, vocabSize: V } = spec;
  return spec.nLayers * (2 * H * hd * D + 2 * Hkv * hd * D + (spec.gated ? 3 : 2) * F * D) + (spec.tiedEmbeddings ? 0 : V * D);
}
