// Every committed fixture maps to the spec its generator expects, and a plain forward pass over
// the canonical weights reproduces the golden outputs of the independent PyTorch reference:
// together they pin transposition, splitting, norms, rotary convention, GQA and positions.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../load.js';
import { type LoadedModel, type ModelSpec, type Positional, W } from '../spec.js';
import { FIXTURES_DIR, fixtureNames, fixturePath, goldenForward, goldenMismatches, mismatch, readGolden } from './testing.js';

// The planted-truth fixtures (make_planted.py) sit one folder down and carry a truth.json.
const planted = ['planted/geglu-llama', 'planted/gelu-gpt2', 'planted/relu-opt', 'planted/swiglu-llama'];
const names = [...fixtureNames(), ...planted];

describe('fixtures', () => {
  it('are all present', () => {
    expect(fixtureNames()).toEqual(['gemma2', 'gemma3', 'gpt2', 'gpt2-f16', 'gpt2-noprefix', 'llama', 'llama2c', 'llama2c-unshared', 'llama3-tied', 'mixtral', 'neox', 'olmoe', 'opt', 'phi3', 'phi3-longrope', 'qwen2-bf16', 'qwen2-moe', 'qwen3', 'qwen3-moe']);
  });

  for (const name of names) {
    it(`${name}: maps to the expected spec and reproduces the golden outputs`, () => {
      const g = readGolden(name);
      const m = loadModel(fixturePath(name));
      expect(m.spec).toEqual(g.expected_spec);
      expect(goldenMismatches(m, g)).toEqual([]);
    });
  }
});

interface Truth {
  dead: { layer: number; neuron: number }[];
  constant: { layer: number; neuron: number; value: number }[];
  never_positive: { layer: number; neuron: number }[];
  token_specific: { layer: number; neuron: number; token_id: number }[];
  positional: { layer: number; neuron: number; positions: [number, number] }[];
  massive: { first_layer: number; dim: number; position?: number; token_id?: number }[];
  super_weight: { layer: number; neuron: number; dim: number; value: number }[];
}

describe('planted truth holds in this project\'s forward pass (over the golden inputs)', () => {
  for (const name of planted) {
    it(name, () => {
      const truth = JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'truth.json'), 'utf8')) as Truth;
      const g = readGolden(name);
      const m = loadModel(fixturePath(name));
      const { dFf: F, dModel: D, nLayers: L } = m.spec;
      const [B = 0, T = 0] = g.input_ids.shape;
      const run = forward(m, g.input_ids);
      const post = (l: number, f: number): number[] => Array.from({ length: B * T }, (_, r) => run.post[l]?.[r * F + f] ?? NaN);
      for (const n of truth.dead) expect(post(n.layer, n.neuron).every((a) => a === 0), `dead ${n.layer}/${n.neuron}`).toBe(true);
      for (const n of truth.constant) for (const a of post(n.layer, n.neuron)) expect(a).toBeCloseTo(n.value, 5);
      for (const n of truth.never_positive) expect(Math.max(...post(n.layer, n.neuron))).toBeLessThan(0);
      for (const n of truth.token_specific) {
        expect(post(n.layer, n.neuron).map((a) => a > 0.5), `token ${n.token_id}`).toEqual(g.input_ids.data.map((id) => id === n.token_id));
      }
      for (const n of truth.positional) {
        expect(post(n.layer, n.neuron).map((a) => a > 0.5)).toEqual(g.input_ids.data.map((_, r) => r % T >= n.positions[0] && r % T <= n.positions[1]));
      }
      const trigger = (mv: Truth['massive'][number], r: number): boolean => (mv.position !== undefined ? r % T === mv.position : g.input_ids.data[r] === mv.token_id);
      for (const mv of truth.massive) {
        for (let l = 0; l < L; l++) {
          for (let r = 0; r < B * T; r++) {
            const v = Math.abs(run.resid[l]?.[r * D + mv.dim] ?? NaN);
            if (l >= mv.first_layer && trigger(mv, r)) expect(v).toBeGreaterThan(200);
            else expect(v).toBeLessThan(10);
          }
        }
      }
      // without the super weight the massive value is gone
      for (const sw of truth.super_weight) {
        const tensor = W.layer(sw.layer).mlpOut;
        const out = m.weight(tensor);
        expect(out.data[sw.dim * F + sw.neuron]).toBe(sw.value);
        const data = out.data.slice();
        data[sw.dim * F + sw.neuron] = 0;
        const without: LoadedModel = { ...m, weight: (n) => (n === tensor ? { shape: out.shape, data } : m.weight(n)) };
        const resid = forward(without, g.input_ids).resid;
        for (let l = 0; l < L; l++) for (let r = 0; r < B * T; r++) expect(Math.abs(resid[l]?.[r * D + sw.dim] ?? NaN)).toBeLessThan(10);
      }
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
    { name: 'mixtral', what: 'top-k weights not renormalised', change: (s) => ({ ...s, moe: s.moe && { ...s.moe, normTopK: false } }) },
    { name: 'mixtral', what: 'top-1 routing', change: (s) => ({ ...s, moe: s.moe && { ...s.moe, topK: 1 } }) },
    { name: 'qwen2-moe', what: 'top-k weights renormalised', change: (s) => ({ ...s, moe: s.moe && { ...s.moe, normTopK: true } }) },
    { name: 'qwen2-moe', what: 'shared expert without its sigmoid gate', change: (s) => ({ ...s, moe: s.moe && { ...s.moe, shared: { ff: s.moe.shared?.ff ?? 0, gated: false } } }) },
    { name: 'qwen3-moe', what: 'top-k weights not renormalised', change: (s) => ({ ...s, moe: s.moe && { ...s.moe, normTopK: false } }) },
    { name: 'olmoe', what: 'no q/k norm', change: (s) => ({ ...s, qkNormWhole: undefined }) },
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

const forward = goldenForward;

function rotary(s: ModelSpec): Extract<Positional, { kind: 'rotary' }> {
  if (s.positional.kind !== 'rotary') throw new Error('not rotary');
  return s.positional;
}
