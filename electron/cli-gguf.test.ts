// GGUF end to end through the CLI: a .gguf is imported (architecture from its metadata; linear
// weights of every ggml block type run as MatMulNBits), its logits match the PyTorch golden of the
// dequantized weights, and a capture
// over a corpus runs with the tokenizer read from the GGUF's own metadata (no tokenizer.json).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './jobs/test-support.js';

const gguf = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures', 'gguf-models');
const dataDir = tempDir();

function json(args: string[]): Record<string, unknown> {
  const r = runCli([...args, '--json'], dataDir);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  const words = 'the cat sat on the mat and the world said hello at noon to its old friend'.split(' ');
  const corpus = path.join(tempDir(), 'cats.jsonl');
  fs.writeFileSync(corpus, Array.from({ length: 6 }, (_, d) => JSON.stringify({ text: Array.from({ length: 40 }, (_, i) => words[(d * 3 + i * 5) % words.length]).join(' ') })).join('\n'));
  json(['corpus', 'import', corpus, '--name', 'cats']);
}, 120_000);

describe('GGUF models in the CLI', () => {
  // llama31-f32: the graph's rotary tables divided by the GGUF's rope_freqs; the llama-bpe tokenizer
  // llama-qmix: Q2_K, Q3_K, Q4_1, Q5_0, Q5_1, Q5_K matrices; qwen2-q8_0: q/k/v biases, NEOX rotary, qwen2 pre-tokenizer
  // mixtral-f32: llama.cpp's Mixtral layout (3-D stacked experts, router), the graph's MoE FFN on interleaved rotary
  for (const name of ['llama-q8_0', 'gpt2-q8_0', 'llama-q4_k', 'llama-qmix', 'llama31-f32', 'qwen2-q8_0', 'mixtral-f32']) {
    it(`${name}: imports, prints golden logits, and captures a corpus with the GGUF's tokenizer`, () => {
      const golden = JSON.parse(fs.readFileSync(path.join(gguf, name, 'golden.json'), 'utf8'));
      const spec = golden.expected_spec;
      const model = json(['import', path.join(gguf, name, 'model.gguf'), '--name', name]).model as Record<string, unknown>;
      expect(model).toMatchObject({ name, architecture: spec.architecture, layers: spec.nLayers, d_model: spec.dModel, d_ff: spec.dFf, params: spec.params });

      const [, T] = golden.input_ids.shape as [number, number];
      const V = spec.vocabSize as number;
      const ids = (golden.input_ids.data as number[]).slice(0, T);
      const { logits } = json(['logits', '--model', name, '--ids', ids.join(',')]) as { logits: number[][] };
      const want = (golden.logits.data as number[]).slice(0, T * V);
      const worst = logits.flat().reduce((m, v, i) => Math.max(m, Math.abs(v - (want[i] as number)) - 1e-4 * Math.abs(want[i] as number)), 0);
      expect(worst).toBeLessThanOrEqual(1e-4);

      const cap = json(['capture', '--model', name, '--corpus', 'cats', '--seq-len', '32', '--max-tokens', '400', '--top-k', '2']);
      const dataset = cap.dataset as { id: number; tokens: number };
      expect(dataset.tokens).toBeGreaterThan(100);
    });
  }
});

describe('--precision', () => {
  it('fp16 is refused on the CPU provider with the reason, a wrong value with the choices; fp32 runs', () => {
    const model = path.join(gguf, 'llama-f32', 'model.gguf');
    json(['import', model, '--name', 'precision-llama']);
    const fp16 = runCli(['logits', '--model', 'precision-llama', '--ids', '1,2,3', '--provider', 'cpu', '--precision', 'fp16'], dataDir);
    expect(fp16.code).toBe(1);
    expect(fp16.stderr).toContain('--precision fp16 computes in float16 on a GPU provider');
    const bad = runCli(['logits', '--model', 'precision-llama', '--ids', '1,2,3', '--precision', 'half'], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--precision must be fp16 or fp32, got "half"');
    expect((json(['logits', '--model', 'precision-llama', '--ids', '1,2,3', '--precision', 'fp32']).logits as number[][]).length).toBe(3);
  });
});
