// ggml's tensor element types as GGUF stores them, and dequantization of the block-quantized ones
// to fp32. Block layouts and element orders follow ggml's block_* definitions (ggml-common.h) and
// dequantize_row_* (ggml-quants.c); the arithmetic is ggml's float32 arithmetic, operation by
// operation, so the results are bit-identical to ggml's reference (C) dequantization:
// - every scale product (d * sc, dmin * m) is computed exactly or rounded once to float32 as in C;
// - a value is then (scale * q) [- or + offset], each step a float32 operation. JS computes it
//   in double and rounds once when storing to the Float32Array; for one +, -, * of float32
//   operands double rounding is innocuous (53 >= 2 * 24 + 2), and where C rounds an intermediate
//   product (Q6_K: d * sc * q) that product is exact in float32 anyway (11 + 8 bits).
// Pure: no I/O, no allocation per element.

import { f16BitsToF32Bits, toFloat32 } from './dtype.js';

/** Every ggml type id GGUF files may carry, by name (ggml.h enum ggml_type). */
export const GGML_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 4: 'Q4_2', 5: 'Q4_3', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1',
  10: 'Q2_K', 11: 'Q3_K', 12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K', 16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS',
  19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64',
  29: 'IQ1_M', 30: 'BF16', 31: 'Q4_0_4_4', 32: 'Q4_0_4_8', 33: 'Q4_0_8_8', 34: 'TQ1_0', 35: 'TQ2_0', 36: 'IQ4_NL_4_4',
  37: 'IQ4_NL_4_8', 38: 'IQ4_NL_8_8', 39: 'MXFP4',
};

/** The block-quantized types this app dequantizes. */
export type QuantType = 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q8_0' | 'Q2_K' | 'Q3_K' | 'Q4_K' | 'Q5_K' | 'Q6_K' | 'Q8_K';
/** Every GGUF tensor type this app reads: the plain floats and the quantized ones. */
export type GgmlType = 'F32' | 'F16' | 'BF16' | QuantType;

/** Super-block length of the K-quants. */
export const QK_K = 256;

export interface GgmlTypeInfo {
  name: GgmlType;
  /** ggml's type id (enum ggml_type) */
  id: number;
  /** elements per block (1 for plain floats) */
  blockSize: number;
  /** bytes per block */
  typeSize: number;
}

const info = (name: GgmlType, id: number, blockSize: number, typeSize: number): GgmlTypeInfo => ({ name, id, blockSize, typeSize });

/** The readable types, in ggml's id order. */
export const GGML_TYPES: Readonly<Record<GgmlType, GgmlTypeInfo>> = {
  F32: info('F32', 0, 1, 4),
  F16: info('F16', 1, 1, 2),
  Q4_0: info('Q4_0', 2, 32, 2 + 16),
  Q4_1: info('Q4_1', 3, 32, 2 + 2 + 16),
  Q5_0: info('Q5_0', 6, 32, 2 + 4 + 16),
  Q5_1: info('Q5_1', 7, 32, 2 + 2 + 4 + 16),
  Q8_0: info('Q8_0', 8, 32, 2 + 32),
  Q2_K: info('Q2_K', 10, QK_K, QK_K / 16 + QK_K / 4 + 2 + 2),
  Q3_K: info('Q3_K', 11, QK_K, QK_K / 8 + QK_K / 4 + 12 + 2),
  Q4_K: info('Q4_K', 12, QK_K, 2 + 2 + 12 + QK_K / 2),
  Q5_K: info('Q5_K', 13, QK_K, 2 + 2 + 12 + QK_K / 8 + QK_K / 2),
  Q6_K: info('Q6_K', 14, QK_K, QK_K / 2 + QK_K / 4 + QK_K / 16 + 2),
  Q8_K: info('Q8_K', 15, QK_K, 4 + QK_K + 2 * (QK_K / 16)),
  BF16: info('BF16', 30, 1, 2),
};

const BY_ID = new Map(Object.values(GGML_TYPES).map((t) => [t.id, t]));

/** Names of the readable types, for error messages. */
export const SUPPORTED_GGML_TYPES: readonly GgmlType[] = Object.values(GGML_TYPES).map((t) => t.name);

/** The readable type with this id, or undefined (then GGML_TYPE_NAMES says what it is). */
export function ggmlTypeById(id: number): GgmlTypeInfo | undefined {
  return BY_ID.get(id);
}

export function isQuantType(t: string): t is QuantType {
  return t in GGML_TYPES && GGML_TYPES[t as GgmlType].blockSize > 1;
}

/** Bytes that `count` elements of `type` take; count must be a multiple of the block size. */
export function ggmlByteLength(type: GgmlType, count: number): number {
  const t = GGML_TYPES[type];
  if (count % t.blockSize !== 0) throw new RangeError(`${count} elements of ${type} are not whole blocks of ${t.blockSize}`);
  return (count / t.blockSize) * t.typeSize;
}

let halfTable: Float32Array | null = null;

/** fp16 -> fp32 for all 65536 halves (exact), built on first use. */
function halves(): Float32Array {
  if (!halfTable) {
    const bits = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) bits[h] = f16BitsToF32Bits(h);
    halfTable = new Float32Array(bits.buffer);
  }
  return halfTable;
}

// The loops below index typed arrays whose bounds were checked once up front (dequantize()), so
// `!` on an element read states what is already known.

function q4_0(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 18;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 2 + j]!;
      out[y + j] = ((q & 0x0f) - 8) * d;
      out[y + j + 16] = ((q >> 4) - 8) * d;
    }
  }
}

function q4_1(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 20;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const m = H[b[o + 2]! | (b[o + 3]! << 8)]!;
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 4 + j]!;
      out[y + j] = (q & 0x0f) * d + m;
      out[y + j + 16] = (q >> 4) * d + m;
    }
  }
}

function q5_0(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 22;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const qh = (b[o + 2]! | (b[o + 3]! << 8) | (b[o + 4]! << 16) | (b[o + 5]! << 24)) >>> 0;
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 6 + j]!;
      out[y + j] = (((q & 0x0f) | (((qh >>> j) & 1) << 4)) - 16) * d;
      out[y + j + 16] = (((q >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16) * d;
    }
  }
}

function q5_1(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 24;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const m = H[b[o + 2]! | (b[o + 3]! << 8)]!;
    const qh = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
    const y = i * 32;
    for (let j = 0; j < 16; j++) {
      const q = b[o + 8 + j]!;
      out[y + j] = ((q & 0x0f) | (((qh >>> j) & 1) << 4)) * d + m;
      out[y + j + 16] = ((q >> 4) | (((qh >>> (j + 16)) & 1) << 4)) * d + m;
    }
  }
}

function q8_0(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 34;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const y = i * 32;
    for (let j = 0; j < 32; j++) out[y + j] = ((b[o + 2 + j]! << 24) >> 24) * d;
  }
}

// Q2_K: scales[16] (low nibble scale, high nibble min), qs[64], d, dmin. Each 128 elements use
// 32 bytes of qs; the four 2-bit fields of a byte go to four 32-element runs, each run split in
// two halves of 16 with their own scale.
function q2_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 84;
    const d = H[b[o + 80]! | (b[o + 81]! << 8)]!;
    const dmin = H[b[o + 82]! | (b[o + 83]! << 8)]!;
    let y = i * QK_K;
    let is = 0;
    for (let n = 0; n < 2; n++) {
      const q = o + 16 + 32 * n;
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 2; half++) {
          const sc = b[o + is++]!;
          const dl = Math.fround(d * (sc & 0x0f));
          const ml = Math.fround(dmin * (sc >> 4));
          const qq = q + 16 * half;
          for (let l = 0; l < 16; l++) out[y++] = dl * ((b[qq + l]! >> shift) & 3) - ml;
        }
      }
    }
  }
}

// Q3_K: hmask[32], qs[64], scales[12] (sixteen 6-bit scales, offset 32), d. The 3rd bit of the
// quant is in hmask (bit set: +0, clear: -4), one hmask bit plane per 32-element run.
function q3_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  const scales = new Int32Array(16);
  for (let i = 0; i < nb; i++) {
    const o = i * 110;
    const s = o + 96;
    for (let k = 0; k < 16; k++) {
      const low = k < 8 ? b[s + k]! & 0x0f : b[s + k - 8]! >> 4;
      const high = (b[s + 8 + (k & 3)]! >> (2 * (k >> 2))) & 3;
      scales[k] = (low | (high << 4)) - 32;
    }
    const dAll = H[b[o + 108]! | (b[o + 109]! << 8)]!;
    let y = i * QK_K;
    let is = 0;
    let m = 1;
    for (let n = 0; n < 2; n++) {
      const q = o + 32 + 32 * n;
      for (let shift = 0; shift < 8; shift += 2) {
        for (let half = 0; half < 2; half++) {
          const dl = Math.fround(dAll * scales[is++]!);
          const qq = q + 16 * half;
          const hm = o + 16 * half;
          for (let l = 0; l < 16; l++) out[y++] = dl * (((b[qq + l]! >> shift) & 3) - (b[hm + l]! & m ? 0 : 4));
        }
        m <<= 1;
      }
    }
  }
}

/** ggml's get_scale_min_k4: the j-th (scale, min) pair of the 12 packed bytes at `s`, 6 bits each. */
function scaleMinK4(b: Uint8Array, s: number, j: number, pair: Int32Array): void {
  if (j < 4) {
    pair[0] = b[s + j]! & 63;
    pair[1] = b[s + j + 4]! & 63;
  } else {
    pair[0] = (b[s + j + 4]! & 0x0f) | ((b[s + j - 4]! >> 6) << 4);
    pair[1] = (b[s + j + 4]! >> 4) | ((b[s + j]! >> 6) << 4);
  }
}

// Q4_K: d, dmin, scales[12], qs[128]. Four 64-element groups: 32 low nibbles then 32 high
// nibbles of the same 32 bytes, each half with its own 6-bit scale and min.
function q4_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  const pair = new Int32Array(2);
  for (let i = 0; i < nb; i++) {
    const o = i * 144;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const dmin = H[b[o + 2]! | (b[o + 3]! << 8)]!;
    let y = i * QK_K;
    for (let g = 0; g < 4; g++) {
      scaleMinK4(b, o + 4, 2 * g, pair);
      const d1 = Math.fround(d * pair[0]!);
      const m1 = Math.fround(dmin * pair[1]!);
      scaleMinK4(b, o + 4, 2 * g + 1, pair);
      const d2 = Math.fround(d * pair[0]!);
      const m2 = Math.fround(dmin * pair[1]!);
      const q = o + 16 + 32 * g;
      for (let l = 0; l < 32; l++) out[y++] = d1 * (b[q + l]! & 0x0f) - m1;
      for (let l = 0; l < 32; l++) out[y++] = d2 * (b[q + l]! >> 4) - m2;
    }
  }
}

// Q5_K: d, dmin, scales[12], qh[32], qs[128]. As Q4_K, plus a 5th bit from qh: bit 2g for the
// low-nibble half of group g, bit 2g+1 for the high-nibble half.
function q5_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  const pair = new Int32Array(2);
  for (let i = 0; i < nb; i++) {
    const o = i * 176;
    const d = H[b[o]! | (b[o + 1]! << 8)]!;
    const dmin = H[b[o + 2]! | (b[o + 3]! << 8)]!;
    const qh = o + 16;
    let y = i * QK_K;
    for (let g = 0; g < 4; g++) {
      scaleMinK4(b, o + 4, 2 * g, pair);
      const d1 = Math.fround(d * pair[0]!);
      const m1 = Math.fround(dmin * pair[1]!);
      scaleMinK4(b, o + 4, 2 * g + 1, pair);
      const d2 = Math.fround(d * pair[0]!);
      const m2 = Math.fround(dmin * pair[1]!);
      const q = o + 48 + 32 * g;
      const u1 = 1 << (2 * g);
      const u2 = 2 << (2 * g);
      for (let l = 0; l < 32; l++) out[y++] = d1 * ((b[q + l]! & 0x0f) + (b[qh + l]! & u1 ? 16 : 0)) - m1;
      for (let l = 0; l < 32; l++) out[y++] = d2 * ((b[q + l]! >> 4) + (b[qh + l]! & u2 ? 16 : 0)) - m2;
    }
  }
}

// Q6_K: ql[128], qh[64], scales[16] int8, d. Per 128 elements: 64 bytes of ql, 32 of qh, 8 scales;
// element l, l+32, l+64, l+96 take (ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high) with
// qh[l] bits (0-1, 2-3, 4-5, 6-7) on top, minus 32; one scale per 16 elements.
function q6_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const H = halves();
  for (let i = 0; i < nb; i++) {
    const o = i * 210;
    const d = H[b[o + 208]! | (b[o + 209]! << 8)]!;
    for (let n = 0; n < 2; n++) {
      const ql = o + 64 * n;
      const qh = o + 128 + 32 * n;
      const sc = o + 192 + 8 * n;
      const y = i * QK_K + 128 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const a = b[ql + l]!;
        const c = b[ql + l + 32]!;
        const h = b[qh + l]!;
        out[y + l] = Math.fround(d * ((b[sc + is]! << 24) >> 24)) * (((a & 0x0f) | ((h & 3) << 4)) - 32);
        out[y + l + 32] = Math.fround(d * ((b[sc + is + 2]! << 24) >> 24)) * (((c & 0x0f) | (((h >> 2) & 3) << 4)) - 32);
        out[y + l + 64] = Math.fround(d * ((b[sc + is + 4]! << 24) >> 24)) * (((a >> 4) | (((h >> 4) & 3) << 4)) - 32);
        out[y + l + 96] = Math.fround(d * ((b[sc + is + 6]! << 24) >> 24)) * (((c >> 4) | (((h >> 6) & 3) << 4)) - 32);
      }
    }
  }
}

// Q8_K: float32 d, int8 qs[256], int16 bsums[16] (sums for dot products; not needed here).
function q8_K(b: Uint8Array, out: Float32Array, nb: number): void {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < nb; i++) {
    const o = i * 292;
    const d = view.getFloat32(o, true);
    const y = i * QK_K;
    for (let j = 0; j < QK_K; j++) out[y + j] = ((b[o + 4 + j]! << 24) >> 24) * d;
  }
}

const ROWS: Record<QuantType, (b: Uint8Array, out: Float32Array, nb: number) => void> = { Q4_0: q4_0, Q4_1: q4_1, Q5_0: q5_0, Q5_1: q5_1, Q8_0: q8_0, Q2_K: q2_K, Q3_K: q3_K, Q4_K: q4_K, Q5_K: q5_K, Q6_K: q6_K, Q8_K: q8_K };

/**
 * `count` elements of `type` from `bytes` (exactly ggmlByteLength(type, count) long, little-endian
 * as GGUF stores them) as fp32, in ggml's element order; `out` (length >= count) is filled when given.
 */
export function dequantize(type: GgmlType, bytes: Uint8Array, count: number, out?: Float32Array): Float32Array {
  const t = GGML_TYPES[type];
  const need = ggmlByteLength(type, count);
  if (bytes.byteLength !== need) throw new RangeError(`${count} elements of ${type} are ${need} bytes; got ${bytes.byteLength}`);
  if (out && out.length < count) throw new RangeError(`output holds ${out.length} elements; ${count} needed`);
  if (t.blockSize === 1) {
    const plain = toFloat32(type as 'F32' | 'F16' | 'BF16', bytes, count);
    if (!out) return plain;
    out.set(plain);
    return out;
  }
  const result = out ?? new Float32Array(count);
  ROWS[type as QuantType](bytes, result, count / t.blockSize);
  return result;
}
