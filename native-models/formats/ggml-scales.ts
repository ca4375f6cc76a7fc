// The per-block scales of ggml's block-quantized tensors, read straight from the stored bytes
// (no dequantization): `d` of each 32-element block (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0), the super-block
// `d` of each 256-element K-quant block, and the second per-block number where the type has one
// (`m` of Q4_1/Q5_1, `dmin` of Q2_K/Q4_K/Q5_K). Byte offsets follow ggml's block_* structs
// (ggml-common.h); the block tables (blockSize, typeSize) are ggml-quants'. The 6-bit / 8-bit
// sub-block scales inside a K block multiply `d` and are not returned here.
// Pure: no I/O.

import { f16BitsToF32Bits } from './dtype.js';
import { ggmlByteLength, GGML_TYPES, type QuantType } from './ggml-quants.js';

/** Where `d` (and the second number) sit in a block, and how they are stored. */
interface ScaleLayout {
  /** byte offset of d in the block */
  d: number;
  /** byte offset of m / dmin, or null */
  second: number | null;
  /** what the second number is */
  secondKind: 'm' | 'dmin' | null;
  /** d (and the second) stored as fp16, or fp32 (Q8_K) */
  storage: 'f16' | 'f32';
}

const LAYOUTS: Readonly<Record<QuantType, ScaleLayout>> = {
  // block_q4_0 { ggml_half d; uint8_t qs[16]; }
  Q4_0: { d: 0, second: null, secondKind: null, storage: 'f16' },
  // block_q4_1 { ggml_half d; ggml_half m; uint8_t qs[16]; }
  Q4_1: { d: 0, second: 2, secondKind: 'm', storage: 'f16' },
  // block_q5_0 { ggml_half d; uint8_t qh[4]; uint8_t qs[16]; }
  Q5_0: { d: 0, second: null, secondKind: null, storage: 'f16' },
  // block_q5_1 { ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[16]; }
  Q5_1: { d: 0, second: 2, secondKind: 'm', storage: 'f16' },
  // block_q8_0 { ggml_half d; int8_t qs[32]; }
  Q8_0: { d: 0, second: null, secondKind: null, storage: 'f16' },
  // block_q2_K { uint8_t scales[16]; uint8_t qs[64]; ggml_half d; ggml_half dmin; }
  Q2_K: { d: 80, second: 82, secondKind: 'dmin', storage: 'f16' },
  // block_q3_K { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; ggml_half d; }
  Q3_K: { d: 108, second: null, secondKind: null, storage: 'f16' },
  // block_q4_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128]; }
  Q4_K: { d: 0, second: 2, secondKind: 'dmin', storage: 'f16' },
  // block_q5_K { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; }
  Q5_K: { d: 0, second: 2, secondKind: 'dmin', storage: 'f16' },
  // block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }
  Q6_K: { d: 208, second: null, secondKind: null, storage: 'f16' },
  // block_q8_K { float d; int8_t qs[256]; int16_t bsums[16]; }
  Q8_K: { d: 0, second: null, secondKind: null, storage: 'f32' },
};

export interface BlockScales {
  type: QuantType;
  /** elements per block: 32, or 256 for the K-quants */
  blockSize: number;
  /** one d per block, in block order (block i covers flat elements i*blockSize .. (i+1)*blockSize-1) */
  d: Float32Array;
  /** m (Q4_1, Q5_1) or dmin (Q2_K, Q4_K, Q5_K) per block; null for the other types */
  second: Float32Array | null;
  secondKind: 'm' | 'dmin' | null;
}

/**
 * The per-block scales of `count` elements of `type` stored in `bytes` (exactly
 * ggmlByteLength(type, count) long, little-endian as GGUF stores them).
 */
export function readBlockScales(type: QuantType, bytes: Uint8Array, count: number): BlockScales {
  const t = GGML_TYPES[type];
  const layout = LAYOUTS[type];
  const need = ggmlByteLength(type, count);
  if (bytes.byteLength !== need) throw new RangeError(`${count} elements of ${type} are ${need} bytes; got ${bytes.byteLength}`);
  const nb = count / t.blockSize;
  const d = new Float32Array(nb);
  const second = layout.second === null ? null : new Float32Array(nb);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  const half = (at: number): number => {
    bits[0] = f16BitsToF32Bits(view.getUint16(at, true));
    return f[0]!;
  };
  for (let i = 0; i < nb; i++) {
    const o = i * t.typeSize;
    d[i] = layout.storage === 'f32' ? view.getFloat32(o + layout.d, true) : half(o + layout.d);
    if (second && layout.second !== null) second[i] = half(o + layout.second);
  }
  return { type, blockSize: t.blockSize, d, second, secondKind: layout.secondKind };
}
