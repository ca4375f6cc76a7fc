// What every part of the transformer graph needs: the graph, the spec, weights by canonical name
// (registered as initializers on first use), and the run-time sizes as int64 tensors.

import { type LoadedModel, type ModelSpec } from '../spec.js';
import { attr, Graph } from './graph.js';
import { toMatMulNBits } from './quantized.js';

/** A weight held as MatMulNBits inputs (graph/quantized.ts). */
export interface QuantizedInit {
  packed: string;
  scales: string;
  bits: number;
  blockSize: number;
  N: number;
  K: number;
}

export interface BuildContext {
  g: Graph;
  spec: ModelSpec;
  /** the canonical weight as an initializer name (registered once, shared by every use) */
  w(name: string): string;
  has(name: string): boolean;
  /**
   * the weight as MatMulNBits inputs when the model keeps it quantized and it is not already an
   * fp32 initializer (a tied embedding read by Gather first stays fp32 for the head too)
   */
  q(name: string): QuantizedInit | undefined;
  /** sequence length T as int64 [1] and as a scalar */
  T1: string;
  T: string;
  /** tokens of one condition, B*T, as int64 [1] */
  BT1: string;
}

export function makeContext(model: LoadedModel, g: Graph, ids: string): BuildContext {
  const names = new Set(model.weightNames());
  const registered = new Map<string, string>();
  const quantized = new Map<string, QuantizedInit>();
  const T1 = g.op('Shape', [ids], { start: attr.i(1), end: attr.i(2) }, 'seq_len');
  const B1 = g.op('Shape', [ids], { start: attr.i(0), end: attr.i(1) }, 'batch_size');
  return {
    g,
    spec: model.spec,
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
        bits: m.bits,
        blockSize: m.blockSize,
        N: m.N,
        K: m.K,
      };
      quantized.set(name, init);
      return init;
    },
    T1,
    T: g.op('Squeeze', [T1, g.i64([0])]),
    BT1: g.op('Mul', [B1, T1], undefined, 'tokens_per_condition'),
  };
}

/** x @ W^T + b for a canonical [out, in] weight: Gemm with transB reads the layout as stored. */
export function linear(c: BuildContext, x2d: string, weight: string, bias?: string): string {
  const q = c.q(weight);
  if (q !== undefined) {
    // weight-only quantized: fp32 activations, accumulation in fp32 (accuracy_level 1)
    const y = c.g.contribOp('MatMulNBits', [x2d, q.packed, q.scales], {
      K: attr.i(q.K),
      N: attr.i(q.N),
      bits: attr.i(q.bits),
      block_size: attr.i(q.blockSize),
      accuracy_level: attr.i(1),
    });
    return bias !== undefined && c.has(bias) ? c.g.op('Add', [y, c.w(bias)]) : y;
  }
  const inputs = [x2d, c.w(weight)];
  if (bias !== undefined && c.has(bias)) inputs.push(c.w(bias));
  return c.g.op('Gemm', inputs, { transB: attr.i(1) });
}
