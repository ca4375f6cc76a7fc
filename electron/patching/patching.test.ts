// Exact activation patching against an independent PyTorch implementation
// (native-models/fixtures/make_patching.py): on a tiny GPT-2 with a planted copy neuron, every
// layer's effect at every position and at all positions, in both directions and for both metrics,
// equals the reference's; the neuron sweep finds the planted neuron as the top result; a dataset
// of pairs gives the mean of the per-pair effects; unequal lengths are refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../native-models/load.js';
import { loadTokenizer, type Tokenizer } from '../../native-models/tokenizers/tokenizer.js';
import type { LoadedModel } from '../../native-models/spec.js';
import type { PatchMetric } from '../analysis/patching.js';
import { runPatching, type PatchPairIds } from './run.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native-models', 'fixtures', 'patching');

interface GoldenPair {
  clean: string;
  corrupt: string;
  target: string;
  foil: string;
  metrics: Record<PatchMetric, { clean: number; corrupt: number; layers: Record<'denoise' | 'noise', number[][]>; neurons: Record<'denoise' | 'noise', number[][]> }>;
}
const golden = JSON.parse(readFileSync(path.join(dir, 'patching.json'), 'utf8')) as {
  tolerance: { atol: number; rtol: number };
  planted: { layer: number; neuron: number };
  pairs: GoldenPair[];
};
const { atol, rtol } = golden.tolerance;
const close = (actual: number | undefined, expected: number, what: string) => {
  expect(actual, what).toBeDefined();
  if (Math.abs((actual as number) - expected) > atol + rtol * Math.abs(expected)) expect.fail(`${what}: ${actual} differs from the PyTorch reference ${expected}`);
};

let model: LoadedModel;
let tokenizer: Tokenizer;
const one = (s: string) => {
  const ids = tokenizer.encode(s, { addSpecial: false });
  expect(ids).toHaveLength(1);
  return ids[0] as number;
};
const pairOf = (g: GoldenPair): PatchPairIds => ({ clean: tokenizer.encode(g.clean), corrupt: tokenizer.encode(g.corrupt), target: one(g.target), foil: one(g.foil) });

beforeAll(() => {
  model = loadModel(dir);
  tokenizer = loadTokenizer(dir) as Tokenizer;
});

describe('activation patching', () => {
  for (const metric of ['logit-diff', 'loss'] as const) {
    it(`equals the PyTorch reference on one pair (${metric}) and finds the planted neuron`, async () => {
      const g = golden.pairs[0] as GoldenPair;
      const ref = g.metrics[metric];
      const run = await runPatching(model, [pairOf(g)], { metric, top: 5, searchLayers: 2 });
      close(run.clean, ref.clean, 'clean metric');
      close(run.corrupt, ref.corrupt, 'corrupted metric');
      for (const direction of ['denoise', 'noise'] as const) {
        for (const [l, row] of ref.layers[direction].entries()) {
          const T = row.length - 1;
          const got = run.layers[direction][l];
          close(got?.all?.effect, row[T] as number, `${direction} layer ${l}, all positions`);
          for (let t = 0; t < T; t++) close(got?.positions?.[t]?.effect, row[t] as number, `${direction} layer ${l}, position ${t}`);
        }
      }
      expect(run.searchedLayers).toContain(golden.planted.layer);
      expect(run.neurons).toHaveLength(5);
      expect({ layer: run.neurons[0]?.layer, neuron: run.neurons[0]?.neuron }).toEqual({ layer: golden.planted.layer, neuron: golden.planted.neuron });
      // every reported neuron's effect is the reference's, and they are the reference's top 5 of the searched layers
      const candidates = run.searchedLayers.flatMap((l) => (ref.neurons.denoise[l] as number[]).map((v, f) => ({ v, l, f })));
      const expectedTop = candidates.sort((a, b) => b.v - a.v).slice(0, 5);
      for (const [i, n] of run.neurons.entries()) {
        close(n.denoise?.effect, ref.neurons.denoise[n.layer]?.[n.neuron] as number, `denoise neuron ${n.layer}:${n.neuron}`);
        close(n.noise?.effect, ref.neurons.noise[n.layer]?.[n.neuron] as number, `noise neuron ${n.layer}:${n.neuron}`);
        close(n.denoise?.effect, expectedTop[i]?.v as number, `rank ${i + 1}`);
      }
      expect(run.rows).toBeGreaterThan(0);
    }, 300_000);
  }

  it('split into many small runs (positions and neurons in chunks), gives the same effects', async () => {
    const g = golden.pairs[0] as GoldenPair;
    const ref = g.metrics['logit-diff'];
    const { nLayers: L, dFf: F } = model.spec;
    const T = tokenizer.encode(g.clean).length;
    // 2 position rows per layer-sweep run, 6 neurons per neuron-sweep run
    const run = await runPatching(model, [pairOf(g)], { metric: 'logit-diff', top: 5, searchLayers: 3, runFloats: 2 * T * L * F * 2 });
    for (const [l, row] of ref.layers.denoise.entries()) {
      row.forEach((v, t) => close(t < T ? run.layers.denoise[l]?.positions?.[t]?.effect : run.layers.denoise[l]?.all?.effect, v, `layer ${l}, ${t < T ? `position ${t}` : 'all positions'}`));
    }
    expect(run.searchedLayers).toEqual([0, 1, 2]);
    for (const n of run.neurons) close(n.denoise?.effect, ref.neurons.denoise[n.layer]?.[n.neuron] as number, `neuron ${n.layer}:${n.neuron}`);
    expect({ layer: run.neurons[0]?.layer, neuron: run.neurons[0]?.neuron }).toEqual({ layer: golden.planted.layer, neuron: golden.planted.neuron });
  }, 300_000);

  it('over a dataset of pairs of different lengths: the mean effect, no per-position map, the planted neuron on top', async () => {
    const run = await runPatching(model, golden.pairs.map(pairOf), { metric: 'logit-diff', top: 3, searchLayers: 1 });
    expect(run.pairs).toHaveLength(2);
    const refs = golden.pairs.map((p) => p.metrics['logit-diff']);
    for (const [l, e] of run.layers.denoise.entries()) {
      expect(e.positions).toBeNull();
      const values = refs.map((r) => (r.layers.denoise[l] as number[]).at(-1) as number);
      close(e.all?.effect, (values[0]! + values[1]!) / 2, `mean denoise effect of layer ${l}`);
      expect(e.all?.low).toBeLessThanOrEqual(e.all?.effect as number);
      expect(e.all?.high).toBeGreaterThanOrEqual(e.all?.effect as number);
    }
    expect(run.searchedLayers).toEqual([golden.planted.layer]);
    const top = run.neurons[0];
    expect({ layer: top?.layer, neuron: top?.neuron }).toEqual({ layer: golden.planted.layer, neuron: golden.planted.neuron });
    const perPair = refs.map((r) => r.neurons.denoise[golden.planted.layer]?.[golden.planted.neuron] as number);
    close(top?.denoise?.effect, (perPair[0]! + perPair[1]!) / 2, 'mean effect of the planted neuron');
  }, 300_000);

  it('refuses prompts of different lengths, naming both', async () => {
    const p = { clean: tokenizer.encode('the cat A'), corrupt: tokenizer.encode('the cats B'), target: one('A'), foil: one('B') };
    await expect(runPatching(model, [p], { metric: 'logit-diff', top: 3, searchLayers: 1 })).rejects.toThrow(/clean prompt has 9 tokens and the corrupted one 10/);
  });

  it('refuses a pair with nothing to restore', async () => {
    const p = { clean: tokenizer.encode('the cat B'), corrupt: tokenizer.encode('the cat B'), target: one('A'), foil: one('B') };
    await expect(runPatching(model, [p], { metric: 'logit-diff', top: 3, searchLayers: 1 })).rejects.toThrow(/give the same logit-diff/);
  }, 120_000);
});
