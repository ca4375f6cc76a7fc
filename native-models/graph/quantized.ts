// Quantized linear weights as onnxruntime's MatMulNBits (com.microsoft contrib op, CPU and CUDA):
// ggml's Q4_0, Q8_0 and Q6_K blocks map onto it with the values of ggml's dequantization
// (formats/ggml-quants.ts) exactly, so the graph holds 5-10 bits per weight instead of 32 (activations and
// accumulation stay fp32: accuracy_level 1).
//
// MatMulNBits: Y[M, N] = A[M, K] @ dequant(B)^T with B uint8 [N, K/block, blob], scales float
// [N * K/block], zero_points absent here (default 2^(bits-1): 8 for 4-bit, 128 for 8-bit). Values
// within a block are packed in order, 4-bit: two per byte, element 2i low nibble.
// - Q4_0 (18 bytes: fp16 d, 16 bytes qs; element j < 16 = qs[j] & 15, element j + 16 = qs[j] >> 4,
//   value (q - 8) * d) -> 4-bit, block 32, scale d, q repacked to consecutive nibbles.
// - Q8_0 (34 bytes: fp16 d, 32 int8 q; value q * d) -> 8-bit, block 32, scale d, stored q + 128.
//   fp16 -> fp32 of d is exact, and so is (q - zp) * d in fp32, so the weights are identical.
// - Q6_K (210 bytes per 256: ql[128], qh[64], int8 scales[16], fp16 d; value fround(d * sc_k) *
//   (q - 32), q 0..63, 16-element sub-blocks k) -> 8-bit, block 16, scale fround(d * sc_k), stored
//   q + 96 (default zero point 128): identical, (q - 32) * scale is exact in fp32.
// - Q4_K (value fround(d * sc_j) * q - fround(dmin * m_j) per 32-element sub-block) is NOT run this
//   way: its per-block minimum needs float zero points, which onnxruntime-node 1.30's CPU kernel
//   takes only on its "unpacked" path (the weight dequantized to fp32 on every run) and rounds to
//   1 ulp off ggml's value on ~4% of weights (measured). Q4_K, Q5_K and the rest stay fp32
//   (dequantized) until an exact form lands (e.g. unsigned q with zero point 0 and the minimum
//   subtracted as block sums of the input times the mins).

import { type QuantizedWeight } from '../spec.js';

type Kind = QuantizedWeight['kind'];

/** elements of one Q4_0 / Q8_0 block */
export const QK = 32;
/** elements of one K-quant super-block */
export const QK_K = 256;
/** bytes of one ggml block (of BLOCK_ELEMS[kind] weights) */
export const BLOCK_BYTES = { q4_0: 18, q8_0: 34, q6_k: 210 } as const;
/** weights of one ggml block */
export const BLOCK_ELEMS = { q4_0: QK, q8_0: QK, q6_k: QK_K } as const;
/** MatMulNBits bits, block size and bytes of one packed block (blob) */
const NBITS = {
  q4_0: { bits: 4, block: 32, blob: 16 },
  q8_0: { bits: 8, block: 32, blob: 32 },
  q6_k: { bits: 8, block: 16, blob: 16 },
} as const;

export interface MatMulNBitsWeight {
  /** uint8 [N, K/blockSize, blob] */
  packed: Uint8Array;
  /** [N * K/blockSize] */
  scales: Float32Array;
  bits: 4 | 8;
  blockSize: 16 | 32;
  /** out features (rows) */
  N: number;
  /** in features (cols) */
  K: number;
}

/** IEEE half -> float (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The bytes of ggml blocks holding `params` weights of `kind`. */
export function ggmlBytes(kind: Kind, params: number): number {
  return (params / BLOCK_ELEMS[kind]) * BLOCK_BYTES[kind];
}

/** The bytes a weight takes in the graph: packed blocks + fp32 scales. */
export function matMulNBitsBytes(kind: Kind, rows: number, cols: number): number {
  const { block, blob } = NBITS[kind];
  return ((rows * cols) / block) * (blob + 4);
}

/** Repacks ggml blocks of `kind` for a [rows, cols] weight into MatMulNBits' inputs. */
export function toMatMulNBits(kind: Kind, rows: number, cols: number, bytes: Uint8Array): MatMulNBitsWeight {
  const per = BLOCK_ELEMS[kind];
  if (cols % per !== 0) throw new Error(`${kind} weight of ${cols} columns: ggml blocks need a multiple of ${per}`);
  const nBlocks = (rows * cols) / per;
  const inBlock = BLOCK_BYTES[kind];
  if (bytes.length !== nBlocks * inBlock) throw new Error(`${kind} weight [${rows}, ${cols}] needs ${nBlocks * inBlock} bytes of blocks, got ${bytes.length}`);
  const { bits, block, blob } = NBITS[kind];
  const outBlocks = (rows * cols) / block;
  const packed = new Uint8Array(outBlocks * blob);
  const scales = new Float32Array(outBlocks);
  const half = (o: number): number => halfToFloat((bytes[o] as number) | ((bytes[o + 1] as number) << 8));
  for (let b = 0; b < nBlocks; b++) {
    const src = b * inBlock;
    if (kind === 'q4_0' || kind === 'q8_0') {
      scales[b] = half(src);
      const qs = src + 2;
      const dst = b * blob;
      if (kind === 'q4_0') {
        // element e: e < 16 -> low nibble of qs[e], else high nibble of qs[e - 16]
        for (let i = 0; i < 16; i++) {
          const e0 = 2 * i;
          const e1 = e0 + 1;
          const lo = e0 < 16 ? (bytes[qs + e0] as number) & 15 : (bytes[qs + e0 - 16] as number) >> 4;
          const hi = e1 < 16 ? (bytes[qs + e1] as number) & 15 : (bytes[qs + e1 - 16] as number) >> 4;
          packed[dst + i] = lo | (hi << 4);
        }
      } else {
        // int8 two's complement + 128 = flip the sign bit
        for (let i = 0; i < 32; i++) packed[dst + i] = (bytes[qs + i] as number) ^ 0x80;
      }
    } else {
      // q6_k: sub-block k (16 elements) uses scales[k]; element e of half n (e = 128n + 32t + l)
      const d = half(src + 208);
      for (let k = 0; k < 16; k++) scales[b * 16 + k] = Math.fround(d * (((bytes[src + 192 + k] as number) << 24) >> 24));
      const dst = b * QK_K;
      for (let n = 0; n < 2; n++) {
        const ql = src + 64 * n;
        const qh = src + 128 + 32 * n;
        const y = dst + 128 * n;
        for (let l = 0; l < 32; l++) {
          const a = bytes[ql + l] as number;
          const c = bytes[ql + l + 32] as number;
          const h = bytes[qh + l] as number;
          // stored q + 96: (q + 96) - 128 = q - 32
          packed[y + l] = ((a & 0x0f) | ((h & 3) << 4)) + 96;
          packed[y + l + 32] = ((c & 0x0f) | (((h >> 2) & 3) << 4)) + 96;
          packed[y + l + 64] = ((a >> 4) | (((h >> 4) & 3) << 4)) + 96;
          packed[y + l + 96] = ((c >> 4) | (((h >> 6) & 3) << 4)) + 96;
        }
      }
    }
  }
  return { packed, scales, bits, blockSize: block, N: rows, K: cols };
}
