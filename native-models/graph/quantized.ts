// Quantized linear weights as onnxruntime's MatMulNBits (com.microsoft contrib op, CPU and CUDA):
// ggml's Q4_0 and Q8_0 blocks map onto it exactly, so the graph holds 4.5 / 8.5 bits per weight
// plus an fp32 scale per 32 (5 / 9 bits in all) instead of 32, and computes with the same weight
// values as the dequantized fp32 (activations and accumulation stay fp32: accuracy_level 1).
//
// MatMulNBits: Y[M, N] = A[M, K] @ dequant(B)^T with B uint8 [N, K/32, blob], scales float
// [N * K/32], no zero_points input: the default zero point 2^(bits-1) (8 for 4-bit, 128 for 8-bit).
// Values within a block are packed in order, 4-bit: two per byte, element 2i in the low nibble.
// - Q4_0 (18 bytes: fp16 d, 16 bytes qs; element j < 16 = qs[j] & 15, element j + 16 = qs[j] >> 4,
//   value (q - 8) * d) -> 4-bit, block 32, scale d, q repacked to consecutive nibbles.
// - Q8_0 (34 bytes: fp16 d, 32 int8 q; value q * d) -> 8-bit, block 32, scale d, stored q + 128.
// fp16 -> fp32 of d is exact, and so is (q - zp) * d in fp32, so the weights are identical.

import { type QuantizedWeight } from '../spec.js';

export const QK = 32;
/** bytes of one ggml block */
export const BLOCK_BYTES = { q4_0: 18, q8_0: 34 } as const;
/** MatMulNBits bits and bytes of one packed block (blob) */
const NBITS = { q4_0: { bits: 4, blob: 16 }, q8_0: { bits: 8, blob: 32 } } as const;

export interface MatMulNBitsWeight {
  /** uint8 [N, K/32, blob] */
  packed: Uint8Array;
  /** [N * K/32] */
  scales: Float32Array;
  bits: 4 | 8;
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

/** The bytes a weight takes in the graph: packed blocks + fp32 scales. */
export function matMulNBitsBytes(kind: QuantizedWeight['kind'], rows: number, cols: number): number {
  const blocks = (rows * cols) / QK;
  return blocks * (NBITS[kind].blob + 4);
}

/** Repacks ggml Q4_0 / Q8_0 blocks of a [rows, cols] weight into MatMulNBits' inputs. */
export function toMatMulNBits(kind: QuantizedWeight['kind'], rows: number, cols: number, bytes: Uint8Array): MatMulNBitsWeight {
  if (cols % QK !== 0) throw new Error(`${kind} weight of ${cols} columns: ggml blocks need a multiple of ${QK}`);
  const nBlocks = (rows * cols) / QK;
  const inBlock = BLOCK_BYTES[kind];
  if (bytes.length !== nBlocks * inBlock) throw new Error(`${kind} weight [${rows}, ${cols}] needs ${nBlocks * inBlock} bytes of blocks, got ${bytes.length}`);
  const { bits, blob } = NBITS[kind];
  const packed = new Uint8Array(nBlocks * blob);
  const scales = new Float32Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) {
    const src = b * inBlock;
    scales[b] = halfToFloat((bytes[src] as number) | ((bytes[src + 1] as number) << 8));
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
  }
  return { packed, scales, bits, N: rows, K: cols };
}
