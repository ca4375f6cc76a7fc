// Single-weight ablation with real workers and a real checkpoint: a super weight planted in a copy
// of the OPT fixture (one W_out weight of 40 from a neuron that outputs 1 at every token, its
// effect cancelled by the output bias so the model relies on it). Zeroing that one weight moves the
// model far more than zeroing a weight of similar rank (the matched control) or a random weight of
// the layer; zeroing a weight that is already 0 changes nothing; the run equals the intact model of
// a checkpoint with that weight zeroed; the exact weights are stored and a rerun repeats the run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult, Job } from '../../api.js';
import type { Backend } from '../../backend.js';
import { editSafetensors, fixtureWithCharTokenizer, testBackend } from '../test-support.js';
import { ablationOf, finishJob } from './test-jobs.js';

const OPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native-models', 'fixtures', 'opt');
const F = 96;
/** W_out[11 -> 5] of layer 0: 40, from a neuron that is 1 at every token */
const SUPER = { layer: 0, neuron: 11, dim: 5 };
const BIG = 40;
/** W_out[20 -> 3] of layer 1, set to 0 in the checkpoint */
const ZERO = { layer: 1, neuron: 20, dim: 3 };

/** A copy of the OPT fixture with the super weight and the zero weight planted, and `also` applied. */
function plantedModel(also?: (layer: number, name: string, data: Float32Array) => void): string {
  const dir = fixtureWithCharTokenizer(OPT);
  editSafetensors(path.join(dir, 'model.safetensors'), (name, shape, data) => {
    const m = /^model\.decoder\.layers\.(\d+)\.(fc1|fc2)\.(weight|bias)$/.exec(name);
    if (!m) return;
    const layer = Number(m[1]);
    const key = `${m[2]}.${m[3]}`;
    if (layer === SUPER.layer) {
      if (key === 'fc1.weight') data.fill(0, SUPER.neuron * (shape[1] as number), (SUPER.neuron + 1) * (shape[1] as number));
      if (key === 'fc1.bias') data[SUPER.neuron] = 1; // ReLU(1) = 1 at every token
      if (key === 'fc2.weight') data[SUPER.dim * F + SUPER.neuron] = BIG;
      if (key === 'fc2.bias') data[SUPER.dim] = (data[SUPER.dim] as number) - BIG; // the model relies on the weight
    }
    if (layer === ZERO.layer && key === 'fc2.weight') data[ZERO.dim * F + ZERO.neuron] = 0;
    also?.(layer, key, data);
  });
  return dir;
}

let b: Backend;
let modelId: number;
let corpusId: number;
const common = () => ({ modelId, corpusId, filter: { documents: 4, offset: 20 }, seqLen: 64, batch: 2, maxTokens: 1200, resamples: 100 });

const finish = (method: string, params: unknown) => finishJob(b, method, params);
const result = (job: Job) => ablationOf(b, job);

beforeAll(async () => {
  b = testBackend();
  modelId = ((await finish('model.import', { path: plantedModel() })).result as { model: { id: number } }).model.id;
  corpusId = ((await finish('corpus.import', { source: { kind: 'brown' } })).result as { corpus: { id: number } }).corpus.id;
});
afterAll(() => b.close());

describe('single-weight ablation', () => {
  it('zeroing the super weight moves the model far more than zeroing a weight of similar rank or a random weight; the exact weights are stored', async () => {
    const r = await result(await finish('ablation.start', { ...common(), weights: [SUPER], control: { seed: 1 } }));
    const [sup, control] = r.results;
    expect(sup!.label).toBe('W_out[0][11→5] = 0');
    expect(sup!.neurons).toBe(0);
    expect(sup!.weights).toEqual([{ ...SUPER, value: 0, original: BIG }]);
    // the control: another weight of layer 0, not the super weight, its |value| within 8 ranks of the largest
    const cw = control!.weights!;
    expect(cw).toHaveLength(1);
    expect(cw[0]!.layer).toBe(0);
    expect([cw[0]!.neuron, cw[0]!.dim]).not.toEqual([SUPER.neuron, SUPER.dim]);
    expect(Math.abs(cw[0]!.original)).toBeLessThan(BIG);
    // a random weight of the same layer
    const random = await result(await finish('ablation.start', { ...common(), weights: [{ layer: 0, neuron: 50, dim: 17 }] }));
    // the fixture is untrained, so its loss may fall as well as rise when it is broken: compare sizes
    const moved = (c: AblationResult['results'][number]) => Math.abs(c.metrics.delta_loss.value);
    for (const other of [control!, random.results[0]!]) {
      expect(sup!.metrics.kl.value).toBeGreaterThan(100 * Math.max(other.metrics.kl.value, 1e-6));
      expect(moved(sup!)).toBeGreaterThan(100 * Math.max(moved(other), 1e-6));
    }
    expect(sup!.metrics.kl.value).toBeGreaterThan(0.5);
    expect(moved(sup!)).toBeGreaterThan(0.5);
    expect(sup!.metrics.top1_agreement.value).toBeLessThan(0.9);
    // the change is clear of noise: its interval excludes 0
    const { low, high } = sup!.metrics.delta_loss;
    expect(low! > 0 || high! < 0).toBe(true);
    // the stored parameters hold the exact weights; a rerun repeats the run
    const conditions = (r.params as { conditions: Array<{ weights?: unknown; origin?: unknown }> }).conditions;
    expect(conditions[0]!.weights).toEqual([SUPER]);
    expect(conditions[1]!.origin).toEqual({ kind: 'control', of: 'W_out[0][11→5] = 0', seed: 1 });
    const again = await result(await finish('ablation.rerun', { id: r.id }));
    expect(again.results.map((c) => [c.weights, c.metrics])).toEqual(r.results.map((c) => [c.weights, c.metrics]));
  });

  it('zeroing a weight that is already 0 changes nothing', async () => {
    const r = await result(await finish('ablation.start', { ...common(), weights: [ZERO] }));
    const [c] = r.results;
    expect(c!.weights).toEqual([{ ...ZERO, value: 0, original: 0 }]);
    expect(c!.metrics.kl.value).toBeLessThan(1e-7);
    expect(Math.abs(c!.metrics.delta_loss.value)).toBeLessThan(1e-7);
    expect(c!.metrics.top1_agreement.value).toBe(1);
  });

  it('a run that zeroes the super weight gives the loss of the intact model of a checkpoint with it zeroed; weights combine with neurons', async () => {
    const zeroed = plantedModel((layer, key, data) => {
      if (layer === SUPER.layer && key === 'fc2.weight') data[SUPER.dim * F + SUPER.neuron] = 0;
    });
    const zeroedId = ((await finish('model.import', { path: zeroed, name: 'super weight zeroed' })).result as { model: { id: number } }).model.id;
    const evaluated = await result(await finish('ablation.evaluate', { ...common(), modelId: zeroedId }));
    // zeroing neuron 11 (W_out column) and setting the super weight: the neuron is off, so its weights do not matter
    const r = await result(
      await b.jobs.waitFor(
        b.jobs.start('ablate', {
          ...common(),
          method: 'zero',
          seed: 0,
          kind: 'compare',
          conditions: [
            { label: 'super', neurons: [], weights: [SUPER] },
            { label: 'neuron', neurons: [{ layer: 0, neuron: 11 }] },
            { label: 'neuron and weight', neurons: [{ layer: 0, neuron: 11 }], weights: [{ ...SUPER, value: 7 }] },
          ],
        }).id,
      ),
    );
    const [sup, neuron, both] = r.results;
    expect(sup!.metrics.loss.value).toBeCloseTo(evaluated.baseline.loss.value, 4);
    expect(both!.metrics.loss.value).toBeCloseTo(neuron!.metrics.loss.value, 6);
    expect(both!.weights).toEqual([{ ...SUPER, value: 7, original: BIG }]);
  });

  it('refuses a weight outside the model, and a request with nothing to ablate', async () => {
    await expect(b.handle('ablation.start', { ...common(), weights: [{ layer: 0, neuron: 11, dim: 32 }] })).rejects.toThrow(/weight 0:11:32 is outside the model \(2 layers, 96 neurons, 32 dims\)/);
    await expect(b.handle('ablation.start', { ...common() })).rejects.toThrow(/nothing to ablate/);
    const job = await b.jobs.waitFor(b.jobs.start('ablate', { ...common(), method: 'zero', seed: 0, kind: 'compare', conditions: [{ label: 'x', neurons: [], weights: [{ layer: 2, neuron: 0, dim: 0 }] }] }).id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/weight 2:0:0 is outside the model/);
  });
});
