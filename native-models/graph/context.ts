// What every part of the transformer graph needs: the graph, the spec, weights by canonical name
// (registered as initializers on first use), and the run-time sizes as int64 tensors.

import { toHalf } from '../../common/half.js';
import { type HalfWeight, type LoadedModel, type ModelSpec } from '../spec.js';
import { attr, Graph } from './graph.js';
import { toMatMulNBits } from './quantized.js';

/** A weight held as a float16 / bfloat16 initializer, cast to fp32 where it is used. */
export interface HalfInit {
  init: string;
  /** [rows, cols] as stored (canonical [out, in]) */
  shape: readonly [number, number];
}

/** A weight held as MatMulNBits inputs (graph/quantized.ts). */
export interface QuantizedInit {
  packed: string;
  scales: string;
  /** uint8 zero points (each block's centring shift, graph/quantized.ts); absent: the op's default */
  zeroPoints?: string;
  /** [K/blockSize, N] per-block offsets (the type's minimum, re-centred) added as block sums of x @ offsets */
  offsets?: string;
  bits: number;
  blockSize: number;
  N: number;
  K: number;
}

/**
 * What the weight matrix products compute in. 'fp16': every linear() (attention projections, FFN,
 * router, head) takes float16 weights and a float16 copy of its input and casts its result back to
 * fp32; norms, attention scores, activations, the taps and every statistic stay fp32. For GPU
 * providers (runtime/session.ts refuses it on CPU, where onnxruntime would only cast back).
 */
export type Precision = 'fp32' | 'fp16';

/** float16's largest finite value: a weight beyond it cannot be held in fp16 */
const HALF_MAX = 65504;

export interface BuildContext {
  g: Graph;
  spec: ModelSpec;
  precision: Precision;
  /** the canonical weight as an initializer name (registered once, shared by every use) */
  w(name: string): string;
  has(name: string): boolean;
  /**
   * the weight as MatMulNBits inputs when the model keeps it quantized and it is not already an
   * fp32 initializer (a tied embedding read by Gather first stays fp32 for the head too)
   */
  q(name: string): QuantizedInit | undefined;
  /**
   * the 2-D weight as a 16-bit initializer when the checkpoint stores it as F16 / BF16 (unless the
   * graph forces fp32 weights) and it is not already an fp32 initializer
   */
  h(name: string): HalfInit | undefined;
  /**
   * precision 'fp16': the weight as a float16 initializer (an F16 checkpoint's bytes as stored, any
   * other converted once, refused by name beyond float16's range), unless it is already an fp32
   * initializer (a tied embedding read by Gather first) or quantized
   */
  w16(name: string): string | undefined;
  /** sequence length T as int64 [1] and as a scalar */
  T1: string;
  T: string;
  /** tokens of one condition, B*T, as int64 [1] */
  BT1: string;
}

export interface ContextOptions {
  /** F16 / BF16 weights become fp32 initializers (twice the memory) instead of 16-bit ones */
  fp32Weights?: boolean;
  /** default 'fp32' */
  precision?: Precision;
  /**
   * int64 [1]: the rows of one condition, when input_ids already holds every condition's rows (the
   * KV-cache graph); default input_ids' first dim (the graph tiles it over the conditions)
   */
  conditionRows?: string;
}

export function makeContext(model: LoadedModel, g: Graph, ids: string, options: ContextOptions = {}): BuildContext {
  const names = new Set(model.weightNames());
  const registered = new Map<string, string>();
  const quantized = new Map<string, QuantizedInit>();
  const halves = new Map<string, HalfInit>();
  const fp16 = new Map<string, string>();
  const T1 = g.op('Shape', [ids], { start: attr.i(1), end: attr.i(2) }, 'seq_len');
  const B1 = options.conditionRows ?? g.op('Shape', [ids], { start: attr.i(0), end: attr.i(1) }, 'batch_size');
  return {
    g,
    spec: model.spec,
    precision: options.precision ?? 'fp32',
    has: (name) => names.has(name),
    w(name) {
      const known = registered.get(name);
      if (known !== undefined) return known;
      const t = model.weight(name);
      const id = g.initF32(name, t.data, t.shape);
      registered.set(name, id);
      return id;
    },
    q(name) {
      const known = quantized.get(name);
      if (known !== undefined) return known;
      if (registered.has(name)) return undefined;
      const qw = model.quantized?.(name) ?? null;
      if (qw === null) return undefined;
      const m = toMatMulNBits(qw.kind, qw.rows, qw.cols, qw.bytes());
      const nb = m.K / m.blockSize;
      const init: QuantizedInit = {
        packed: g.initU8(`${name}.q${m.bits}`, m.packed, [m.N, nb, m.packed.length / (m.N * nb)]),
        scales: g.initF32(`${name}.scales`, m.scales, [m.scales.length]),
        ...(m.zeroPoints ? { zeroPoints: g.initU8(`${name}.zero_points`, m.zeroPoints, [m.zeroPoints.length]) } : {}),
        ...(m.offsets ? { offsets: g.initF32(`${name}.offsets`, m.offsets, [nb, m.N]) } : {}),
        bits: m.bits,
        blockSize: m.blockSize,
        N: m.N,
        K: m.K,
      };
      quantized.set(name, init);
      return init;
    },
    h(name) {
      const known = halves.get(name);
      if (known !== undefined) return known;
      if (options.fp32Weights || registered.has(name) || !names.has(name)) return undefined;
      const hw: HalfWeight | null = model.half?.(name) ?? null;
      if (hw === null || hw.shape.length !== 2) return undefined;
      const shape = hw.shape as [number, number];
      const init = g.init16(name, hw.dtype, shape, { byteLength: 2 * shape[0] * shape[1], read: () => hw.bytes() });
      const made: HalfInit = { init, shape };
      halves.set(name, made);
      return made;
    },
    w16(name) {
      const known = fp16.get(name);
      if (known !== undefined) return known;
      if (registered.has(name) || quantized.has(name) || !names.has(name)) return undefined;
      const hw: HalfWeight | null = model.half?.(name) ?? null;
      let init: string;
      if (hw !== null && hw.dtype === 'float16') {
        // the file's own bytes (shared with the 16-bit initializer if Gather registered one)
        init = this.h(name)?.init ?? g.init16(name, 'float16', hw.shape, { byteLength: 2 * hw.shape.reduce((a, b) => a * b, 1), read: () => hw.bytes() });
      } else {
        const t = model.weight(name);
        const bits = new Uint16Array(t.data.length);
        for (let i = 0; i < bits.length; i++) {
          const v = t.data[i] as number;
          if (Math.abs(v) > HALF_MAX) throw new Error(`--precision fp16: weight ${name} holds ${v} at element ${i}, beyond float16's range (±${HALF_MAX}); use --precision fp32`);
          bits[i] = toHalf(v);
        }
        init = g.init16(`${name}.fp16`, 'float16', t.shape, { byteLength: bits.byteLength, read: () => new Uint8Array(bits.buffer) });
      }
      fp16.set(name, init);
      return init;
    },
    T1,
    T: g.op('Squeeze', [T1, g.i64([0])]),
    BT1: g.op('Mul', [B1, T1], undefined, 'tokens_per_condition'),
  };
}

const sumsByGraph = new WeakMap<Graph, Map<string, string>>();

/** [M, K] -> [M, K/block]: the sums of x over each block of the input, made once per input and block (q, k, v share them). */
function blockSums(g: Graph, x2d: string, K: number, block: number): string {
  let sums = sumsByGraph.get(g);
  if (sums === undefined) sumsByGraph.set(g, (sums = new Map()));
  const key = `${x2d}|${K}|${block}`;
  const known = sums.get(key);
  if (known !== undefined) return known;
  const blocks = g.op('Reshape', [x2d, g.i64([0, K / block, block])]);
  const out = g.op('ReduceSum', [blocks, g.i64([2])], { keepdims: attr.i(0) });
  sums.set(key, out);
  return out;
}

const zerosByGraph = new WeakMap<Graph, Map<string, string>>();

/**
 * A 16-bit weight as fp32, cast at its use after `x` exists. The weight is first reshaped to its
 * own shape through a shape computed from x at run time ([rows, cols] + 0 * x's row count), for
 * two measured reasons (onnxruntime-node 1.30, CPU): a Cast of an initializer is constant-folded
 * into an fp32 initializer when the session is made (and, for a Gemm, pre-packed), which undoes
 * the saving; and a Cast that depends on nothing runs at the start of every run, all of them
 * together, holding every weight in fp32 at once. Tied to x, each Cast runs just before its use
 * and its fp32 copy is freed after it.
 */
function castAtUse(c: BuildContext, h: HalfInit, x: string): string {
  const { g } = c;
  let zeros = zerosByGraph.get(g);
  if (zeros === undefined) zerosByGraph.set(g, (zeros = new Map()));
  let zero = zeros.get(x);
  if (zero === undefined) {
    zero = g.op('Mul', [g.op('Shape', [x], { start: attr.i(0), end: attr.i(1) }), g.i64([0])]);
    zeros.set(x, zero);
  }
  const shape = g.op('Add', [g.i64([...h.shape]), zero]);
  return g.op('Cast', [g.op('Reshape', [h.init, shape])], { to: attr.i(1) });
}

/**
 * Rows `ids` of a 2-D weight (an embedding table) as fp32 [...ids, cols]: a 16-bit table is
 * gathered in 16 bits and only the gathered rows are cast.
 */
export function gatherRows(c: BuildContext, weight: string, ids: string): string {
  const h = c.h(weight);
  if (h === undefined) return c.g.op('Gather', [c.w(weight), ids]);
  return c.g.op('Cast', [c.g.op('Gather', [h.init, ids])], { to: attr.i(1) });
}

/** x @ W^T + b for a canonical [out, in] weight: Gemm with transB reads the layout as stored. */
export function linear(c: BuildContext, x2d: string, weight: string, bias?: string): string {
  const q = c.q(weight);
  if (q !== undefined) {
    // weight-only quantized: fp32 activations, accumulation in fp32 (accuracy_level 1)
    let y = c.g.contribOp('MatMulNBits', q.zeroPoints !== undefined ? [x2d, q.packed, q.scales, q.zeroPoints] : [x2d, q.packed, q.scales], {
      K: attr.i(q.K),
      N: attr.i(q.N),
      bits: attr.i(q.bits),
      block_size: attr.i(q.blockSize),
      accuracy_level: attr.i(1),
    });
    // the per-block minimum: + (sums of x over each block) @ offsets (graph/quantized.ts)
    if (q.offsets !== undefined) y = c.g.op('Add', [y, c.g.op('MatMul', [blockSums(c.g, x2d, q.K, q.blockSize), q.offsets])]);
    return bias !== undefined && c.has(bias) ? c.g.op('Add', [y, c.w(bias)]) : y;
  }
  if (c.precision === 'fp16') {
    const w16 = c.w16(weight);
    if (w16 !== undefined) {
      const b16 = bias !== undefined && c.has(bias) ? c.w16(bias) : undefined;
      const y = c.g.op('Cast', [c.g.op('Gemm', b16 !== undefined ? [halfOf(c.g, x2d), w16, b16] : [halfOf(c.g, x2d), w16], { transB: attr.i(1) })], { to: attr.i(1) });
      // a bias already held in fp32 (read elsewhere first) is added after the cast
      return bias !== undefined && c.has(bias) && b16 === undefined ? c.g.op('Add', [y, c.w(bias)]) : y;
    }
  }
  const h = c.h(weight);
  const inputs = [x2d, h !== undefined ? castAtUse(c, h, x2d) : c.w(weight)];
  if (bias !== undefined && c.has(bias)) inputs.push(c.w(bias));
  return c.g.op('Gemm', inputs, { transB: attr.i(1) });
}

const halvesByGraph = new WeakMap<Graph, Map<string, string>>();

/** x as float16, made once per input (q, k and v read the same one). */
function halfOf(g: Graph, x: string): string {
  let casts = halvesByGraph.get(g);
  if (casts === undefined) halvesByGraph.set(g, (casts = new Map()));
  const known = casts.get(x);
  if (known !== undefined) return known;
  const made = g.op('Cast', [x], { to: attr.i(10) });
  casts.set(x, made);
  return made;
}
