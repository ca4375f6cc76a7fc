// Single-weight edits of W_out on the condition axis (GraphOptions.weightEdits), run in onnxruntime:
// a condition that zeroes or sets weights W_out[f -> d] gives what the intact graph gives on a
// copy of the model whose stored weights were changed, and a condition with delta 0 is the intact
// model exactly.

import { describe, expect, test } from 'vitest';
import { asFloat32, float32, type HostTensor, int64 } from '../runtime/tensors.js';
import { type LoadedModel, W, type WeightTensor } from '../spec.js';
import { randomIds, randomModel } from './test-support/random-model.js';
import { maxAbsDiff, rows, testSpecs } from './test-support/specs.js';
import { testSessions } from './test-support/sessions.js';

const B = 2;
const T = 5;
const session = testSessions();

/** W_out[f -> d] of layer `layer` set to `value` (W_out is stored [D, F]: the weight is [d, f]). */
interface Change {
  layer: number;
  neuron: number;
  dim: number;
  value: number;
}

/** A copy of `model` whose stored W_out weights are changed. */
function withWeights(model: LoadedModel, changes: readonly Change[]): LoadedModel {
  const { dFf: F } = model.spec;
  const edited = new Map<string, WeightTensor>();
  for (const c of changes) {
    const name = W.layer(c.layer).mlpOut;
    const t = edited.get(name) ?? { shape: model.weight(name).shape, data: Float32Array.from(model.weight(name).data) };
    t.data[c.dim * F + c.neuron] = c.value;
    edited.set(name, t);
  }
  return { ...model, source: { ...model.source, sha256: `${model.source.sha256}+edited` }, weight: (name) => edited.get(name) ?? model.weight(name) };
}

/** The wedit_neuron / wedit_delta feeds of conditions (one slot per edited neuron of a layer). */
function weightFeeds(model: LoadedModel, conditions: ReadonlyArray<readonly Change[]>, E: number): { wedit_neuron: HostTensor; wedit_delta: HostTensor } {
  const { nLayers: L, dModel: D, dFf: F } = model.spec;
  const C = conditions.length;
  const neuron = new BigInt64Array(C * L * E);
  const delta = new Float32Array(C * L * E * D);
  conditions.forEach((changes, c) => {
    const slots = new Map<string, number>();
    for (const ch of changes) {
      const key = `${ch.layer}:${ch.neuron}`;
      let e = slots.get(key);
      if (e === undefined) {
        e = [...slots.keys()].filter((k) => k.startsWith(`${ch.layer}:`)).length;
        slots.set(key, e);
        neuron[(c * L + ch.layer) * E + e] = BigInt(ch.neuron);
      }
      const w = model.weight(W.layer(ch.layer).mlpOut).data[ch.dim * F + ch.neuron] as number;
      delta[((c * L + ch.layer) * E + e) * D + ch.dim] = ch.value - w;
    }
  });
  return { wedit_neuron: int64(neuron, [C, L, E]), wedit_delta: float32(delta, [C, L, E, D]) };
}

function identity(L: number, F: number, C: number): { scale: HostTensor; shift: HostTensor } {
  return { scale: float32(new Float32Array(C * L * F).fill(1), [C, L, F]), shift: float32(new Float32Array(C * L * F), [C, L, F]) };
}

describe.each([
  ['gpt2', testSpecs.gpt2],
  ['llama', testSpecs.llama],
  ['opt', testSpecs.opt],
  ['neox', testSpecs.neox],
] as const)('%s-like spec', (name, spec) => {
  const { nLayers: L, dFf: F, vocabSize: V } = spec;
  const model = randomModel(spec, 5);
  const ids = randomIds(B, T, V, name.length + 3);
  const feedIds = int64(ids, [B, T]);
  const last = L - 1;
  const conditions: Change[][] = [
    [], // delta 0 everywhere: the intact model
    [{ layer: 0, neuron: 3, dim: 2, value: 0 }], // zero one weight
    // two weights of one neuron (one slot), a set value, and another layer
    [
      { layer: last, neuron: 1, dim: 0, value: 5 },
      { layer: last, neuron: 1, dim: 4, value: 0 },
      { layer: last, neuron: 6, dim: 3, value: 0 },
      { layer: 0, neuron: 7, dim: 1, value: -2 },
    ],
  ];

  test('a condition that changes weights equals the intact graph on a checkpoint with those weights changed', async () => {
    const s = await session(model, { conditions: true, weightEdits: true, logits: 'all' });
    const out = await s.run({ input_ids: feedIds, ...identity(L, F, 1), ...weightFeeds(model, conditions, 2) });
    expect(out['logits']?.dims).toEqual([3 * B, T, V]);
    const logits = asFloat32(out['logits'], 'logits');
    for (const [c, changes] of conditions.entries()) {
      const ref = await session(withWeights(model, changes), { logits: 'all' });
      const want = asFloat32((await ref.run({ input_ids: feedIds }))['logits'], 'logits');
      expect(maxAbsDiff(rows(logits, c * B * T, (c + 1) * B * T, V), want)).toBeLessThan(1e-4);
    }
    // the changes are large enough to matter: condition 1 differs from the intact model
    expect(maxAbsDiff(rows(logits, B * T, 2 * B * T, V), rows(logits, 0, B * T, V))).toBeGreaterThan(1e-4);
  });

  test('delta 0 is the intact model exactly; a weight edit rides along a neuron edit', async () => {
    const plain = await session(model, { conditions: true, logits: 'all', nll: true, kl: true });
    const edited = await session(model, { conditions: true, weightEdits: true, logits: 'all', nll: true, kl: true });
    const targets = int64(ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number))), [B, T]);
    // condition 1 switches neuron (0, 5) off and zeroes W_out[last][2 -> 3]
    const scale = new Float32Array(2 * L * F).fill(1);
    scale[L * F + 5] = 0;
    const shift = float32(new Float32Array(2 * L * F), [2, L, F]);
    const a = await plain.run({ input_ids: feedIds, targets, scale: float32(scale, [2, L, F]), shift });
    const b = await edited.run({ input_ids: feedIds, targets, scale: float32(scale, [2, L, F]), shift, ...weightFeeds(model, [[], [{ layer: last, neuron: 2, dim: 3, value: 0 }]], 1) });
    const la = asFloat32(a['logits'], 'logits');
    const lb = asFloat32(b['logits'], 'logits');
    expect(Array.from(rows(lb, 0, B * T, V))).toEqual(Array.from(rows(la, 0, B * T, V)));
    expect(Array.from(rows(asFloat32(b['nll'], 'nll'), 0, B, T))).toEqual(Array.from(rows(asFloat32(a['nll'], 'nll'), 0, B, T)));
    expect(Array.from(rows(asFloat32(b['kl'], 'kl'), 0, B, T)).every((v) => v === 0)).toBe(true);
    // the neuron edit is the same, the weight edit adds to it: the checkpoint with that weight zeroed, neuron (0, 5) off
    const ref = await session(withWeights(model, [{ layer: last, neuron: 2, dim: 3, value: 0 }]), { conditions: true, logits: 'all' });
    const want = asFloat32((await ref.run({ input_ids: feedIds, scale: float32(scale.subarray(L * F), [1, L, F]), shift: float32(new Float32Array(L * F), [1, L, F]) }))['logits'], 'logits');
    expect(maxAbsDiff(rows(lb, B * T, 2 * B * T, V), want)).toBeLessThan(1e-4);
  });
});
