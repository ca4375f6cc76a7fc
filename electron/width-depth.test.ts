// The Start-here study "Width vs depth" on the shipped pair, through the backend as the UI calls
// it: one call starts it, each finished step starts the next (import, capture both, layer
// sensitivity of both), and the comparison of the two captures then has held-out loss and
// per-layer sensitivity for both models, measured on the held-out documents only.
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

beforeAll(async () => {
  b = testBackend();
  // a demo model already imported tells the study where the demo folder is (as the first start registers them)
  await wait(b.handle('model.import', { path: path.join(demo, 'brown-gpt2-relu') }));
}, 120_000);
afterAll(() => b.close());

describe('width vs depth study', () => {
  it('needs the Brown corpus before it captures; then runs every step by itself to the comparison', async () => {
    let status = (await b.handle('start.pairStatus', { study: 'width-depth' })) as Result<'start.pairStatus'>;
    expect(status.available).toBe(true);
    expect(status.models.map((m) => m.name)).toEqual(['brown-gpt2-wide', 'brown-gpt2-deep']);
    expect(status.datasets).toBeNull();
    // the imports go first and chain; without the corpus the study stops there with the reason
    const first = (await b.handle('start.pair', { study: 'width-depth' })) as { job: Job };
    expect(first.job.kind).toBe('model-import');
    await until(() => {
      const s = b.jobs.list();
      return s.filter((j) => j.kind === 'model-import' && j.state === 'done').length === 3 && s.every((j) => j.state !== 'running' && j.state !== 'queued');
    }, 120_000);
    await expect(b.handle('start.pair', { study: 'width-depth' })).rejects.toThrow(/the Brown corpus is not imported yet/);

    await wait(b.handle('corpus.import', { source: { kind: 'brown' } }));
    const next = (await b.handle('start.pair', { study: 'width-depth' })) as { job: Job };
    expect(next.job.kind).toBe('capture');
    // a second click while a step runs starts nothing new
    expect(((await b.handle('start.pair', { study: 'width-depth' })) as { job: Job }).job.id).toBe(next.job.id);
    // every step ends before the status says done (the status is read from the database, synchronously)
    await until(() => {
      const jobs = b.jobs.list();
      return jobs.filter((j) => j.kind === 'ablate' && j.state === 'done').length === 2 && jobs.every((j) => j.state !== 'running' && j.state !== 'queued');
    }, 600_000);
    status = (await b.handle('start.pairStatus', { study: 'width-depth' })) as Result<'start.pairStatus'>;
    expect(status.datasets).not.toBeNull();
    expect(b.jobs.list().filter((j) => j.state === 'failed')).toEqual([]);
    expect(((await b.handle('start.pair', { study: 'width-depth' })) as { job: Job | null }).job).toBeNull();

    const r = (await b.handle('compare.run', { datasets: status.datasets })) as CompareResult;
    expect(r.refused).toEqual([]);
    expect(r.models.map((m) => [m.model.name, m.model.layers])).toEqual([
      ['brown-gpt2-wide', 2],
      ['brown-gpt2-deep', 8],
    ]);
    const split = JSON.parse(fs.readFileSync(path.join(demo, 'recipe', 'split.json'), 'utf8')) as { validation: string[] };
    for (const m of r.models) {
      expect(m.heldout).not.toBeNull();
      expect(m.sensitivity).toMatchObject({ fraction: 0.25, seed: 0 });
      expect(m.layers.every((l) => l.sensitivity !== null && l.twonn !== null)).toBe(true);
      const run = (await b.handle('ablation.get', { id: m.sensitivity!.ablation })) as AblationResult;
      expect(run.perDocument.every((d) => split.validation.includes(d.document))).toBe(true);
    }
  }, 900_000);
});
