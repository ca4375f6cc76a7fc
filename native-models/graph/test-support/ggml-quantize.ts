// Test support: ggml's reference quantizers for Q4_0 and Q8_0 (ggml-quants.c quantize_row_q4_0_ref
// / quantize_row_q8_0_ref), simple absmax / min-max quantizers that write valid Q4_K and Q6_K
// super-blocks (not ggml's error-minimising search: any valid block serves the tests), and their
// dequantization from the block bytes (Q4_0 / Q8_0 written from the block definitions, K-quants by
// formats/ggml-quants.ts, ggml's own arithmetic), so MatMulNBits weights can be tested without a GGUF file; and a model whose linear
// weights are kept as those blocks (its fp32 weights are the blocks dequantized, so a graph of
// either form computes with the same values).

import { type LoadedModel, type QuantizedWeight, W } from '../../spec.js';
import { dequantize } from '../../formats/ggml-quants.js';
import { fromHalf, toHalf } from '../../../common/half.js';
import { BLOCK_BYTES, BLOCK_ELEMS, QK, QK_K } from '../quantized.js';


/** ggml blocks of a row-major [rows, cols] matrix (cols a multiple of 32, of 256 for K-quants). */
export function quantizeGgml(kind: QuantizedWeight['kind'], data: Float32Array): Uint8Array {
  if (kind === 'q6_k') return quantizeQ6K(data);
  const nBlocks = data.length / QK;
  const out = new Uint8Array(nBlocks * BLOCK_BYTES[kind]);
  for (let b = 0; b < nBlocks; b++) {
    const x = data.subarray(b * QK, (b + 1) * QK);
    const o = b * BLOCK_BYTES[kind];
    if (kind === 'q4_0') {
      let amax = 0;
      let max = 0;
      for (const v of x) if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
      const d = max / -8;
      const id = d ? 1 / d : 0;
      const h = toHalf(d);
      out[o] = h & 255;
      out[o + 1] = h >> 8;
      for (let j = 0; j < 16; j++) {
        const x0 = Math.min(15, Math.trunc(Math.fround((x[j] as number) * id) + 8.5));
        const x1 = Math.min(15, Math.trunc(Math.fround((x[j + 16] as number) * id) + 8.5));
        out[o + 2 + j] = x0 | (x1 << 4);
      }
    } else {
      let amax = 0;
      for (const v of x) amax = Math.max(amax, Math.abs(v));
      const d = amax / 127;
      const id = d ? 1 / d : 0;
      const h = toHalf(d);
      out[o] = h & 255;
      out[o + 1] = h >> 8;
      for (let j = 0; j < 32; j++) {
        const v = Math.fround((x[j] as number) * id);
        out[o + 2 + j] = (Math.sign(v) * Math.round(Math.abs(v))) & 255; // roundf: half away from zero
      }
    }
  }
  return out;
}

function writeHalf(out: Uint8Array, o: number, x: number): number {
  const h = toHalf(x);
  out[o] = h & 255;
  out[o + 1] = h >> 8;
  return fromHalf(h);
}

/** Q6_K super-blocks: per 16 an absmax 6-bit grid, its scale an int8 multiple of d. */
function quantizeQ6K(data: Float32Array): Uint8Array {
  const nb = data.length / QK_K;
  const out = new Uint8Array(nb * BLOCK_BYTES.q6_k);
  const scale = new Float64Array(16);
  const q = new Uint8Array(QK_K);
  for (let b = 0; b < nb; b++) {
    const x = data.subarray(b * QK_K, (b + 1) * QK_K);
    const o = b * BLOCK_BYTES.q6_k;
    let maxScale = 0;
    for (let k = 0; k < 16; k++) {
      let v = 0;
      for (let l = 0; l < 16; l++) if (Math.abs(x[16 * k + l] as number) > Math.abs(v)) v = x[16 * k + l] as number;
      scale[k] = v / -32;
      if (Math.abs(scale[k] as number) > Math.abs(maxScale)) maxScale = scale[k] as number;
    }
    const iscale = maxScale ? -128 / maxScale : 0;
    const d = writeHalf(out, o + 208, iscale ? 1 / iscale : 0);
    for (let k = 0; k < 16; k++) {
      const sc = Math.max(-128, Math.min(127, Math.round(iscale * (scale[k] as number))));
      out[o + 192 + k] = sc & 255;
      const ds = Math.fround(d * sc);
      for (let l = 0; l < 16; l++) q[16 * k + l] = ds ? Math.max(-32, Math.min(31, Math.round((x[16 * k + l] as number) / ds))) + 32 : 32;
    }
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const y = 128 * n;
      for (let l = 0; l < 32; l++) {
        const [q0, q1, q2, q3] = [q[y + l], q[y + l + 32], q[y + l + 64], q[y + l + 96]] as [number, number, number, number];
        out[ql + l] = (q0 & 15) | ((q2 & 15) << 4);
        out[ql + l + 32] = (q1 & 15) | ((q3 & 15) << 4);
        out[qh + l] = (q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) | ((q3 >> 4) << 6);
      }
    }
  }
  return out;
}

/** The fp32 values of ggml blocks, from the block definitions. */
export function dequantizeGgml(kind: QuantizedWeight['kind'], bytes: Uint8Array): Float32Array {
  if (kind === 'q6_k') return dequantize('Q6_K', bytes, (bytes.length / BLOCK_BYTES[kind]) * BLOCK_ELEMS[kind]);
  const nBlocks = bytes.length / BLOCK_BYTES[kind];
  const out = new Float32Array(nBlocks * QK);
  for (let b = 0; b < nBlocks; b++) {
    const o = b * BLOCK_BYTES[kind];
    const d = fromHalf((bytes[o] as number) | ((bytes[o + 1] as number) << 8));
    for (let j = 0; j < QK; j++) {
      let q: number;
      if (kind === 'q4_0') q = (j < 16 ? (bytes[o + 2 + j] as number) & 15 : (bytes[o + 2 + j - 16] as number) >> 4) - 8;
      else q = ((bytes[o + 2 + j] as number) << 24) >> 24;
      out[b * QK + j] = q * d;
    }
  }
  return out;
}

/** The 2-D linear weights a graph can run quantized (everything but embeddings and norms). */
export function linearWeightNames(model: LoadedModel): string[] {
  const linear = new Set<string>([W.lmHead]);
  for (let i = 0; i < model.spec.nLayers; i++) {
    const n = W.layer(i);
    for (const k of [n.q, n.k, n.v, n.o, n.mlpIn, n.mlpGate, n.mlpOut]) linear.add(k);
  }
  return model.weightNames().filter((n) => linear.has(n));
}

/**
 * `model` with its linear weights quantized to `kind`: quantized() gives the blocks, weight()
 * their dequantized fp32 values. `keepQuantized: false` leaves quantized() out (the fp32 twin).
 */
export function quantizeModel(model: LoadedModel, kind: QuantizedWeight['kind'], keepQuantized = true): LoadedModel {
  const blocks = new Map<string, { rows: number; cols: number; bytes: Uint8Array; deq: Float32Array }>();
  for (const name of linearWeightNames(model)) {
    const w = model.weight(name);
    const [rows, cols] = w.shape as [number, number];
    const bytes = quantizeGgml(kind, w.data);
    blocks.set(name, { rows, cols, bytes, deq: dequantizeGgml(kind, bytes) });
  }
  const twin: LoadedModel = {
    spec: model.spec,
    source: { ...model.source, sha256: `${model.source.sha256}-${kind}${keepQuantized ? '' : '-dequantized'}` },
    weightNames: () => model.weightNames(),
    weight(name) {
      const b = blocks.get(name);
      return b ? { shape: [b.rows, b.cols], data: b.deq } : model.weight(name);
    },
  };
  if (keepQuantized) {
    twin.quantized = (name) => {
      const b = blocks.get(name);
      return b ? { kind, rows: b.rows, cols: b.cols, bytes: () => b.bytes } : null;
    };
  }
  return twin;
}
