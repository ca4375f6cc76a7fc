// llama2.c against karpathy's real stories260K checkpoint (read from $FFN_LAB_REF_MODELS or
// ../shared/ref-models/, never copied; test-support/ref-models.ts) and the run.c layout arithmetic
// on generated files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './checkpoint.js';
import { llama2cFile, llama2cFloatCount, TINY_LLAMA } from './fixtures.js';
import { llama2cExpectedBytes, openLlama2c, parseLlama2cHeader, sniffLlama2c } from './llama2c.js';
import { tempDir } from './test-util.js';
import { howToGet, refModel } from '../test-support/ref-models.js';

const STORIES = refModel('stories260K.bin').path;
const HAVE_STORIES = fs.existsSync(STORIES);
if (!HAVE_STORIES) console.warn(`llama2c.test: ${howToGet('stories260K.bin')}`);

describe.skipIf(!HAVE_STORIES)(`stories260K (${STORIES})`, () => {
  it('is sniffed as llama2.c and opens with the header its README states', () => {
    expect(sniffLlama2c(STORIES)).toBe(true);
    const r = openCheckpoint(STORIES);
    expect(r.format).toBe('llama2c');
    expect(r.paths).toEqual([STORIES]);
    expect(r.config).toEqual({ dim: 64, hidden_dim: 172, n_layers: 5, n_heads: 8, n_kv_heads: 4, vocab_size: 512, seq_len: 512, shared_classifier: true });
    // token_embedding_table + rms_final_weight + 9 per layer; shared classifier: no wcls
    expect(r.tensors.size).toBe(2 + 9 * 5);
    expect(r.tensors.has('wcls')).toBe(false);
    expect(r.tensors.get('layers.4.wk')?.shape).toEqual([32, 64]);
    expect(r.tensors.get('layers.0.w2')?.shape).toEqual([64, 172]);
    expect(r.tensors.get('token_embedding_table')?.byteOffset).toBe(28);
  });

  it('reads every tensor as finite numbers; RMSNorm gains are positive on average', () => {
    const r = openLlama2c(STORIES);
    for (const [name, info] of r.tensors) {
      const data = r.read(name);
      expect(data.length).toBe(info.shape.reduce((a, b) => a * b, 1));
      expect(data.every(Number.isFinite), name).toBe(true);
    }
    const gains = r.read('rms_final_weight');
    expect(gains.reduce((a, b) => a + b, 0) / gains.length).toBeGreaterThan(0);
    expect(r.sha256()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('llama2.c layout', () => {
  it('matches run.c: header + weights + skipped freq_cis (+ wcls when vocab_size < 0)', () => {
    const c = parseLlama2cHeader('x', new Uint8Array(new Int32Array([64, 172, 5, 8, 4, 512, 512]).buffer));
    expect(llama2cExpectedBytes(c)).toBe(1056540n); // stories260K's size
    expect(llama2cExpectedBytes({ ...c, shared_classifier: false })).toBe(1056540n + 512n * 64n * 4n);
  });

  it('places per-layer tensors in run.c order and skips freq_cis before wcls', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.bin');
    const h = { ...TINY_LLAMA, vocab_size: -TINY_LLAMA.vocab_size };
    fs.writeFileSync(file, llama2cFile(h));
    const r = openLlama2c(file);
    const names = [...r.tensors.keys()];
    expect(names.slice(0, 4)).toEqual(['token_embedding_table', 'layers.0.rms_att_weight', 'layers.1.rms_att_weight', 'layers.0.wq']);
    expect(names.slice(-2)).toEqual(['rms_final_weight', 'wcls']);
    const final = r.tensors.get('rms_final_weight');
    const wcls = r.tensors.get('wcls');
    const headSize = h.dim / h.n_heads;
    expect(wcls?.byteOffset).toBe((final?.byteOffset ?? 0) + 4 * h.dim + 4 * h.seq_len * headSize);
    expect((wcls?.byteOffset ?? 0) + (wcls?.byteLength ?? 0)).toBe(28 + 4 * llama2cFloatCount(h));
    expect(r.config?.shared_classifier).toBe(false);
  });

  it('rejects headers run.c could not use, naming the field', () => {
    const bad = (ints: number[]): string => {
      try {
        parseLlama2cHeader('f.bin', new Uint8Array(new Int32Array(ints).buffer));
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(bad([0, 172, 5, 8, 4, 512, 512])).toBe('f.bin: header field dim = 0; expected an integer in 1..65536');
    expect(bad([64, 172, 5, 7, 1, 512, 512])).toContain('header field n_heads = 7; expected a positive integer that divides dim (64)');
    expect(bad([64, 172, 5, 64, 1, 512, 512])).toContain('leaving an even head size (got 1)');
    expect(bad([64, 172, 2000, 8, 4, 512, 512])).toContain('header field n_layers = 2000');
    // Far out of range: the file's bytes are not printed (no read oracle), only that the field is off.
    expect(bad([64, 172, 5, 8, 4, -2147483648, 512])).toContain('header field vocab_size is far out of range (value not shown: is this a llama2.c checkpoint?); expected a non-zero integer');
    expect(bad([64, 172, 5, 8, 4, -2147483648, 512])).not.toContain('2147483648');
    expect(bad([64, 172, 5, 8, 4, 512, 0])).toContain('header field seq_len = 0');
  });
});
