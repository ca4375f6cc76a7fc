// Start here on the shipped ReLU demo model: one call runs the capture, its end starts the
// ablation of the dead set against a matched random control, and the state reads back from the
// database. Dead ReLU neurons output exactly 0, so switching them off must change nothing.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult, Dataset, Job, Result } from './api.js';
import type { Backend } from './backend.js';
import { fixtureWithCharTokenizer, testBackend, until } from './jobs/test-support.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
let b: Backend;
let relu: number;

const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);

beforeAll(async () => {
  b = testBackend();
  relu = ((await wait(b.handle('model.import', { path: path.join(root, 'native-models', 'demo', 'brown-gpt2-relu') }))).result as { model: { id: number } }).model.id;
}, 120_000);
afterAll(() => b.close());

describe('start here', () => {
  it('needs the Brown corpus first, and refuses a model that is not a demo model', async () => {
    await expect(b.handle('start.run', { id: relu })).rejects.toThrow(/the Brown corpus is not imported yet/);
    const other = ((await wait(b.handle('model.import', { path: fixtureWithCharTokenizer(path.join(root, 'native-models', 'fixtures', 'gpt2')) }))).result as { model: { id: number } }).model.id;
    await expect(b.handle('start.run', { id: other })).rejects.toThrow(/not a shipped demo model/);
    const status = (await b.handle('start.status', {})) as Result<'start.status'>;
    expect(status.models.map((m) => m.modelId)).toEqual([relu]);
  }, 120_000);

  it('captures, then ablates the dead set against a matched control on held-out documents', async () => {
    await wait(b.handle('corpus.import', { source: { kind: 'brown' } }));
    const capture = await wait(b.handle('start.run', { id: relu }));
    expect(capture.kind).toBe('capture');
    expect(capture.state).toBe('done');
    const done = await until(() => {
      const s = b.jobs.list().find((j) => j.kind === 'ablate');
      return s && s.state !== 'running' && s.state !== 'queued' ? s : undefined;
    }, 300_000);
    expect(done.error).toBeNull();
    const status = (await b.handle('start.status', {})) as Result<'start.status'>;
    const mine = status.models.find((m) => m.modelId === relu)!;
    expect(mine.datasetId).not.toBeNull();
    const r = (await b.handle('ablation.get', { id: mine.ablationId! })) as AblationResult;
    const [dead, control] = r.results;
    expect(dead!.neurons).toBeGreaterThan(0);
    expect(control!.perLayer).toEqual(dead!.perLayer);
    expect(dead!.metrics.kl.value).toBeLessThan(1e-7);
    expect(control!.metrics.kl.value).toBeGreaterThan(dead!.metrics.kl.value);
    // evaluated on the held-out documents only
    const validation = new Set((await import(path.join(root, 'native-models', 'demo', 'recipe', 'split.json'), { with: { type: 'json' } })).default.validation as string[]);
    expect(r.perDocument.every((d) => validation.has(d.document))).toBe(true);
    // a held-out set a bootstrap can stand on: every held-out document (>= 30), spanning the genres
    expect(r.documents).toBeGreaterThanOrEqual(30);
    expect(new Set(r.perDocument.map((d) => d.genre)).size).toBeGreaterThanOrEqual(10);
    expect(r.warnings).toEqual([]);
    // and a capture that is not of one genre
    const capturedSet = ((await b.handle('dataset.list', {})) as Dataset[]).find((d) => d.id === mine.datasetId)!;
    expect(capturedSet.warnings).toEqual([]);
  }, 400_000);
});
