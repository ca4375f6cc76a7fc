// Quantized linear weights as onnxruntime's MatMulNBits (com.microsoft contrib op, CPU and CUDA):
// every ggml type GGUF files use for linear weights maps onto it with exactly the values of ggml's
// dequantization (formats/ggml-quants.ts), so the graph holds 5-10 bits per weight instead of 32
// (activations and accumulation stay fp32: accuracy_level 1).
//
// MatMulNBits: Y[M, N] = A[M, K] @ dequant(B)^T with B uint8 [N, K/block, blob], scales float
// [N * K/block], zero_points optional (uint8, packed like B; default 2^(bits-1): 8 for 4-bit, 128
// for 8-bit), dequant = (q - zp) * scale. Values within a block are packed in order, 4-bit: two
// per byte, element 2i low nibble.
//
// Types with a per-block minimum (value = scale * q + offset: Q4_1, Q5_1 add m, Q2_K, Q4_K, Q5_K
// subtract their sub-block minimum) run as q with an integer zero point z in MatMulNBits plus the
// rest applied outside the op: Y = MatMulNBits(A) + blockSums(A)[M, K/block] @ offsets[K/block, N]
// (graph/context.ts linear()), offset = ggml's offset + scale * z. z = round(-offset / scale)
// centres the block (see centre()), and is taken only where the new offset is exact in fp32. Every
// scale and offset is then ggml's fp32 value exactly (fp16 d times a 4/6/8-bit sub-scale needs at
// most 19 significant bits), and so is scale * (q - z) (|q - z| at most 6 bits), so for every
// weight fround(scale * (q - z) + offset) is ggml's dequantized value, bit for bit
// (runtime/quantized.test.ts checks each type, and what onnxruntime computes with). The matmul
// itself sums two fp32 products per weight (x * scale * (q - z) and the block sum times the
// offset) instead of one: a different fp32 rounding of the same exact weights.
// (A float zero point holding the minimum would be one op, but onnxruntime-node 1.30's CPU kernel
// takes float zero points only on its unpacked path and rounds -zp * scale to 1 ulp off ggml on ~4%
// of Q4_K weights: measured, rejected.)
//
// Forms (bits, block, zero point, offsets; bits per weight in the graph = bits + 32 / block per
// fp32 scale, + 32 / block with offsets, + bits / block with explicit zero points):
// - Q4_0 (value (q - 8) * d): 4-bit, block 32, default zp; 5 bits/weight.
// - Q8_0 (q int8 * d): 8-bit, block 32, stored q + 128, default zp; 9.
// - Q4_1 (q * d + m): 4-bit, block 32, zero points z, offset m + d * z; 6.125.
// - Q5_0 ((q - 16) * d, q 5-bit): 8-bit, block 32, stored q + 112, default zp; 9.
// - Q5_1 (q * d + m, q 5-bit): 8-bit, block 32, stored q + 128 - z, default zp, offset m + d * z; 10.
// - Q2_K (fround(d * sc) * q - fround(dmin * m), q 2-bit, 16-element sub-blocks): 4-bit, block 16,
//   stored q + 8 - z, default zp, offset scale * z - min; 8.
// - Q3_K (fround(d * (sc - 32)) * q, q -4..3, 16-element sub-blocks): 4-bit, block 16, stored
//   q + 8, default zp; 6.
// - Q4_K (fround(d * sc) * q - fround(dmin * m), q 4-bit, 32-element sub-blocks): 4-bit, block 32,
//   zero points z, offset scale * z - min; 6.125.
// - Q5_K (as Q4_K with q 5-bit): 8-bit, block 32, stored q + 128 - z, default zp, offset scale * z - min; 10.
// - Q6_K (fround(d * sc) * (q - 32), q 6-bit, 16-element sub-blocks): 8-bit, block 16, stored
//   q + 96, default zp; 10.
// The 5-bit types take 8 bits (ggml: 5.5-6): MatMulNBits has no 5-bit form, and a 4-bit + 1-bit
// split would need two matmuls. Speed on onnxruntime-node 1.30's CPU kernel (x64): the 4-bit forms
// (with or without uint8 zero points, block 16 or 32) are pre-packed and run about as fast as an
// fp32 Gemm; the 8-bit forms (Q8_0, Q5_*, Q6_K) take the unpacked path at accuracy_level 1 (B
// dequantized to fp32 on every run): 1.3x the fp32 Gemm's time at 1,024 rows, 2.6-2.8x at 128, 8-16x at 16
// (README, Memory). The block-sum correction costs nothing measurable (Q4_K runs as fast as Q4_0).

import { fromHalf } from '../../common/half.js';
import { type QuantizedWeight } from '../spec.js';

type Kind = QuantizedWeight['kind'];

/** elements of one Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0 block */
export const QK = 32;
/** elements of one K-quant super-block */
export const QK_K = 256;
/** bytes of one ggml block (of BLOCK_ELEMS[kind] weights) */
export const BLOCK_BYTES = { q4_0: 18, q4_1: 20, q5_0: 22, q5_1: 24, q8_0: 34, q2_k: 84, q3_k: 110, q4_k: 144, q5_k: 176, q6_k: 210 } as const;
/** weights of one ggml block */
export const BLOCK_ELEMS = { q4_0: QK, q4_1: QK, q5_0: QK, q5_1: QK, q8_0: QK, q2_k: QK_K, q3_k: QK_K, q4_k: QK_K, q5_k: QK_K, q6_k: QK_K } as const;

interface Form {
  bits: 4 | 8;
  block: 16 | 32;
  /** explicit (4-bit) zero points, the blocks' centring shifts; false: the op's default 2^(bits-1) */
  zeroPoint: boolean;
  /** a per-block offset added outside the op (the type's minimum) */
  offsets: boolean;
}
const form = (bits: 4 | 8, block: 16 | 32, zeroPoint: boolean, offsets: boolean): Form => ({ bits, block, zeroPoint, offsets });
/** MatMulNBits' form of each type (header comment) */
export const FORMS: Readonly<Record<Kind, Form>> = {
  q4_0: form(4, 32, false, false),
  q4_1: form(4, 32, true, true),
  q5_0: form(8, 32, false, false),
  q5_1: form(8, 32, false, true),
  q8_0: form(8, 32, false, false),
  q2_k: form(4, 16, false, true),
  q3_k: form(4, 16, false, false),
  q4_k: form(4, 32, true, true),
  q5_k: form(8, 32, false, true),
  q6_k: form(8, 16, false, false),
};

export interface MatMulNBitsWeight {
  /** uint8 [N, K/blockSize, blockSize * bits / 8] */
  packed: Uint8Array;
  /** [N * K/blockSize] */
  scales: Float32Array;
  /** uint8 [N * ceil(K/blockSize * bits / 8)], packed like B (block 2i: low nibble); absent: the default 2^(bits-1) */
  zeroPoints?: Uint8Array;
  /** [K/blockSize, N] (row-major): added to Y as blockSums(A) @ offsets; absent: none */
  offsets?: Float32Array;
  bits: 4 | 8;
  blockSize: 16 | 32;
  /** out features (rows) */
  N: number;
  /** in features (cols) */
  K: number;
}

/** The bytes of ggml blocks holding `params` weights of `kind`. */
export function ggmlBytes(kind: Kind, params: number): number {
  return (params / BLOCK_ELEMS[kind]) * BLOCK_BYTES[kind];
}

/** The bytes a weight takes in the graph: packed blocks, fp32 scales, zero points and offsets. */
export function matMulNBitsBytes(kind: Kind, rows: number, cols: number): number {
  const { bits, block, zeroPoint, offsets } = FORMS[kind];
  const blocks = (rows * cols) / block;
  return blocks * ((block * bits) / 8 + 4 + (offsets ? 4 : 0)) + (zeroPoint ? rows * Math.ceil(((cols / block) * bits) / 8) : 0);
}

/**
 * The bytes `params` weights of `kind` take in the graph, per weight (for estimates over many
 * tensors): as matMulNBitsBytes when every row holds whole bytes of zero points.
 */
export function matMulNBitsParamBytes(kind: Kind, params: number): number {
  const { bits, block, zeroPoint, offsets } = FORMS[kind];
  return (params / block) * ((block * bits) / 8 + 4 + (offsets ? 4 : 0) + (zeroPoint ? bits / 8 : 0));
}

/**
 * One ggml block decoded into the codes MatMulNBits stores (q already shifted for the zero point,
 * in ggml's element order) and, per MatMulNBits block, the fp32 scale and offset.
 */
type Decoder = (b: Uint8Array, o: number, half: (at: number) => number, q: Uint8Array, scale: Float32Array, offset: Float32Array) => void;

/** ggml's get_scale_min_k4: the j-th 6-bit (scale, min) pair of the 12 bytes at `s`. */
function scaleMinK4(b: Uint8Array, s: number, j: number): [number, number] {
  if (j < 4) return [b[s + j]! & 63, b[s + j + 4]! & 63];
  return [(b[s + j + 4]! & 0x0f) | ((b[s + j - 4]! >> 6) << 4), (b[s + j + 4]! >> 4) | ((b[s + j]! >> 6) << 4)];
}

const DECODE: Readonly<Record<Kind, Decoder>> = {
  // (q - 8) * d; element j < 16: low nibble of qs[j], j + 16: high nibble
  q4_0(b, o, half, q, scale) {
    scale[0] = half(o);
    for (let j = 0; j < 16; j++) {
      q[j] = b[o + 2 + j]! & 15;
      q[j + 16] = b[o + 2 + j]! >> 4;
    }
  },
  // q * d + m
  q4_1(b, o, half, q, scale, offset) {
    scale[0] = half(o);
    offset[0] = half(o + 2);
    for (let j = 0; j < 16; j++) {
      q[j] = b[o + 4 + j]! & 15;
      q[j + 16] = b[o + 4 + j]! >> 4;
    }
  },
  // (q - 16) * d, 5th bit j in the 32-bit qh; stored q + 112 (zero point 128)
  q5_0(b, o, half, q, scale) {
    scale[0] = half(o);
    const qh = (b[o + 2]! | (b[o + 3]! << 8) | (b[o + 4]! << 16) | (b[o + 5]! << 24)) >>> 0;
    for (let j = 0; j < 16; j++) {
      q[j] = ((b[o + 6 + j]! & 15) | (((qh >>> j) & 1) << 4)) + 112;
      q[j + 16] = ((b[o + 6 + j]! >> 4) | (((qh >>> (j + 16)) & 1) << 4)) + 112;
    }
  },
  // q * d + m, q 5-bit; stored q + 128 (zero point 128)
  q5_1(b, o, half, q, scale, offset) {
    scale[0] = half(o);
    offset[0] = half(o + 2);
    const qh = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
    for (let j = 0; j < 16; j++) {
      q[j] = ((b[o + 8 + j]! & 15) | (((qh >>> j) & 1) << 4)) + 128;
      q[j + 16] = ((b[o + 8 + j]! >> 4) | (((qh >>> (j + 16)) & 1) << 4)) + 128;
    }
  },
  // int8 q * d; two's complement + 128 = the sign bit flipped
  q8_0(b, o, half, q, scale) {
    scale[0] = half(o);
    for (let j = 0; j < 32; j++) q[j] = b[o + 2 + j]! ^ 0x80;
  },
  // scales[16] (low nibble scale, high nibble min), qs[64], d, dmin; 16 sub-blocks of 16 in
  // ggml's order (dequantize_row_q2_K); stored q + 8 (zero point 8), offset -fround(dmin * m)
  q2_k(b, o, half, q, scale, offset) {
    const d = half(o + 80);
    const dmin = half(o + 82);
    let y = 0;
    let is = 0;
    for (let n = 0; n < 2; n++) {
      const qs = o + 16 + 32 * n;
      for (let shift = 0; shift < 8; shift += 2) {
        for (let h = 0; h < 2; h++) {
          const sc = b[o + is]!;
          scale[is] = Math.fround(d * (sc & 15));
          offset[is] = -Math.fround(dmin * (sc >> 4));
          is++;
          for (let l = 0; l < 16; l++) q[y++] = ((b[qs + 16 * h + l]! >> shift) & 3) + 8;
        }
      }
    }
  },
  // hmask[32], qs[64], scales[12] (sixteen 6-bit, offset 32), d; q = 2 low bits - (hmask bit
  // clear ? 4 : 0), in -4..3; stored q + 8 (zero point 8)
  q3_k(b, o, half, q, scale) {
    const d = half(o + 108);
    const s = o + 96;
    for (let k = 0; k < 16; k++) {
      const low = k < 8 ? b[s + k]! & 15 : b[s + k - 8]! >> 4;
      const high = (b[s + 8 + (k & 3)]! >> (2 * (k >> 2))) & 3;
      scale[k] = Math.fround(d * ((low | (high << 4)) - 32));
    }
    let y = 0;
    let m = 1;
    for (let n = 0; n < 2; n++) {
      const qs = o + 32 + 32 * n;
      for (let shift = 0; shift < 8; shift += 2) {
        for (let h = 0; h < 2; h++) {
          for (let l = 0; l < 16; l++) q[y++] = ((b[qs + 16 * h + l]! >> shift) & 3) - (b[o + 16 * h + l]! & m ? 0 : 4) + 8;
        }
        m <<= 1;
      }
    }
  },
  // d, dmin, scales[12], qs[128]; 8 sub-blocks of 32: low nibbles of 32 bytes, then their high
  // nibbles; unsigned q (zero point 0), offset -fround(dmin * m)
  q4_k(b, o, half, q, scale, offset) {
    const d = half(o);
    const dmin = half(o + 2);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMinK4(b, o + 4, j);
      scale[j] = Math.fround(d * sc);
      offset[j] = -Math.fround(dmin * m);
      const qs = o + 16 + 32 * (j >> 1);
      const shift = 4 * (j & 1);
      for (let l = 0; l < 32; l++) q[32 * j + l] = (b[qs + l]! >> shift) & 15;
    }
  },
  // as q4_k with a 5th bit from qh[32] (bit j for sub-block j); stored q + 128 (zero point 128)
  q5_k(b, o, half, q, scale, offset) {
    const d = half(o);
    const dmin = half(o + 2);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMinK4(b, o + 4, j);
      scale[j] = Math.fround(d * sc);
      offset[j] = -Math.fround(dmin * m);
      const qs = o + 48 + 32 * (j >> 1);
      const shift = 4 * (j & 1);
      for (let l = 0; l < 32; l++) q[32 * j + l] = ((b[qs + l]! >> shift) & 15) + ((b[o + 16 + l]! >> j) & 1 ? 16 : 0) + 128;
    }
  },
  // ql[128], qh[64], int8 scales[16], d; (q - 32) * fround(d * sc_k), q 6-bit, sub-block k = 16
  // elements; element 128n + 32t + l; stored q + 96 (zero point 128)
  q6_k(b, o, half, q, scale) {
    const d = half(o + 208);
    for (let k = 0; k < 16; k++) scale[k] = Math.fround(d * ((b[o + 192 + k]! << 24) >> 24));
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const y = 128 * n;
      for (let l = 0; l < 32; l++) {
        const a = b[ql + l]!;
        const c = b[ql + l + 32]!;
        const h = b[qh + l]!;
        q[y + l] = ((a & 15) | ((h & 3) << 4)) + 96;
        q[y + l + 32] = ((c & 15) | (((h >> 2) & 3) << 4)) + 96;
        q[y + l + 64] = ((a >> 4) | (((h >> 4) & 3) << 4)) + 96;
        q[y + l + 96] = ((c >> 4) | (((h >> 6) & 3) << 4)) + 96;
      }
    }
  },
};

/** The largest q of the types with offsets (q unsigned, 0..Q_MAX) */
const Q_MAX: Readonly<Partial<Record<Kind, number>>> = { q4_1: 15, q5_1: 31, q2_k: 3, q4_k: 15, q5_k: 31 };

/**
 * The shift z (0..qMax) that centres a block with a minimum: value = scale * q + offset = scale *
 * (q - z) + (offset + scale * z), z = round(-offset / scale), so that MatMulNBits sums weights of
 * about their own size and the block sums @ offsets term is a small correction (with z = 0 both
 * terms are a few times the result and their fp32 roundings add up: the llama-q4_k golden missed
 * its tolerance by 3.8x that way). Exact: z is taken only when offset + scale * z is exact in fp32,
 * which Sterbenz's lemma guarantees when scale * z and -offset have the same sign and are within a
 * factor of 2 of each other (true for any z >= 1 that rounds -offset / scale); else z = 0.
 */
function centre(scale: number, offset: number, qMax: number): number {
  if (scale === 0 || offset === 0) return 0;
  const z = Math.min(qMax, Math.max(0, Math.round(-offset / scale)));
  const a = Math.abs(scale * z);
  const b = Math.abs(offset);
  return z > 0 && Math.sign(scale * z) === -Math.sign(offset) && a <= 2 * b && b <= 2 * a ? z : 0;
}

/** Repacks ggml blocks of `kind` for a [rows, cols] weight into MatMulNBits' inputs. */
export function toMatMulNBits(kind: Kind, rows: number, cols: number, bytes: Uint8Array): MatMulNBitsWeight {
  const per = BLOCK_ELEMS[kind];
  if (cols % per !== 0) throw new Error(`${kind} weight of ${cols} columns: ggml blocks need a multiple of ${per}`);
  const nBlocks = (rows * cols) / per;
  const inBlock = BLOCK_BYTES[kind];
  if (bytes.length !== nBlocks * inBlock) throw new Error(`${kind} weight [${rows}, ${cols}] needs ${nBlocks * inBlock} bytes of blocks, got ${bytes.length}`);
  const { bits, block, zeroPoint, offsets: hasOffsets } = FORMS[kind];
  const perRow = cols / block; // MatMulNBits blocks per row
  const packed = new Uint8Array((rows * cols * bits) / 8);
  const scales = new Float32Array(rows * perRow);
  const offsets = hasOffsets ? new Float32Array(rows * perRow) : undefined;
  const zpRow = Math.ceil((perRow * bits) / 8); // bytes of zero points per row
  const zeroPoints = zeroPoint ? new Uint8Array(rows * zpRow) : undefined;
  const q = new Uint8Array(per);
  const sub = per / block; // MatMulNBits blocks per ggml block
  const blockScale = new Float32Array(sub);
  const blockOffset = new Float32Array(sub);
  const half = (o: number): number => fromHalf(bytes[o]! | (bytes[o + 1]! << 8));
  const decode = DECODE[kind];
  const qMax = Q_MAX[kind] ?? 0;
  for (let b = 0; b < nBlocks; b++) {
    decode(bytes, b * inBlock, half, q, blockScale, blockOffset);
    // ggml block b holds elements [b * per, (b + 1) * per) of the row-major matrix
    const e0 = b * per;
    const row = Math.floor(e0 / cols);
    const col0 = (e0 % cols) / block;
    if (offsets) {
      for (let s = 0; s < sub; s++) {
        // centre: scale * q + offset = scale * (q - z) + (offset + scale * z), z an exact shift
        const z = centre(blockScale[s]!, blockOffset[s]!, qMax);
        // offsets are [K/block, N]: block index along the input, then the output row
        offsets[(col0 + s) * rows + row] = Math.fround(blockOffset[s]! + blockScale[s]! * z);
        if (zeroPoints) {
          const at = row * zpRow + ((col0 + s) >> 1);
          zeroPoints[at] = zeroPoints[at]! | (z << (4 * ((col0 + s) & 1)));
        } else {
          // the default zero point: shift the stored codes down by z instead
          for (let i = s * block; i < (s + 1) * block; i++) q[i] = q[i]! - z;
        }
      }
    }
    if (bits === 8) packed.set(q, e0);
    else for (let i = 0; i < per; i += 2) packed[(e0 + i) >> 1] = q[i]! | (q[i + 1]! << 4);
    scales.set(blockScale, e0 / block);
  }
  return { packed, scales, ...(zeroPoints ? { zeroPoints } : {}), ...(offsets ? { offsets } : {}), bits, blockSize: block, N: rows, K: cols };
}
