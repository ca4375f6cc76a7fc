// The instrumented graph of the GGUF dense-family fixtures (fixtures/gguf-families: Qwen3, Phi-3,
// Gemma 2, Gemma 3 with llama.cpp's names and metadata) against their PyTorch goldens: logits and
// the zero ablation (condition 1), as golden.test.ts does for the Hugging Face fixtures.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { maxAbsDiff, rows } from '../graph/test-support/specs.js';
import { loadModel } from '../load.js';
import { FfnSession } from './session.js';
import { asFloat32, float32, int64 } from './tensors.js';

const ATOL = 1e-4;
const DIR = join(import.meta.dirname, '..', 'fixtures', 'gguf-families');

interface Golden {
  input_ids: { shape: number[]; data: number[] };
  logits: { data: number[] };
  ablation: { neurons: { layer: number; neuron: number }[]; logits: { data: number[] } };
}

const sessions: FfnSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe('GGUF dense families in the graph', () => {
  test.each(['gemma2-f32', 'gemma3-f32', 'phi3-f32', 'qwen3-f32'])('%s: logits and ablated logits match the PyTorch reference', async (name) => {
    const g = JSON.parse(readFileSync(join(DIR, name, 'golden.json'), 'utf8')) as Golden;
    const model = loadModel(join(DIR, name, 'model.gguf'));
    const { nLayers: L, dFf: F, vocabSize: V } = model.spec;
    const [B, T] = g.input_ids.shape as [number, number];
    const s = await FfnSession.create(model, { conditions: true, logits: 'all' }, { threads: 1 });
    sessions.push(s);
    const scale = new Float32Array(2 * L * F).fill(1);
    for (const n of g.ablation.neurons) scale[L * F + n.layer * F + n.neuron] = 0;
    const out = await s.run({
      input_ids: int64(g.input_ids.data, [B, T]),
      scale: float32(scale, [2, L, F]),
      shift: float32(new Float32Array(L * F), [1, L, F]),
    });
    const logits = asFloat32(out['logits'], 'logits');
    expect(maxAbsDiff(rows(logits, 0, B * T, V), g.logits.data)).toBeLessThanOrEqual(ATOL);
    expect(maxAbsDiff(rows(logits, B * T, 2 * B * T, V), g.ablation.logits.data)).toBeLessThanOrEqual(ATOL);
  });
});
