import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { fromHalf, toHalf } from '../common/half.js';
import { decodeHalf, encodeHalf, insertSamples, readSamples } from './samples.js';

/** the next float32 above (dir 1) or below (dir -1) a positive float32 */
function nextF32(v: number, dir: 1 | -1): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer);
  u[0]! += dir;
  return f[0]!;
}

describe('float16 conversion', () => {
  it('round-trips every finite half and keeps NaN', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) expect(Number.isNaN(fromHalf(toHalf(v)))).toBe(true);
      else expect(toHalf(v)).toBe(h);
    }
    expect(toHalf(NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalf(NaN) & 0x3ff).not.toBe(0);
  });

  it('rounds to nearest with ties to even, normals and subnormals alike', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const a = fromHalf(h);
      const mid = (a + fromHalf(h + 1)) / 2; // exact in float32
      expect(Math.fround(mid)).toBe(mid);
      expect(toHalf(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(toHalf(nextF32(mid, -1))).toBe(h);
      expect(toHalf(nextF32(mid, 1))).toBe(h + 1);
      expect(toHalf(-mid)).toBe(0x8000 | (h % 2 === 0 ? h : h + 1));
    }
  });

  it('overflows to infinity past the largest half and underflows to signed zero', () => {
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(nextF32(65520, -1))).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00); // the tie rounds to even: Inf
    expect(toHalf(1e9)).toBe(0x7c00);
    expect(toHalf(-Infinity)).toBe(0xfc00);
    expect(toHalf(2 ** -25)).toBe(0); // the tie with the smallest subnormal rounds to even: 0
    expect(toHalf(nextF32(2 ** -25, 1))).toBe(1);
    expect(toHalf(1e-10)).toBe(0);
    expect(toHalf(-1e-10)).toBe(0x8000);
    expect(toHalf(-0)).toBe(0x8000);
  });

  it('encodes little-endian', () => {
    expect([...encodeHalf([1, -2])]).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    expect(Array.from(decodeHalf(encodeHalf([0.5, 1024, -0.099975586])))).toEqual([0.5, 1024, -0.099975586].map((v) => fromHalf(toHalf(v))));
  });
});

describe('float16 encoding of float32 arrays', () => {
  it('reads the floats through their bits and gives the same bytes as value by value, at any offset', () => {
    // every class: normals of both signs, ties, subnormals, the overflow edge, zeros, infinities, NaN
    const special = [0, -0, 1, -1, 65504, 65520, 1e9, -1e9, 6e-8, 3e-8, 1e-40, Infinity, -Infinity, NaN, fromHalf(0x3c01) + 2 ** -12];
    const values = new Float32Array(4096);
    special.forEach((v, i) => (values[i] = v));
    const bits = new Uint32Array(values.buffer);
    for (let i = special.length; i < values.length; i++) bits[i] = (i * 2654435761) >>> 0; // scattered bit patterns
    for (const offset of [0, 1, 3]) {
      const view = values.subarray(offset);
      expect(encodeHalf(view)).toEqual(encodeHalf(Array.from(view)));
    }
  });
});

describe('samples table', () => {
  it('stores samples and reads them back per layer', () => {
    const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-db-')), 'lab.sqlite'));
    db.prepare("INSERT INTO corpora (id, name, source, status, created_at) VALUES (1, 'c', 'x', 'ready', 'now')").run();
    db.prepare("INSERT INTO documents (id, corpus_id, ordinal, name, text, bytes) VALUES (5, 1, 0, 'd', 'hello', 5)").run();
    db.prepare("INSERT INTO models (id, name, path, format, architecture, family, sha256, spec, params, created_at) VALUES (1, 'm', '/m', 'hf', 'gpt2', 'gpt2', 'x', '{}', 0, 'now')").run();
    db.prepare("INSERT INTO datasets (id, name, model_id, corpus_id, status, params, created_at) VALUES (1, 'd', 1, 1, 'ready', '{}', 'now')").run();
    const residual = Float32Array.from({ length: 2 * 3 }, (_, i) => i / 7);
    const ffn = Float32Array.from({ length: 2 * 4 }, (_, i) => i * -1.5 + 0);
    insertSamples(db, 1, [{ documentId: 5, position: 3, tokenId: 9, token: 'l', metadata: { genre: 'news', pos: 'NN' }, loss: 1.25, residual, ffn }]);
    const [s] = readSamples(db, 1, 2);
    expect(s).toMatchObject({ documentId: 5, position: 3, tokenId: 9, token: 'l', metadata: { genre: 'news', pos: 'NN' }, loss: 1.25 });
    expect(s!.residual).toHaveLength(2);
    expect(Array.from(s!.residual[1]!)).toEqual(Array.from(residual.subarray(3), (v) => fromHalf(toHalf(v))));
    expect(Array.from(s!.ffn[0]!)).toEqual([0, -1.5, -3, -4.5].map((v) => v + 0));
    expect(readSamples(db, 1, 2, { blobs: false })[0]!.residual).toEqual([]);
    db.close();
  });
});
