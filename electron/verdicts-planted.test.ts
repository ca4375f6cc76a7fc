// The verdicts on real captures of the planted-truth fixtures (native-models/fixtures/planted: one
// checkpoint per FFN type, ReLU/OPT, GELU/GPT-2, SwiGLU/Llama and GeGLU/Llama, with silent,
// constant, never-positive, token-specific and positional neurons planted by make_planted.py and
// listed in truth.json). Every detector must return exactly the planted set, from the capture's
// statistics and samples alone, and the ablation each verdict licenses must leave the model as it
// was: zeroing the silent set and mean-ablating the constant set change no prediction (KL < 1e-7),
// while a matched random set of the same size does.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult, Job, VerdictKind } from './api.js';
import type { Backend } from './backend.js';
import { testBackend } from './jobs/test-support.js';
import { listNeurons } from './neurons.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures', 'planted');
const FIXTURES = ['relu-opt', 'gelu-gpt2', 'swiglu-llama', 'geglu-llama'] as const;

interface Planted {
  layer: number;
  neuron: number;
  token?: string;
  positions?: [number, number];
}
type Truth = Record<'dead' | 'constant' | 'never_positive' | 'token_specific' | 'positional', Planted[]> & { activation: string };

let b: Backend;
let corpusId: number;
const captured = new Map<string, { modelId: number; datasetId: number; truth: Truth }>();

const wait = async (p: Promise<unknown>): Promise<Job> => {
  const job = await b.jobs.waitFor(((await p) as { job: Job }).job.id);
  if (job.state !== 'done') throw new Error(`job ${job.kind} ended ${job.state}: ${job.error ?? ''}`);
  return job;
};

beforeAll(async () => {
  b = testBackend();
  corpusId = ((await wait(b.handle('corpus.import', { source: { kind: 'brown' } }))).result as { corpus: { id: number } }).corpus.id;
  for (const name of FIXTURES) {
    const dir = path.join(root, name);
    const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as Truth;
    const modelId = ((await wait(b.handle('model.import', { path: dir }))).result as { model: { id: number } }).model.id;
    // 128-token windows over the first documents; samples at their default (4096 tokens)
    const cap = await wait(b.handle('capture.start', { modelId, corpusId, filter: { documents: 40 }, seqLen: 128, batch: 8, maxTokens: 24_000, topK: 4 }));
    captured.set(name, { modelId, datasetId: (cap.result as { dataset: { id: number } }).dataset.id, truth });
  }
}, 600_000);
afterAll(() => b.close());

const key = (n: { layer: number; neuron: number }) => `${n.layer}:${n.neuron}`;
const sorted = (xs: ReadonlyArray<{ layer: number; neuron: number }>) => xs.map(key).sort();

describe.each(FIXTURES)('verdicts on the planted %s fixture', (name) => {
  const got = (kind: VerdictKind) => listNeurons(b.db, captured.get(name)!.datasetId, { kinds: [kind] }).neurons;

  it('finds exactly the planted silent, constant and never-positive neurons', () => {
    const { truth } = captured.get(name)!;
    for (const kind of ['dead', 'constant', 'never_positive'] as const) expect(sorted(got(kind)), kind).toEqual(sorted(truth[kind]));
    for (const n of got('dead')) {
      const e = n.verdicts.find((v) => v.kind === 'dead')!.evidence as { peak_abs: number; eps: number; upper95: number; tokens: number };
      expect(e.peak_abs).toBeLessThanOrEqual(e.eps);
      expect(e.upper95).toBe(3 / e.tokens);
    }
  });

  it('finds exactly the planted token-specific neurons, naming their token', () => {
    const { truth } = captured.get(name)!;
    const found = got('token_specific');
    expect(sorted(found)).toEqual(sorted(truth.token_specific));
    for (const n of found) {
      const planted = truth.token_specific.find((t) => key(t) === key(n))!;
      const e = n.verdicts.find((v) => v.kind === 'token_specific')!.evidence as { tokens: Array<{ token: string; share: number }> };
      expect(e.tokens[0]).toMatchObject({ token: planted.token, share: 1 });
    }
  });

  it('finds exactly the planted positional neurons, at the planted positions', () => {
    const { truth } = captured.get(name)!;
    const found = got('positional');
    expect(sorted(found)).toEqual(sorted(truth.positional));
    for (const n of found) {
      const e = n.verdicts.find((v) => v.kind === 'positional')!.evidence as { peak_positions: [number, number]; share: number };
      expect(e.peak_positions[0]).toBe(0);
      expect(e.peak_positions[1]).toBeLessThanOrEqual(7);
    }
  });

  it('the licensed ablations leave the model unchanged; a matched random set does not', async () => {
    const { modelId, datasetId, truth } = captured.get(name)!;
    const sets = [
      { verdict: 'dead' as const, method: 'zero' as const },
      { verdict: 'constant' as const, method: 'mean' as const },
    ].filter((s) => truth[s.verdict].length > 0);
    for (const s of sets) {
      const job = await wait(
        b.handle('ablation.start', {
          modelId,
          corpusId,
          datasetId,
          filter: { documents: 4, offset: 100 },
          seqLen: 128,
          maxTokens: 4000,
          method: s.method,
          resamples: 0,
          set: { kind: 'verdict', datasetId, verdict: s.verdict },
          control: { seed: 0 },
        }),
      );
      const r = (await b.handle('ablation.get', { id: (job.result as { ablation: { id: number } }).ablation.id })) as AblationResult;
      const [set, control] = r.results;
      expect(set!.neurons, s.verdict).toBe(truth[s.verdict].length);
      expect(set!.metrics.kl.value, `${s.verdict} set, ${s.method} ablation`).toBeLessThan(1e-7);
      expect(Math.abs(set!.metrics.delta_loss.value)).toBeLessThan(1e-6);
      expect(set!.metrics.top1_agreement.value).toBe(1);
      expect(control!.metrics.kl.value, 'the matched random control').toBeGreaterThan(1e-5);
    }
  }, 120_000);
});
