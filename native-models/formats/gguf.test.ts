// The GGUF reader: every supported ggml type dequantizes bit for bit as the independent NumPy
// implementation in native-models/fixtures/gguf/make_quant_fixtures.py says (expected.json), metadata
// of every GGUF type becomes the config, shapes are row-major, readRaw gives the stored blocks.
// Broken and refused files are in the fixture manifest (fixtures.ts, ggufCases).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointError, GgufError, openCheckpoint } from './checkpoint.js';
import { GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS, ggufFile } from './fixtures.js';
import { dequantize, GGML_TYPES, ggmlByteLength, type GgmlType } from './ggml-quants.js';
import { openGguf, readGgufHeader, sniffGguf } from './gguf.js';
import { tempDir } from './test-util.js';

const PROOF = fileURLToPath(new URL('../fixtures/gguf/', import.meta.url));

interface Expected {
  file: string;
  tensors: Record<string, { type: GgmlType; ne: number[]; shape: number[]; values: number[] }>;
}

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('GGUF dequantization against the NumPy reference (make_quant_fixtures.py)', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(PROOF, 'expected.json'), 'utf8')) as Expected;
  const reader = openCheckpoint(path.join(PROOF, expected.file));

  it('holds a tensor of every supported type', () => {
    expect(reader.format).toBe('gguf');
    expect(new Set(Object.values(expected.tensors).map((t) => t.type))).toEqual(new Set(Object.keys(GGML_TYPES)));
    expect([...reader.tensors.keys()]).toEqual(Object.keys(expected.tensors));
  });

  for (const [name, want] of Object.entries(expected.tensors)) {
    it(`${want.type}: ${name} equals bit for bit`, () => {
      const info = reader.tensors.get(name);
      expect(info?.dtype).toBe(want.type);
      expect(info?.shape).toEqual(want.shape);
      const got = reader.read(name);
      expect(got.length).toBe(want.values.length);
      expect(bits(got)).toEqual(bits(new Float32Array(want.values)));
      const raw = reader.readRaw?.(name);
      expect(raw?.length).toBe(ggmlByteLength(want.type, want.values.length));
      // dequantize() on the raw bytes is what read() does
      expect(bits(dequantize(want.type, raw ?? new Uint8Array(0), want.values.length))).toEqual(bits(got));
    });
  }
});

describe('GGUF reader', () => {
  it('reads metadata of every type as the config: numbers, bigint beyond 2^53, bools, strings, nested arrays', () => {
    const file = path.join(tempDir(), 'm.gguf');
    fs.writeFileSync(file, ggufFile(GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS));
    const h = readGgufHeader(file);
    expect(h.version).toBe(3);
    expect(h.alignment).toBe(32);
    expect(h.dataStart % 32).toBe(0);
    expect(h.metadata).toEqual({
      'general.architecture': 'llama',
      'general.name': 'tiny ünïcode',
      'test.u8': 255,
      'test.i8': -128,
      'test.u16': 65535,
      'test.i16': -32768,
      'llama.block_count': 1,
      'test.i32': -2147483648,
      'llama.rope.freq_base': 10000,
      'test.bool': true,
      'test.u64': 2 ** 40,
      'test.i64': -5,
      'test.u64_big': 2n ** 64n - 1n,
      'test.f64': 0.1,
      'tokenizer.ggml.tokens': ['<s>', '</s>', 'a', ''],
      'tokenizer.ggml.scores': [0, -1.5, 2],
      'test.nested': [[1, 2], [], [3]],
      'test.empty': [],
    });
    expect(h.metadataTypes['tokenizer.ggml.tokens']).toBe('ARRAY[STRING]');
    expect(h.metadataTypes['test.nested']).toBe('ARRAY[ARRAY]');
    expect(h.metadataTypes['llama.rope.freq_base']).toBe('FLOAT32');
    const r = openGguf(file);
    expect(r.config).toEqual(h.metadata);
    expect(r.paths).toEqual([path.resolve(file)]);
  });

  it('exposes shapes row-major (GGUF ne reversed): ffn_down with ne [F, D] has shape [D, F]', () => {
    const file = path.join(tempDir(), 'down.gguf');
    const [D, F] = [2, 64];
    fs.writeFileSync(file, ggufFile([], [{ name: 'blk.0.ffn_down.weight', type: 0, ne: [F, D], data: new Uint8Array(new Float32Array(D * F).map((_, i) => i).buffer) }]));
    const r = openCheckpoint(file);
    expect(r.tensors.get('blk.0.ffn_down.weight')?.shape).toEqual([D, F]);
    const w = r.read('blk.0.ffn_down.weight');
    expect(w[1 * F + 3]).toBe(F + 3); // row 1, column 3: ne[0] is the fastest-varying dim
  });

  it('is found by its magic whatever the extension, and a key "__proto__" stays data', () => {
    const dir = tempDir();
    const file = path.join(dir, 'model.bin');
    fs.writeFileSync(file, ggufFile([{ key: '__proto__', type: 'STRING', value: 'x' }], []));
    expect(sniffGguf(file)).toBe(true);
    const r = openCheckpoint(file);
    expect(r.format).toBe('gguf');
    expect(Object.getPrototypeOf(r.config)).toBe(Object.prototype);
    expect(Object.keys(r.config ?? {})).toEqual(['__proto__']);
    const other = path.join(dir, 'x.dat');
    fs.writeFileSync(other, 'GGMLxxxxxxxxxxxxxxxxxxxxxxxx');
    expect(sniffGguf(other)).toBe(false);
    expect(() => openCheckpoint(other)).toThrow(CheckpointError);
  });

  it('refuses reading a tensor of a file that shrank since it was opened', () => {
    const file = path.join(tempDir(), 'm.gguf');
    const bytes = ggufFile(GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS);
    fs.writeFileSync(file, bytes);
    const r = openCheckpoint(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 40));
    expect(() => r.read('blk.0.ffn_down.weight')).toThrow(GgufError);
    expect(() => r.readRaw?.('blk.0.ffn_down.weight')).toThrow(/changed since opened/);
  });

  it('dequantize() checks its input length and fills a given output', () => {
    expect(() => dequantize('Q4_K', new Uint8Array(10), 256)).toThrow(RangeError);
    expect(() => ggmlByteLength('Q8_0', 33)).toThrow(RangeError);
    const out = new Float32Array(40).fill(7);
    const block = new Uint8Array(34);
    block[1] = 0x3c; // d = 1.0
    block[2] = 0xff; // q0 = -1
    dequantize('Q8_0', block, 32, out);
    expect([out[0], out[1], out[32]]).toEqual([-1, 0, 7]);
  });
});
