// The ablation job with real workers, a real checkpoint with planted neurons and the Brown corpus:
// ablating neurons that never fire costs nothing, mean-ablating a constant neuron changes nothing,
// the empty set gives KL 0, a control with the same seed is the same set, conditions split into
// several runs give the same numbers as one run, and a sweep ranks and matches its random sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult, Job } from '../../api.js';
import type { Backend } from '../../backend.js';
import { perLayerCounts } from '../../analysis/neuron-sets.js';
import { optWithConstantNeurons, testBackend, until } from '../test-support.js';
import { ablationOf, finishJob } from './test-jobs.js';

/** ReLU with zero input weights and bias -1: never fires */
const DEAD = [
  [0, 7],
  [1, 30],
] as const;
/** zero input weights and bias 0.7: ReLU(0.7) at every token */
const CONSTANT = [1, 12] as const;

let b: Backend;
let modelId: number;
let corpusId: number;
let datasetId: number;
const evalDocs = { documents: 4, offset: 20 };

const finish = (method: string, params: unknown) => finishJob(b, method, params);
const result = (job: Job) => ablationOf(b, job);

beforeAll(async () => {
  const dir = optWithConstantNeurons([...DEAD.map(([layer, neuron]) => ({ layer, neuron, bias: -1 })), { layer: CONSTANT[0], neuron: CONSTANT[1], bias: 0.7 }]);
  b = testBackend();
  modelId = ((await finish('model.import', { path: dir })).result as { model: { id: number } }).model.id;
  corpusId = ((await finish('corpus.import', { source: { kind: 'brown' } })).result as { corpus: { id: number } }).corpus.id;
  const cap = await finish('capture.start', { modelId, corpusId, seqLen: 64, batch: 4, maxTokens: 6000, samples: 32 });
  expect(cap.state).toBe('done');
  datasetId = (cap.result as { dataset: { id: number } }).dataset.id;
});
afterAll(() => b.close());

describe('ablation job', () => {
  it('ablating neurons that never fire costs nothing; a matched random control does cost, and the same seed gives the same control', async () => {
    const params = { modelId, corpusId, datasetId, filter: evalDocs, seqLen: 64, batch: 2, maxTokens: 1500, resamples: 200, set: { kind: 'verdict', datasetId, verdict: 'dead' }, control: { seed: 3 } };
    const r = await result(await finish('ablation.start', params));
    const [dead, control] = r.results;
    expect(dead?.neurons).toBe(2);
    expect(dead?.perLayer).toEqual([1, 1]);
    expect(control?.perLayer).toEqual([1, 1]);
    expect(Math.abs(dead!.metrics.delta_loss.value)).toBeLessThan(1e-6);
    expect(dead!.metrics.kl.value).toBeLessThan(1e-7);
    expect(dead!.metrics.top1_agreement.value).toBe(1);
    expect(control!.metrics.kl.value).toBeGreaterThan(1e-5);
    expect(r.baseline.ppl.value).toBeCloseTo(Math.exp(r.baseline.loss.value), 10);
    expect(r.tokens).toBeGreaterThan(1000);
    expect(r.perDocument.length).toBeGreaterThan(0);
    expect(r.perDocument.reduce((n, d) => n + d.tokens, 0)).toBe(r.tokens);
    // the stored parameters hold the exact neurons; the same seed draws the same control
    const again = await result(await finish('ablation.rerun', { id: r.id }));
    const neuronsOf = (x: AblationResult) => (x.params as { conditions: Array<{ neurons: unknown }> }).conditions.map((c) => c.neurons);
    expect(neuronsOf(again)).toEqual(neuronsOf(r));
    expect(again.results.map((c) => c.metrics)).toEqual(r.results.map((c) => c.metrics));
  });

  it('mean- or resample-ablating a neuron that is constant changes nothing; zero-ablating it does', async () => {
    const set = { kind: 'neurons', neurons: [{ layer: CONSTANT[0], neuron: CONSTANT[1] }], label: 'constant' };
    const common = { modelId, corpusId, datasetId, filter: evalDocs, seqLen: 64, maxTokens: 800, resamples: 50, set };
    const mean = await result(await finish('ablation.start', { ...common, method: 'mean' }));
    expect(mean.results[0]!.metrics.kl.value).toBeLessThan(1e-7);
    const zero = await result(await finish('ablation.start', { ...common, method: 'zero' }));
    expect(zero.results[0]!.metrics.kl.value).toBeGreaterThan(1e-5);
    // its value at any other token is the same constant, so resampling changes nothing either
    const resampled = await result(await finish('ablation.start', { ...common, method: 'resample' }));
    expect(resampled.results[0]!.metrics.kl.value).toBeLessThan(1e-7);
  });

  it('the empty set gives KL 0, and conditions split over several runs give what one run gives', async () => {
    const conditions = [
      { label: 'empty', neurons: [] },
      { label: 'four', neurons: [0, 1, 2, 3].map((n) => ({ layer: 0, neuron: n })) },
      { label: 'late', neurons: [{ layer: 1, neuron: 5 }] },
    ];
    const params = { modelId, corpusId, filter: evalDocs, seqLen: 64, batch: 2, maxTokens: 600, resamples: 50, seed: 1, method: 'zero', kind: 'compare', conditions };
    const one = await result(await b.jobs.waitFor(b.jobs.start('ablate', params).id));
    expect(one.results[0]!.metrics.kl.value).toBe(0);
    expect(one.results[0]!.metrics.delta_loss.value).toBe(0);
    process.env.FFN_LAB_ABLATION_MEMORY = '1'; // one ablated condition per run
    try {
      const split = await result(await b.jobs.waitFor(b.jobs.start('ablate', params).id));
      split.results.forEach((c, i) => {
        const m = one.results[i]!.metrics;
        expect(c.metrics.loss.value).toBeCloseTo(m.loss.value, 6);
        expect(c.metrics.kl.value).toBeCloseTo(m.kl.value, 6);
        expect(c.metrics.top1_agreement.value).toBe(m.top1_agreement.value);
      });
    } finally {
      delete process.env.FFN_LAB_ABLATION_MEMORY;
    }
  });

  it('resample ablation draws from the capture\'s sampled tokens, and is refused without a capture', async () => {
    const set = { kind: 'verdict', datasetId, verdict: 'dead' };
    const r = await result(await finish('ablation.start', { modelId, corpusId, datasetId, filter: evalDocs, seqLen: 64, maxTokens: 400, resamples: 20, set, method: 'resample' }));
    // dead neurons are 0 at every token, so their value at another token is 0 too
    expect(r.results[0]!.metrics.kl.value).toBeLessThan(1e-7);
    const refused = await finish('ablation.start', { modelId, corpusId, filter: evalDocs, maxTokens: 400, set, method: 'resample' });
    expect(refused.state).toBe('failed');
    expect(refused.error).toMatch(/resample ablation .* give a capture with sampled tokens/);
  });

  it('resumes a run killed midway to exactly the result of an uninterrupted one', async () => {
    process.env.FFN_LAB_COMMIT_INTERVAL_MS = '0'; // a checkpoint after every batch
    try {
      const params = { modelId, corpusId, datasetId, filter: evalDocs, seqLen: 32, batch: 1, maxTokens: 6000, resamples: 100, seed: 4, method: 'resample', set: { kind: 'verdict', datasetId, verdict: 'dead' }, control: { seed: 2 } };
      const whole = await result(await finish('ablation.start', params));
      const { job } = (await b.handle('ablation.start', params)) as { job: Job };
      const row = () =>
        b.db.prepare('SELECT c.batches_done AS done, j.worker_pid AS pid FROM ablation_checkpoints c JOIN jobs j ON j.id = c.job_id WHERE c.job_id = ?').get(job.id) as { done: number; pid: number | null } | undefined;
      const at = await until(() => {
        const r = row();
        return r && r.done >= 3 && r.pid ? r : undefined;
      });
      process.kill(at.pid!, 'SIGKILL');
      expect((await b.jobs.waitFor(job.id)).state).toBe('interrupted');
      expect(row()!.done).toBeLessThan(6000 / 32);
      await b.handle('jobs.resume', { id: job.id });
      const resumed = await result(await b.jobs.waitFor(job.id));
      expect(resumed.results).toEqual(whole.results);
      expect(resumed.baseline).toEqual(whole.baseline);
      expect(resumed.perDocument).toEqual(whole.perDocument);
      expect(row()).toBeUndefined(); // the checkpoint goes when the run is stored
    } finally {
      delete process.env.FFN_LAB_COMMIT_INTERVAL_MS;
    }
  });

  it('a sweep ablates growing fractions in ranking order beside random sets with the same per-layer counts', async () => {
    const params = { modelId, corpusId, datasetId, filter: evalDocs, seqLen: 64, maxTokens: 500, resamples: 50, criterion: 'fire_rate', order: 'ascending', fractions: [0.02, 0.25] };
    const r = await result(await finish('ablation.sweep', params));
    expect(r.kind).toBe('sweep');
    expect(r.results.map((c) => [c.series, c.fraction])).toEqual([
      ['fire_rate', 0.02],
      ['random', 0.02],
      ['fire_rate', 0.25],
      ['random', 0.25],
    ]);
    const conditions = (r.params as { conditions: Array<{ neurons: Array<{ layer: number; neuron: number }> }> }).conditions;
    const [ranked2] = conditions;
    // the lowest fire rates come first: the never-firing neurons are in the first 2%
    for (const [l, f] of DEAD) expect(ranked2!.neurons).toContainEqual({ layer: l, neuron: f });
    for (let i = 0; i < 4; i += 2) expect(perLayerCounts(conditions[i + 1]!.neurons, 2)).toEqual(perLayerCounts(conditions[i]!.neurons, 2));
    expect(r.results[2]!.metrics.delta_loss.value).not.toBe(0);
  });
});
