import { describe, expect, it } from 'vitest';
import { f16BitsToF32Bits, toFloat32 } from './dtype.js';

const u16 = (...halves: number[]): Uint8Array => new Uint8Array(new Uint16Array(halves).buffer);
const bitsOf = (f: Float32Array): number[] => Array.from(new Uint32Array(f.buffer));

describe('F16 -> F32', () => {
  it('converts known bit patterns exactly', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x7bff, 65504], // largest normal
      [0x0400, 2 ** -14], // smallest normal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x8001, -(2 ** -24)],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const out = toFloat32('F16', u16(...cases.map(([h]) => h)), cases.length);
    expect(Array.from(out)).toEqual(cases.map(([, v]) => v));
  });

  it('keeps the sign of zero and NaN payloads', () => {
    const out = toFloat32('F16', u16(0x8000, 0x7e00, 0x7c01, 0xfe00), 4);
    expect(Object.is(out[0], -0)).toBe(true);
    expect(bitsOf(out).slice(1)).toEqual([0x7fc00000, 0x7f802000, 0xffc00000]);
  });

  it('agrees with the arithmetic definition for all 65536 patterns', () => {
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const mant = h & 0x3ff;
      const want = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant ? NaN : sign * Infinity) : sign * (1024 + mant) * 2 ** (exp - 25);
      const got = new Float32Array(new Uint32Array([f16BitsToF32Bits(h)]).buffer)[0];
      if (!Object.is(got, want)) expect.fail(`half 0x${h.toString(16)}: got ${got}, want ${want}`);
    }
  });
});

describe('BF16 -> F32', () => {
  it('is the upper half of the fp32 bits, exactly', () => {
    const halves = [0x3f80, 0xc000, 0x4049, 0x0001, 0x8000, 0x7f80, 0xff80, 0x7fc1, 0x7f7f];
    const out = toFloat32('BF16', u16(...halves), halves.length);
    expect(bitsOf(out)).toEqual(halves.map((h) => (h << 16) >>> 0));
    expect(Array.from(out.slice(0, 3))).toEqual([1, -2, 3.140625]);
    expect(out[3]).toBe(2 ** -133); // fp32 subnormal
    expect(Object.is(out[4], -0)).toBe(true);
    expect([out[5], out[6]]).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(out[7])).toBe(true);
  });
});

describe('F32', () => {
  it('copies little-endian bytes from an unaligned view', () => {
    const src = new Uint8Array(9);
    src.set(new Uint8Array(new Float32Array([1.5, -0]).buffer), 1);
    const out = toFloat32('F32', src.subarray(1), 2);
    expect(out[0]).toBe(1.5);
    expect(Object.is(out[1], -0)).toBe(true);
  });
});
