// A quantized GGUF through the import job and the CLI: the weight scan reports each quantized
// tensor's per-block scales (checked against d read from the bytes here), the largest dequantized
// |w| with coordinates, and says the quantization error is unknown; `models show` prints the
// GGUF's metadata (long arrays summarized) and its tensor types.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openGguf } from '../native-models/formats/gguf.js';
import { runCli, tempDir } from './jobs/test-support.js';

const gguf = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures', 'gguf-models');
const dataDir = tempDir();

function cli(args: string[]): string {
  const r = runCli(args, dataDir);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(r.code).toBe(0);
  return r.stdout;
}
const json = (args: string[]) => JSON.parse(cli([...args, '--json'])) as Record<string, unknown>;

/** |d| of each block, decoded here from the fp16 at the block's start (Q8_0, Q4_K: d is the first field). */
function scalesFromBytes(raw: Uint8Array, blockBytes: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < raw.length; o += blockBytes) {
    const h = raw[o]! | (raw[o + 1]! << 8);
    const e = (h >> 10) & 31;
    const m = h & 1023;
    out.push(e === 0 ? 2 ** -14 * (m / 1024) : 2 ** (e - 15) * (1 + m / 1024));
  }
  return out;
}

interface ScanTensor {
  tensor: string;
  dtype: string;
  shape: number[];
  max_abs: number;
  max_abs_index: number[];
  block_scales: null | { blockSize: number; blocks: number; nonFinite: number; min: number; median: number; max: number; maxBlock: { index: number; d: number; start: number[]; end: number[]; ratio: number } };
}

beforeAll(() => {
  for (const name of ['llama-q4_k', 'llama-q8_0']) json(['import', path.join(gguf, name, 'model.gguf'), '--name', name]);
}, 120_000);

describe('quantized GGUF weight scan and metadata in the CLI', () => {
  for (const [name, blockBytes] of [['llama-q4_k', { Q4_K: 144, Q8_0: 34 }], ['llama-q8_0', { Q8_0: 34 }]] as const) {
    it(`${name}: per-block scales of every quantized tensor, as the bytes hold them`, () => {
      const reader = openGguf(path.join(gguf, name, 'model.gguf'));
      const { tensors } = json(['scan', name]) as { tensors: ScanTensor[] };
      expect(tensors).toHaveLength(reader.tensors.size);
      let quantized = 0;
      for (const t of tensors) {
        const info = reader.tensors.get(t.tensor)!;
        expect(t.dtype).toBe(info.dtype);
        const bytes = (blockBytes as Record<string, number>)[t.dtype];
        if (bytes === undefined) {
          expect(t.block_scales, t.tensor).toBeNull();
          continue;
        }
        quantized++;
        const d = scalesFromBytes(reader.readRaw!(t.tensor), bytes);
        const sorted = [...d].sort((a, b) => a - b);
        const median = sorted.length % 2 ? sorted[sorted.length >> 1]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
        const best = d.indexOf(sorted.at(-1)!);
        const size = t.block_scales!.blockSize;
        const row = t.shape.at(-1)!;
        expect(t.block_scales).toEqual({
          blockSize: t.dtype === 'Q4_K' ? 256 : 32,
          blocks: d.length,
          nonFinite: 0,
          min: sorted[0],
          median,
          max: sorted.at(-1),
          maxBlock: {
            index: best,
            d: expect.any(Number) as number,
            start: [Math.floor((best * size) / row), (best * size) % row],
            end: [Math.floor((best * size) / row), ((best + 1) * size - 1) % row],
            ratio: sorted.at(-1)! / median,
          },
        });
        expect(Math.abs(t.block_scales!.maxBlock.d)).toBe(sorted.at(-1));
        // the largest dequantized |w| is still there with its coordinates, and lies in its block's range
        const w = reader.read(t.tensor);
        const flat = t.max_abs_index[0]! * row + t.max_abs_index[1]!;
        expect(Math.abs(w[flat]!)).toBe(t.max_abs);
        expect(t.max_abs).toBe(w.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
      }
      expect(quantized).toBe([...reader.tensors.values()].filter((i) => i.dtype in blockBytes).length);
      expect(quantized).toBeGreaterThan(0);
    });
  }

  it('prints the scales in text and says the quantization error is unknown', () => {
    const text = cli(['scan', 'llama-q4_k']);
    expect(text).toMatch(/per-block scales of 8 quantized tensors \(\|d\| as stored; their quantization error is unknown without the original weights\)/);
    expect(text).toMatch(/blk\.0\.ffn_gate\.weight Q4_K: 64 blocks of 256, \|d\| [\d.e-]+\.\.[\d.e-]+ \(median [\d.e-]+\); largest block \d+ at \[\d+, 0\]\.\.\[\d+, 255\], d = [-\d.e]+ \([\d.]+x median\); largest \|w\| [\d.e-]+ at \[\d+, \d+\]/);
  });

  it('models show: GGUF metadata with long arrays summarized, and the tensor types', () => {
    const r = json(['models', 'show', 'llama-q4_k']) as { format: string; metadata: Array<{ key: string; type: string; value: string; length: number | null }>; tensor_types: unknown[] };
    expect(r.format).toBe('gguf');
    expect(r.tensor_types).toEqual([
      { dtype: 'Q4_K', tensors: 7, elements: 303 * 256 + 256 * 256 * 2 + 64 * 256 * 4 },
      { dtype: 'F32', tensors: 3, elements: 256 * 3 },
      { dtype: 'Q8_0', tensors: 1, elements: 256 * 64 },
    ]);
    const by = Object.fromEntries(r.metadata.map((e) => [e.key, e]));
    expect(by['general.architecture']).toMatchObject({ type: 'STRING', value: 'llama' });
    expect(by['llama.embedding_length']).toMatchObject({ type: 'UINT32', value: '256' });
    expect(by['tokenizer.ggml.model']).toMatchObject({ value: 'llama' });
    expect(by['tokenizer.ggml.eos_token_id']).toMatchObject({ value: '2' });
    expect(by['tokenizer.ggml.tokens']).toMatchObject({ type: 'ARRAY[STRING]', length: 303, value: expect.stringMatching(/^array of 303 strings: "<unk>", "<s>"/) as string });
    const text = cli(['models', 'show', 'llama-q4_k']);
    expect(text).toContain('format: gguf; tensor types: Q4_K: 7 tensors, F32: 3, Q8_0: 1');
    expect(text).toContain('  general.architecture (STRING) = llama');
    expect(text).toMatch(/tokenizer\.ggml\.scores \(ARRAY\[FLOAT32\]\) = array of 303 float32: 0, 0, 0, 0, 0, …/);
  });
});
