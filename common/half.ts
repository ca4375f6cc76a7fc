// IEEE 754 binary16 ("half") conversions, shared by the sample store (db/samples.ts), the graph's
// 16-bit weights and the GGUF block scales (native-models/graph/quantized.ts).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> float16 bits, rounding to nearest, ties to even; overflow to +-Inf, NaN stays NaN. */
export function toHalf(value: number): number {
  f32[0] = value;
  return halfOfFloatBits(u32[0] as number);
}

/** toHalf of the float32 whose bits are `x` (as uint32 or int32: read in bulk through a view of a Float32Array). */
export function halfOfFloatBits(x: number): number {
  const u = x & 0x7fffffff;
  if (u >= 0x38800000 && u < 0x47800000) {
    // a normal half (the common case) without branches: rebias, then add the round-to-nearest-even
    // carry (the low 13 bits past half, or at half with an odd result; a carry into the exponent is right, up to Inf)
    const q = (u - 0x38000000) >>> 13;
    return ((x >>> 16) & 0x8000) | (q + (((u & 0x1fff) + (q & 1) + 0xfff) >>> 13));
  }
  const sign = (x >>> 16) & 0x8000;
  const e = (x >>> 23) & 0xff;
  const m = x & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m !== 0 ? 0x200 | (m >>> 13) : 0);
  const he = e - 112; // exponent rebiased from 127 to 15
  if (he >= 0x1f) return sign | 0x7c00;
  if (he <= 0) {
    // subnormal half (or zero): the value in units of 2^-24, rounded
    if (he < -10) return sign;
    const full = m | 0x800000;
    const shift = 14 - he;
    let q = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (q & 1) === 1)) q++;
    return sign | q;
  }
  let q = (he << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (q & 1) === 1)) q++; // a carry into the exponent is right, up to Inf
  return sign | q;
}

/** float16 bits -> its exact value. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
