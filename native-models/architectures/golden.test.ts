// Every committed fixture maps to the spec its generator expects, and a plain forward pass over
// the canonical weights reproduces the golden outputs of the independent PyTorch reference:
// together they pin transposition, splitting, norms, rotary convention, GQA and positions.

import { describe, expect, it } from 'vitest';
import { referenceForward, type ReferenceResult, zeroAblation } from '../graph/test-support/reference-forward.js';
import { loadModel } from '../load.js';
import type { LoadedModel, ModelSpec, Positional } from '../spec.js';
import { fixtureNames, fixturePath, type GoldenTensor, mismatch, nllOf, readGolden } from './testing.js';

const names = fixtureNames();

describe('fixtures', () => {
  it('are all present', () => {
    expect(names).toEqual(['gpt2', 'gpt2-f16', 'gpt2-noprefix', 'llama', 'llama2c', 'llama2c-unshared', 'llama3-tied', 'neox', 'opt', 'qwen2-bf16']);
  });

  for (const name of names) {
    it(`${name}: maps to the expected spec and reproduces the golden outputs`, () => {
      const g = readGolden(name);
      const m = loadModel(fixturePath(name));
      expect(m.spec).toEqual(g.expected_spec);
      const run = forward(m, g.input_ids);
      const V = m.spec.vocabSize;
      expect(mismatch(run.logits, g.logits, g.tolerance)).toBeNull();
      expect(mismatch(nllOf(run.logits, g.input_ids, V), g.nll, g.tolerance)).toBeNull();
      for (const [layer, want] of Object.entries(g.activations)) {
        expect(mismatch(run.post[Number(layer)] ?? [], want, g.tolerance), `activations of layer ${layer}`).toBeNull();
      }
      expect(mismatch(run.pre[0] ?? [], g.preactivations['0'] ?? { shape: [], data: [] }, g.tolerance)).toBeNull();
      const ablated = forward(m, g.input_ids, g.ablation.neurons);
      expect(mismatch(ablated.logits, g.ablation.logits, g.tolerance)).toBeNull();
      expect(mismatch(nllOf(ablated.logits, g.input_ids, V), g.ablation.nll, g.tolerance)).toBeNull();
      // the ablation is visible: it changes the logits well beyond the tolerance
      expect(mismatch(ablated.logits, g.logits, { atol: 1e-2, rtol: 0 })).not.toBeNull();
    });
  }
});

describe('goldens are sensitive to the spec details they pin', () => {
  const cases: { name: string; what: string; change: (s: ModelSpec) => ModelSpec }[] = [
    { name: 'llama2c', what: 'interleaved -> halves rotary', change: (s) => ({ ...s, positional: { ...rotary(s), interleaved: false } }) },
    { name: 'llama', what: 'halves -> interleaved rotary', change: (s) => ({ ...s, positional: { ...rotary(s), interleaved: true } }) },
    { name: 'llama3-tied', what: 'no llama3 scaling', change: (s) => ({ ...s, positional: { ...rotary(s), llama3Scaling: undefined } }) },
    { name: 'neox', what: 'full rotary', change: (s) => ({ ...s, positional: { ...rotary(s), rotaryDim: s.headDim } }) },
    { name: 'neox', what: 'sequential residual', change: (s) => ({ ...s, parallelResidual: false }) },
    { name: 'neox', what: 'tanh gelu', change: (s) => ({ ...s, activation: 'gelu_new' }) },
    { name: 'opt', what: 'position offset 0', change: (s) => ({ ...s, positional: { kind: 'learned', offset: 0 } }) },
    { name: 'qwen2-bf16', what: 'eps 1e-2', change: (s) => ({ ...s, normEps: 1e-2 }) },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.what} breaks the match`, () => {
      const g = readGolden(c.name);
      const m = loadModel(fixturePath(c.name));
      const changed: LoadedModel = { ...m, spec: c.change(m.spec) };
      expect(mismatch(forward(changed, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
    });
  }
});

/** The reference forward over a golden's [B, T] ids, zeroing `ablate` when given. */
function forward(m: LoadedModel, ids: GoldenTensor, ablate?: { layer: number; neuron: number }[]): ReferenceResult {
  const [B = 0, T = 0] = ids.shape;
  return referenceForward(m, ids.data, B, T, ablate && zeroAblation(m.spec, ablate));
}

function rotary(s: ModelSpec): Extract<Positional, { kind: 'rotary' }> {
  if (s.positional.kind !== 'rotary') throw new Error('not rotary');
  return s.positional;
}
