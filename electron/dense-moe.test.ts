// The Start-here study "Dense vs MoE" on the shipped pair (brown-llama-dense, brown-mixtral-moe: the
// same active parameters per token, data, steps and seed), through the backend as the UI calls it:
// one call starts it, each finished step starts the next (import, capture both, layer sensitivity
// of both), the other pair study is left alone, and the comparison then has both models' held-out
// loss and per-layer sensitivity, the MoE model's active parameters equal to the dense model's but
// for its routers, and the MoE capture's router statistics.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult, Job, Result } from './api.js';
import type { Backend } from './backend.js';
import type { CompareResult } from './analysis/compare.js';
import { testBackend, until } from './jobs/test-support.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'native-models', 'demo');
let b: Backend;

const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);
const status = async (study: 'dense-moe' | 'width-depth') => (await b.handle('start.pairStatus', { study })) as Result<'start.pairStatus'>;
const idle = () => b.jobs.list().every((j) => j.state !== 'running' && j.state !== 'queued');

beforeAll(async () => {
  b = testBackend();
  // a demo model already imported tells the study where the demo folder is (as the first start registers them)
  await wait(b.handle('model.import', { path: path.join(demo, 'brown-gpt2-relu') }));
  await wait(b.handle('corpus.import', { source: { kind: 'brown' } }));
}, 180_000);
afterAll(() => b.close());

describe('dense vs MoE study', () => {
  it('runs every step by itself to a comparison of the same active parameters, with the router statistics', async () => {
    const before = await status('dense-moe');
    expect(before).toMatchObject({ study: 'dense-moe', title: 'Dense vs MoE', available: true, datasets: null });
    expect(before.models.map((m) => m.name)).toEqual(['brown-llama-dense', 'brown-mixtral-moe']);
    const first = (await b.handle('start.pair', { study: 'dense-moe' })) as { job: Job };
    expect(first.job.kind).toBe('model-import');
    // a second click while a step runs starts nothing new
    expect(((await b.handle('start.pair', { study: 'dense-moe' })) as { job: Job }).job.id).toBe(first.job.id);
    await until(() => b.jobs.list().filter((j) => j.kind === 'ablate' && j.state === 'done').length === 2 && idle(), 1_200_000);
    expect(b.jobs.list().filter((j) => j.state === 'failed')).toEqual([]);
    const after = await status('dense-moe');
    expect(after.datasets).not.toBeNull();
    expect(((await b.handle('start.pair', { study: 'dense-moe' })) as { job: Job | null }).job).toBeNull();
    // the other study did not move: its models are not imported, nothing of it ran
    expect((await status('width-depth')).models.every((m) => m.modelId === null)).toBe(true);
    expect(b.jobs.list().some((j) => /^Width vs depth: /.test((j.params as { name?: string }).name ?? ''))).toBe(false);
    // the pair is not a card of the single-model Start here
    const single = (await b.handle('start.status', {})) as Result<'start.status'>;
    expect(single.models.map((m) => m.name)).toEqual(['brown-gpt2-relu']);

    const r = (await b.handle('compare.run', { datasets: after.datasets })) as CompareResult;
    expect(r.refused).toEqual([]);
    const [dense, moe] = r.models;
    expect([dense!.model.name, dense!.model.moe, moe!.model.name, moe!.model.moe]).toEqual(['brown-llama-dense', false, 'brown-mixtral-moe', true]);
    // the same active parameters per token, but for the routers (layers x experts x width)
    const cfg = JSON.parse(fs.readFileSync(path.join(demo, 'brown-mixtral-moe', 'config.json'), 'utf8')) as { num_hidden_layers: number; num_local_experts: number; hidden_size: number };
    expect(moe!.params.active - dense!.params.active).toBe(cfg.num_hidden_layers * cfg.num_local_experts * cfg.hidden_size);
    expect(moe!.params.total).toBeGreaterThan(dense!.params.total);
    const split = JSON.parse(fs.readFileSync(path.join(demo, 'recipe', 'split.json'), 'utf8')) as { validation: string[] };
    for (const m of r.models) {
      expect(m.heldout).not.toBeNull();
      expect(m.sensitivity).toMatchObject({ fraction: 0.25, seed: 0 });
      expect(m.layers.every((l) => l.sensitivity !== null)).toBe(true);
      const run = (await b.handle('ablation.get', { id: m.sensitivity!.ablation })) as AblationResult;
      expect(run.perDocument.every((d) => split.validation.includes(d.document))).toBe(true);
    }
    // the MoE capture's router: every token of every layer routed to top-k experts
    const x = (await b.handle('experts.get', { datasetId: moe!.dataset.id })) as Result<'experts.get'>;
    expect([x.experts, x.topK]).toEqual([cfg.num_local_experts, 2]);
    for (const l of x.layers) {
      expect(l.tokens).toBeGreaterThan(0);
      expect(l.experts.reduce((a, e) => a + e.load, 0)).toBe(2 * l.tokens);
    }
  }, 1_500_000);
});
