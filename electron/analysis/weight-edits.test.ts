// Single-weight edits on the host: the slots and deltas the graph takes, stacking with padding, the
// |value|-rank-matched random control, and the names and the typed form of a weight.
import { describe, expect, it } from 'vitest';
import { canonicalWeights, parseWeightRef, weightLabel, weightsLabel } from '../../common/weight-refs.js';
import { prng } from '../../common/prng.js';
import { matchedWeightControl, rankWindow, stackWeightEdits, weightEdit, weightSlots } from './weight-edits.js';

const shape = { layers: 2, neurons: 5, dims: 3 };
/** W_out[f -> d] of layer l, as stored [D, F] per layer */
const stored = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => i + 1);
const read = (l: number, f: number, d: number) => stored[l * 15 + d * 5 + f] as number;

describe('weightEdit', () => {
  it('gives one slot per edited neuron of a layer, with delta = value - weight in the weight\'s dim', () => {
    const weights = [
      { layer: 1, neuron: 4, dim: 0 },
      { layer: 1, neuron: 4, dim: 2, value: 0.5 },
      { layer: 1, neuron: 1, dim: 1 },
      { layer: 0, neuron: 2, dim: 1 },
    ];
    expect(weightSlots(weights)).toBe(2);
    const e = weightEdit(shape, weights, read);
    expect(e.slots).toBe(2);
    // layer 0: neuron 2 in slot 0, slot 1 unused; layer 1: neurons 1 and 4 (canonical order)
    expect(Array.from(e.neuron, Number)).toEqual([2, 0, 1, 4]);
    const delta = (l: number, s: number) => Array.from(e.delta.subarray((l * 2 + s) * 3, (l * 2 + s + 1) * 3));
    expect(delta(0, 0)).toEqual([0, -read(0, 2, 1), 0]);
    expect(delta(0, 1)).toEqual([0, 0, 0]);
    expect(delta(1, 0)).toEqual([0, -read(1, 1, 1), 0]);
    expect(delta(1, 1)).toEqual([-read(1, 4, 0), 0, 0.5 - read(1, 4, 2)]);
    expect(weightEdit(shape, [], read)).toEqual({ slots: 1, neuron: new BigInt64Array(2), delta: new Float32Array(6) });
  });

  it('refuses weights outside the model', () => {
    expect(() => weightEdit(shape, [{ layer: 0, neuron: 0, dim: 3 }], read)).toThrow(/weight 0:0:3 is outside the model \(2 layers, 5 neurons, 3 dims\)/);
    expect(() => weightEdit(shape, [{ layer: 2, neuron: 0, dim: 0 }], read)).toThrow(/outside/);
  });

  it('stacks conditions along the first axis, padding to the most slots with delta 0', () => {
    const a = weightEdit(shape, [{ layer: 0, neuron: 3, dim: 2 }], read);
    const b = weightEdit(shape, [{ layer: 1, neuron: 0, dim: 0 }, { layer: 1, neuron: 2, dim: 0 }], read);
    const s = stackWeightEdits([a, b], 2, 3);
    expect(s.slots).toBe(2);
    expect(Array.from(s.neuron, Number)).toEqual([3, 0, 0, 0, 0, 0, 0, 2]);
    expect(s.delta.length).toBe(2 * 2 * 2 * 3);
    expect(Array.from(s.delta.subarray(0, 3))).toEqual([0, 0, -read(0, 3, 2)]);
    expect(Array.from(s.delta.subarray((1 * 2 + 1) * 2 * 3, (1 * 2 + 1) * 2 * 3 + 3))).toEqual([-read(1, 0, 0), 0, 0]);
  });
});

describe('matchedWeightControl', () => {
  const big = { layers: 1, neurons: 40, dims: 50 };
  const rand = prng(3);
  const layer = Float32Array.from({ length: 2000 }, () => rand() * 2 - 1);
  layer[7 * 40 + 3] = 30; // the largest by far

  it('draws a weight of the same layer within rankWindow ranks of |value|, never one of the set, the same for the same seed', () => {
    const abs = Array.from(layer, Math.abs).sort((x, y) => y - x);
    const rankOf = (v: number) => abs.filter((a) => a > Math.abs(v)).length;
    const k = rankWindow(2000);
    for (const seed of [0, 1, 2, 3]) {
      const set = [{ layer: 0, neuron: 3, dim: 7 }, { layer: 0, neuron: 9, dim: 11, value: 0.25 }];
      const c = matchedWeightControl(set, big, () => layer, seed);
      expect(c).toEqual(matchedWeightControl(set, big, () => layer, seed));
      expect(c).toHaveLength(2);
      for (const w of c) expect(set.some((s) => s.neuron === w.neuron && s.dim === w.dim)).toBe(false);
      const forSuper = c.find((w) => w.value === undefined)!;
      expect(rankOf(layer[forSuper.dim * 40 + forSuper.neuron]!)).toBeLessThanOrEqual(k);
      const forOther = c.find((w) => w.value === 0.25)!;
      const r = rankOf(layer[11 * 40 + 9]!);
      expect(Math.abs(rankOf(layer[forOther.dim * 40 + forOther.neuron]!) - r)).toBeLessThanOrEqual(k);
    }
  });
});

describe('weight names', () => {
  it('labels, parses and orders weights', () => {
    expect(weightLabel({ layer: 3, neuron: 17, dim: 512 })).toBe('W_out[3][17→512] = 0');
    expect(weightLabel({ layer: 0, neuron: 1, dim: 2, value: 1 / 3 })).toBe('W_out[0][1→2] = 0.333333');
    expect(weightsLabel([1, 2, 3, 4].map((i) => ({ layer: 0, neuron: i, dim: 0 })))).toBe('4 W_out weights zeroed');
    expect(parseWeightRef('2:40:7')).toEqual({ layer: 2, neuron: 40, dim: 7 });
    expect(parseWeightRef(' 2 : 40 : 7 = -1.5e-3 ')).toEqual({ layer: 2, neuron: 40, dim: 7, value: -0.0015 });
    for (const bad of ['2:40', '2:40:7=x', 'a:b:c', '2:40:7:1', '-1:2:3']) expect(parseWeightRef(bad)).toBeUndefined();
    expect(canonicalWeights([{ layer: 1, neuron: 0, dim: 0 }, { layer: 0, neuron: 2, dim: 1, value: 1 }, { layer: 0, neuron: 2, dim: 1, value: 2 }])).toEqual([
      { layer: 0, neuron: 2, dim: 1, value: 2 },
      { layer: 1, neuron: 0, dim: 0 },
    ]);
  });
});
