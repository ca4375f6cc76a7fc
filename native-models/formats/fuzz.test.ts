// Mutation fuzzing: thousands of broken variants of small valid checkpoints (seeded, so a
// failure reproduces). Every open + read-all must succeed or throw a FormatError; a RangeError,
// TypeError, SyntaxError or a hang means a check is missing.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng, type Rand } from '../../common/prng.js';
import { openCheckpoint } from './checkpoint.js';
import { FormatError } from './errors.js';
import { concat, GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS, ggufFile, llama2cFile, SAMPLE_TENSORS, safetensorsFile, safetensorsRaw, TINY_LLAMA } from './fixtures.js';
import { readGgufHeader } from './gguf.js';
import { tempDir } from './test-util.js';

const ROUNDS = 3000;

const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

const NUMBERS = ['0', '-1', '1', '3', '8', '4294967296', '9007199254740993', '1e308', '-0', '1.5', '99999999999999999999', '2147483648'];

/** Opens and reads everything; returns 'ok' or 'format-error', throws anything else. */
function exercise(target: string): 'ok' | 'format-error' {
  try {
    const r = openCheckpoint(target);
    for (const name of r.tensors.keys()) r.read(name);
    r.sha256();
    return 'ok';
  } catch (err) {
    if (err instanceof FormatError) return 'format-error';
    throw err;
  }
}

function byteMutations(r: Rand, bytes: Uint8Array, headerEnd: number): Uint8Array {
  const out = new Uint8Array(bytes);
  switch (int(r, 4)) {
    case 0:
      return out.subarray(0, int(r, out.length + 1));
    case 1:
      for (let k = 1 + int(r, 4); k > 0; k--) {
        const at = r() < 0.7 ? int(r, Math.max(1, Math.min(out.length, headerEnd))) : int(r, out.length);
        out[at] = int(r, 256);
      }
      return out;
    case 2:
      return concat([out, new Uint8Array(Array.from({ length: 1 + int(r, 9) }, () => int(r, 256)))]);
    default: {
      const at = int(r, out.length);
      return concat([out.subarray(0, at), out.subarray(at + 1 + int(r, 8))]);
    }
  }
}

/** Edits the header text of a safetensors file: numbers, repeated keys, deletions. */
function headerMutation(r: Rand, bytes: Uint8Array): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  let text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const data = bytes.subarray(8 + n);
  const kind = int(r, 4);
  if (kind === 0) {
    const nums = [...text.matchAll(/-?\d+(\.\d+)?(e\d+)?/g)];
    const m = nums.length ? pick(r, nums) : undefined;
    if (m?.index !== undefined) text = text.slice(0, m.index) + pick(r, [...NUMBERS, String(int(r, 200))]) + text.slice(m.index + m[0].length);
  } else if (kind === 1) {
    const entries = [...text.matchAll(/"[^"]+":\{[^{}]*\}/g)];
    const m = entries.length ? pick(r, entries) : undefined;
    if (m) text = text.replace('{', `{${m[0]},`);
  } else if (kind === 2) {
    const at = int(r, text.length);
    text = text.slice(0, at) + text.slice(at + 1 + int(r, 6));
  } else {
    text = text.replace(pick(r, ['F32', 'F16', 'BF16']), pick(r, ['F64', 'I64', 'U8', 'BF16', 'F16', '']));
  }
  const keepLength = r() < 0.3;
  return safetensorsRaw(text, data, keepLength ? BigInt(n) : undefined);
}

function run(seeds: Uint8Array[], file: string, seed: number, mutate: (r: Rand, b: Uint8Array) => Uint8Array): Record<string, number> {
  const r = prng(seed);
  const tally: Record<string, number> = { ok: 0, 'format-error': 0 };
  for (let i = 0; i < ROUNDS; i++) {
    let bytes = pick(r, seeds);
    for (let k = 1 + int(r, 2); k > 0; k--) bytes = mutate(r, bytes);
    fs.writeFileSync(file, bytes);
    let outcome: string;
    try {
      outcome = exercise(file);
    } catch (err) {
      // Outside the test's temp folder, which is removed when the test ends.
      const kept = path.join(os.tmpdir(), `ffn-formats-crash-${seed}-${i}${path.extname(file)}`);
      fs.writeFileSync(kept, bytes);
      throw new Error(`round ${i} (seed ${seed}): ${String(err)}; input kept at ${kept}`, { cause: err });
    }
    tally[outcome] = (tally[outcome] ?? 0) + 1;
  }
  return tally;
}

describe('fuzz', () => {
  it(`safetensors: ${ROUNDS} mutations open cleanly or throw FormatError`, () => {
    const file = path.join(tempDir(), 'm.safetensors');
    const seeds = [
      safetensorsFile(SAMPLE_TENSORS, { metadata: { format: 'pt' } }),
      safetensorsFile([...SAMPLE_TENSORS.slice(0, 2), { name: 'e', dtype: 'F16', shape: [0], values: [] }, ...SAMPLE_TENSORS.slice(2)], { pad: 3 }),
    ];
    const tally = run(seeds, file, 1234, (r, b) => {
      const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
      const headerOk = b.length >= 8 && n <= b.length - 8;
      const roll = r();
      if (roll < 0.4 && headerOk) return headerMutation(r, b);
      if (roll < 0.5 && b.length >= 8) {
        const out = new Uint8Array(b);
        new DataView(out.buffer).setBigUint64(0, BigInt(int(r, 2 ** 32)) * BigInt(int(r, 2 ** 32)) + BigInt(int(r, 300)), true);
        return out;
      }
      return byteMutations(r, b, headerOk ? 8 + n : b.length);
    });
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally['format-error']).toBeGreaterThan(ROUNDS / 2);
  });

  it(`llama2.c: ${ROUNDS} mutations open cleanly or throw FormatError`, () => {
    const file = path.join(tempDir(), 'm.bin');
    const seeds = [llama2cFile(TINY_LLAMA), llama2cFile({ ...TINY_LLAMA, vocab_size: -TINY_LLAMA.vocab_size })];
    const tally = run(seeds, file, 5678, (r, b) => {
      if (r() < 0.4 && b.length >= 28) {
        const out = new Uint8Array(b);
        const values = [0, -1, 1, 2, 3, 4, 6, 8, 12, 16, -16, 2 ** 31 - 1, -(2 ** 31), int(r, 2 ** 31)];
        new DataView(out.buffer).setInt32(4 * int(r, 7), pick(r, values), true);
        return out;
      }
      return byteMutations(r, b, 28);
    });
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally['format-error']).toBeGreaterThan(ROUNDS / 3);
  });

  it(`GGUF: ${ROUNDS} mutations open cleanly or throw FormatError`, () => {
    const file = path.join(tempDir(), 'm.gguf');
    const proof = new Uint8Array(fs.readFileSync(new URL('../fixtures/gguf/quants.gguf', import.meta.url)));
    const seeds = [
      ggufFile(GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS),
      ggufFile([...GGUF_SAMPLE_KV.slice(0, 4), { key: 'general.alignment', type: 'UINT32', value: 64 }], GGUF_SAMPLE_TENSORS, { version: 2 }),
      proof,
    ];
    const dataStart = new Map(seeds.map((s) => [s, 0]));
    for (const s of seeds) {
      fs.writeFileSync(file, s);
      dataStart.set(s, readGgufHeader(file).dataStart);
    }
    // u32 / u64 values that break counts, lengths, types, dims and offsets in interesting ways
    const U32 = [0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 16, 30, 31, 99, 0x03000000, 0x7fffffff, 0xffffffff];
    const U64 = [0n, 1n, 3n, 31n, 32n, 33n, 64n, 255n, 256n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    const tally = run(seeds, file, 4242, (r, b) => {
      const header = dataStart.get(b) ?? b.length;
      const roll = r();
      if (roll < 0.45 && b.length >= 24) {
        const out = new Uint8Array(b);
        const view = new DataView(out.buffer);
        // a field of the fixed header, or a u32/u64 anywhere in the metadata / tensor infos
        const at = r() < 0.3 ? pick(r, [4, 8, 16]) : int(r, Math.max(1, Math.min(header, out.length) - 8));
        if (r() < 0.5) view.setUint32(at, pick(r, U32), true);
        else view.setBigUint64(at, pick(r, U64), true);
        return out;
      }
      return byteMutations(r, b, header);
    });
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally['format-error']).toBeGreaterThan(ROUNDS / 3);
  });

  it(`HF folders: ${ROUNDS / 3} index/config mutations open cleanly or throw FormatError`, () => {
    const dir = tempDir();
    const shards = ['a.safetensors', 'b.safetensors'];
    fs.writeFileSync(path.join(dir, shards[0] ?? ''), safetensorsFile(SAMPLE_TENSORS.slice(0, 2)));
    fs.writeFileSync(path.join(dir, shards[1] ?? ''), safetensorsFile(SAMPLE_TENSORS.slice(2)));
    const map = Object.fromEntries(SAMPLE_TENSORS.map((t, i) => [t.name, shards[i < 2 ? 0 : 1]]));
    const index = JSON.stringify({ metadata: { total_size: 1 }, weight_map: map });
    const config = JSON.stringify({ model_type: 'llama', n: [1, 2] });
    const r = prng(91011);
    const tally: Record<string, number> = {};
    for (let i = 0; i < ROUNDS / 3; i++) {
      const edit = (s: string): string => {
        const roll = int(r, 4);
        if (roll === 0) return s.replace(pick(r, shards), pick(r, ['', '..', '../a.safetensors', 'a/b', '/etc/passwd', 'c.safetensors', ...shards]));
        if (roll === 1) return s.replace(pick(r, SAMPLE_TENSORS).name, pick(r, [...SAMPLE_TENSORS.map((t) => t.name), 'x']));
        const at = int(r, s.length);
        return roll === 2 ? s.slice(0, at) + s.slice(at + 1 + int(r, 5)) : s.slice(0, at) + pick(r, ['{', '}', '"', ',', '[', '\\', '\u00e9']) + s.slice(at);
      };
      fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), r() < 0.8 ? edit(index) : index);
      fs.writeFileSync(path.join(dir, 'config.json'), r() < 0.3 ? edit(config) : config);
      let outcome: string;
      try {
        outcome = exercise(dir);
      } catch (err) {
        throw new Error(`folder round ${i}: ${String(err)}`, { cause: err });
      }
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }
    expect(tally.ok).toBeGreaterThan(10);
    expect(tally['format-error']).toBeGreaterThan(10);
  });
});
