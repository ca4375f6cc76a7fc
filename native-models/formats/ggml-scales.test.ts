// The per-block scale reader against values computed here, independently, from the stored bytes
// (ggml-common.h's block structs written out again below, and an fp16 decoder from the IEEE
// formula), and against the independent NumPy dequantization of the same blocks
// (fixtures/gguf/expected.json): every dequantized value is an integer multiple of its block's d.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isQuantType, type QuantType } from './ggml-quants.js';
import { readBlockScales } from './ggml-scales.js';
import { openGguf } from './gguf.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const quants = path.join(root, 'gguf', 'quants.gguf');
const expected = JSON.parse(fs.readFileSync(path.join(root, 'gguf', 'expected.json'), 'utf8')) as { tensors: Record<string, { type: string; values: number[] }> };

/** IEEE half from its bits: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m. */
function half(bits: number): number {
  const s = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const m = bits & 1023;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

// From ggml-common.h: bytes per block, offset of d, offset of m/dmin (-1: none), d as fp32.
const STRUCTS: Record<QuantType, { bytes: number; elems: number; d: number; second: number; f32?: true }> = {
  Q4_0: { bytes: 2 + 16, elems: 32, d: 0, second: -1 },
  Q4_1: { bytes: 2 + 2 + 16, elems: 32, d: 0, second: 2 },
  Q5_0: { bytes: 2 + 4 + 16, elems: 32, d: 0, second: -1 },
  Q5_1: { bytes: 2 + 2 + 4 + 16, elems: 32, d: 0, second: 2 },
  Q8_0: { bytes: 2 + 32, elems: 32, d: 0, second: -1 },
  Q2_K: { bytes: 16 + 64 + 2 + 2, elems: 256, d: 16 + 64, second: 16 + 64 + 2 },
  Q3_K: { bytes: 32 + 64 + 12 + 2, elems: 256, d: 32 + 64 + 12, second: -1 },
  Q4_K: { bytes: 2 + 2 + 12 + 128, elems: 256, d: 0, second: 2 },
  Q5_K: { bytes: 2 + 2 + 12 + 32 + 128, elems: 256, d: 0, second: 2 },
  Q6_K: { bytes: 128 + 64 + 16 + 2, elems: 256, d: 128 + 64 + 16, second: -1 },
  Q8_K: { bytes: 4 + 256 + 32, elems: 256, d: 0, second: -1, f32: true },
};

function independent(type: QuantType, raw: Uint8Array): { d: number[]; second: number[] | null } {
  const s = STRUCTS[type];
  const nb = raw.length / s.bytes;
  const u16 = (at: number) => raw[at]! | (raw[at + 1]! << 8);
  const d: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < nb; i++) {
    const o = i * s.bytes;
    d.push(s.f32 ? Buffer.from(raw.subarray(o, o + 4)).readFloatLE(0) : half(u16(o + s.d)));
    if (s.second >= 0) second.push(half(u16(o + s.second)));
  }
  return { d, second: s.second >= 0 ? second : null };
}

/** Every quantized tensor of the committed GGUF fixtures, with its raw blocks. */
function quantTensors(file: string) {
  const r = openGguf(file);
  return [...r.tensors.values()].filter((t) => isQuantType(t.dtype)).map((t) => ({ name: t.name, type: t.dtype as QuantType, shape: t.shape, raw: r.readRaw!(t.name) }));
}

const modelFiles = fs.readdirSync(path.join(root, 'gguf-models')).map((m) => path.join(root, 'gguf-models', m, 'model.gguf'));

describe('readBlockScales', () => {
  it('reads every quantized type of the quant fixture as the ggml structs lay the bytes out', () => {
    const seen = new Set<string>();
    for (const t of quantTensors(quants)) {
      const count = t.shape.reduce((a, b) => a * b, 1);
      const got = readBlockScales(t.type, t.raw, count);
      const want = independent(t.type, t.raw);
      expect(got.blockSize).toBe(STRUCTS[t.type].elems);
      expect([...got.d]).toEqual(want.d);
      expect(got.second ? [...got.second] : null).toEqual(want.second);
      expect(got.secondKind).toBe(want.second === null ? null : t.type.endsWith('_K') ? 'dmin' : 'm');
      expect(got.d.length).toBe(count / STRUCTS[t.type].elems);
      seen.add(t.type);
    }
    expect([...seen].sort()).toEqual(Object.keys(STRUCTS).sort());
  });

  it('reads the quantized tensors of the model fixtures (Q8_0, Q4_K)', () => {
    let n = 0;
    for (const file of modelFiles) {
      for (const t of quantTensors(file)) {
        const got = readBlockScales(t.type, t.raw, t.shape.reduce((a, b) => a * b, 1));
        expect([...got.d]).toEqual(independent(t.type, t.raw).d);
        expect(got.d.every((d) => Number.isFinite(d) && d !== 0)).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it("agrees with the independent dequantization: each value is d times the type's integer quant", () => {
    // value = d * q (Q4_0 q in -8..7, Q5_0 -16..15, Q8_0 -128..127, Q3_K sc*q with |sc*q| <= 32*4,
    // Q6_K sc*q with |sc*q| <= 128*32, Q8_K -128..127); value = d * q + m (Q4_1 q in 0..15, Q5_1 0..31)
    const bound: Partial<Record<QuantType, [number, number]>> = { Q4_0: [-8, 7], Q5_0: [-16, 15], Q8_0: [-128, 127], Q3_K: [-128, 128], Q6_K: [-4096, 4096], Q8_K: [-128, 127], Q4_1: [0, 15], Q5_1: [0, 31] };
    for (const t of quantTensors(quants)) {
      const b = bound[t.type];
      if (!b) continue;
      const values = expected.tensors[t.name]!.values;
      const s = readBlockScales(t.type, t.raw, values.length);
      values.forEach((v, i) => {
        const block = Math.floor(i / s.blockSize);
        const q = (v - (s.second?.[block] ?? 0)) / s.d[block]!;
        expect(Math.abs(q - Math.round(q)), `${t.name}[${i}]`).toBeLessThan(1e-3);
        expect(Math.round(q)).toBeGreaterThanOrEqual(b[0]);
        expect(Math.round(q)).toBeLessThanOrEqual(b[1]);
      });
    }
  });

  it('refuses bytes that are not whole blocks of the count', () => {
    expect(() => readBlockScales('Q8_0', new Uint8Array(33), 32)).toThrow(/32 elements of Q8_0 are 34 bytes; got 33/);
    expect(() => readBlockScales('Q4_K', new Uint8Array(144), 100)).toThrow(/not whole blocks/);
  });
});
