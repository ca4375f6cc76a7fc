// Element types the readers accept and their exact conversion to fp32. F16 and BF16 are both
// subsets of fp32, so every value (subnormals, ±0, ±Inf, NaN payloads) converts exactly.

export type DType = 'F32' | 'F16' | 'BF16';

export const DTYPES: readonly DType[] = ['F32', 'F16', 'BF16'];

const SIZES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/** Bytes per element. */
export function dtypeSize(dtype: DType): number {
  return SIZES[dtype];
}

/** fp32 bit pattern of one IEEE half; built bit by bit so NaN payloads survive. */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal half: shift the mantissa up until its leading 1 is the implicit bit.
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e -= 1;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

let f16Table: Uint32Array | null = null;

/** All 65536 halves as fp32 bits (256 KB, built on first use): one lookup per element. */
function f16ToF32Table(): Uint32Array {
  if (!f16Table) {
    const t = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) t[h] = f16BitsToF32Bits(h);
    f16Table = t;
  }
  return f16Table;
}

/** The host's byte order; files are little-endian, so F32 can be read straight into place. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts `count` little-endian elements of `dtype` held in `bytes` (which must be exactly
 * count * size long) into a fresh Float32Array.
 */
export function toFloat32(dtype: DType, bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    else for (let i = 0; i < count; i++) bits[i] = view.getUint32(i * 4, true);
  } else if (dtype === 'F16') {
    const table = f16ToF32Table();
    for (let i = 0; i < count; i++) bits[i] = table[view.getUint16(i * 2, true)] ?? 0;
  } else {
    for (let i = 0; i < count; i++) bits[i] = (view.getUint16(i * 2, true) << 16) >>> 0;
  }
  return out;
}
