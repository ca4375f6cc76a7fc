// Steering against an independent PyTorch implementation: native-models/fixtures/make_steering.py
// adds strength x mean to chosen neurons' activations in the plain-PyTorch GPT-2 forward (no cache,
// whole sequence every step) and writes the intact and steered greedy continuations, the steered
// logits of every step and the per-step KL. The app's steering edit, run through the KV-cache
// generator as the second row beside the intact one, must give the same tokens, the same first-step
// logits and the same per-step KL; and steering by value vectors (PyTorch adds strength x each
// neuron's value vector to the FFN output, the app shifts the activation). Also the pure maths of
// the edits and of the KL.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NeuronEdit } from './analysis/ablation-edit.js';
import { klFromLogits, meanOf, steeringEdit, valueVectorEdit } from './analysis/steering.js';
import { generateSteeredAt } from './steering.js';
import { tempDir } from './jobs/test-support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures');

interface Golden {
  prompt: number[];
  strength: number;
  neurons: Array<{ layer: number; neuron: number; mean: number }>;
  intact: number[];
  steered: number[];
  steered_logits: number[][];
  step_kl: number[];
  /** strength x each neuron's value vector added to the FFN output (PyTorch: a residual-space vector, not an activation shift) */
  value_vectors: { strength: number; steered: number[]; steered_logits: number[][]; step_kl: number[] };
}

describe('steering edit (pure)', () => {
  const shape = { layers: 2, neurons: 3 };
  const means = [0.5, -1, 2, 4, 0.25, -3];

  it('shifts each chosen neuron by strength x its mean and leaves the rest intact', () => {
    const e = steeringEdit(shape, [{ layer: 0, neuron: 1 }, { layer: 1, neuron: 2 }], means, 2.5);
    expect(Array.from(e.scale)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(e.shift)).toEqual([0, -2.5, 0, 0, 0, -7.5]);
  });

  it('steers only the chosen layers, and strength 0 is the intact model', () => {
    const set = [{ layer: 0, neuron: 0 }, { layer: 1, neuron: 1 }];
    expect(Array.from(steeringEdit(shape, set, means, -2, [1]).shift)).toEqual([0, 0, 0, 0, -0.5, 0]);
    expect(Array.from(steeringEdit(shape, set, means, 0).shift).every((v) => v === 0)).toBe(true);
  });

  it('refuses a layer outside the model, a neuron outside it, a non-finite strength or mean', () => {
    expect(() => steeringEdit(shape, [], means, 1, [2])).toThrow(/steering layer 2 is outside the model's 2 layers/);
    expect(() => steeringEdit(shape, [{ layer: 0, neuron: 3 }], means, 1)).toThrow(/neuron 0:3 is outside 2 layers of 3/);
    expect(() => steeringEdit(shape, [], means, Number.NaN)).toThrow(/strength must be a finite number/);
    expect(() => steeringEdit(shape, [{ layer: 0, neuron: 0 }], [Number.NaN, 0, 0, 0, 0, 0], 1)).toThrow(/no finite mean/);
    expect(() => steeringEdit(shape, [], [1, 2], 1)).toThrow(/one mean per neuron \(2 x 3\), got 2/);
  });

  it('steers by value vectors: each chosen neuron + strength, no means', () => {
    expect(Array.from(valueVectorEdit(shape, [{ layer: 0, neuron: 2 }, { layer: 1, neuron: 0 }], 3).shift)).toEqual([0, 0, 3, 3, 0, 0]);
    expect(Array.from(valueVectorEdit(shape, [{ layer: 0, neuron: 2 }, { layer: 1, neuron: 0 }], 3, [1]).shift)).toEqual([0, 0, 0, 3, 0, 0]);
  });

  it('KL of logits: 0 for the same distribution (any offset), the closed form for two tokens', () => {
    expect(klFromLogits([1, 2, 3], [11, 12, 13])).toBeCloseTo(0, 12);
    // p = (0.5, 0.5), q = softmax(0, ln 3) = (0.25, 0.75): KL = 0.5 ln 2 + 0.5 ln(2/3)
    expect(klFromLogits([0, 0], [0, Math.log(3)])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 12);
    expect(() => klFromLogits([0], [0, 1])).toThrow(/same vocabulary/);
    expect(meanOf([1, 2, 6])).toBe(3);
    expect(meanOf([])).toBe(0);
  });
});

/** The app's edit run beside the intact row against one PyTorch reference: tokens, first-step logits, per-step KL. */
async function expectReference(g: Golden, edit: NeuronEdit, want: { steered: number[]; steered_logits: number[][]; step_kl: number[] }): Promise<void> {
  const out = await generateSteeredAt(path.join(fixtures, 'gpt2'), g.prompt, edit, want.steered.length, { dataDir: tempDir() });
  expect(out.intact).toEqual(g.intact);
  expect(out.steered).toEqual(want.steered);
  expect(out.steered).not.toEqual(out.intact);
  const V = out.firstLogits.length / 2;
  const first = want.steered_logits[0] as number[];
  expect(V).toBe(first.length);
  let worst = 0;
  for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs((out.firstLogits[V + v] as number) - (first[v] as number)));
  expect(worst).toBeLessThan(1e-4); // the golden tests' fp32 tolerance
  expect(out.stepKl).toHaveLength(want.step_kl.length);
  out.stepKl.forEach((k, i) => expect(Math.abs(k - (want.step_kl[i] as number))).toBeLessThan(1e-3 * Math.max(1, want.step_kl[i] as number)));
  expect(out.meanKl).toBeCloseTo(meanOf(want.step_kl), 2);
}

describe('steered generation against PyTorch (GPT-2 fixture)', () => {
  const g = JSON.parse(fs.readFileSync(path.join(fixtures, 'steering.json'), 'utf8')) as Golden;
  const shape = { layers: 2, neurons: 128 };

  it('by means: the reference tokens, first-step logits and per-step KL', { timeout: 120_000 }, async () => {
    const means = new Float32Array(shape.layers * shape.neurons);
    for (const n of g.neurons) means[n.layer * shape.neurons + n.neuron] = n.mean;
    await expectReference(g, steeringEdit(shape, g.neurons, means, g.strength), g);
  });

  it('by value vectors: the same as PyTorch adding strength x each value vector to the FFN output', { timeout: 120_000 }, async () => {
    await expectReference(g, valueVectorEdit(shape, g.neurons, g.value_vectors.strength), g.value_vectors);
  });
});
