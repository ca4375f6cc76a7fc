// The playground through the backend and its serving worker process: with nothing ablated both
// sides agree; the intact per-token loss equals the log-softmax of the full logits from another
// graph; ablating neurons changes the loss and the next-token distribution.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, PlaygroundResult } from '../api.js';
import type { Backend } from '../backend.js';
import { logitsFor } from '../inference.js';
import { fixtureWithCharTokenizer, testBackend, until } from '../jobs/test-support.js';
import { loadTokenizer } from '../../native-models/tokenizers/tokenizer.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native-models', 'fixtures');
let b: Backend;
let modelId: number;
let dir: string;
const prompt = 'The jury further said';

beforeAll(async () => {
  dir = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
  b = testBackend();
  const m = await b.jobs.waitFor(((await b.handle('model.import', { path: dir })) as { job: Job }).job.id);
  modelId = (m.result as { model: { id: number } }).model.id;
});
afterAll(() => b.close());

const run = async (neurons: Array<{ layer: number; neuron: number }>) => (await b.handle('playground.run', { modelId, prompt, neurons, maxNew: 5 })) as PlaygroundResult;

describe('playground', () => {
  it('with nothing ablated both sides agree, and the loss matches the full logits of another graph', async () => {
    const r = await run([]);
    expect(r.nextKl).toBeLessThan(1e-9);
    expect(r.ablated.nll).toEqual(r.intact.nll);
    expect(r.ablated.continuation).toEqual(r.intact.continuation);
    expect(r.intact.continuation.ids).toHaveLength(5);
    const ids = loadTokenizer(dir)!.encode(prompt);
    expect(r.tokens.map((t) => t.id)).toEqual(ids);
    const { logits } = await logitsFor(dir, ids, { dataDir: b.dataDir });
    const want = ids.slice(1).map((next, t) => {
      const row = logits[t] as number[];
      const max = Math.max(...row);
      return Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - (row[next] as number);
    });
    r.intact.nll.forEach((v, t) => expect(v).toBeCloseTo(want[t] as number, 4));
    const ranked = [...r.next].sort((a, b2) => b2.intact - a.intact);
    expect(r.next).toEqual(ranked);
  });

  it('reads a prompt of token ids as those ids, and refuses an id outside the vocabulary', async () => {
    const ids = loadTokenizer(dir)!.encode(prompt);
    const byText = await run([]);
    const byIds = (await b.handle('playground.run', { modelId, prompt: `[${ids.join(', ')}]`, neurons: [], maxNew: 5 })) as PlaygroundResult;
    expect(byIds.tokens.map((t) => t.id)).toEqual(ids);
    expect(byIds.intact.nll).toEqual(byText.intact.nll);
    await expect(b.handle('playground.run', { modelId, prompt: '[1, 99999999]', neurons: [], maxNew: 1 })).rejects.toThrow(/token id "99999999" at position 1 of the prompt is not in the model's vocabulary/);
  });

  it('ablating neurons changes the loss and the next-token distribution; the same request gives the same answer', async () => {
    const neurons = Array.from({ length: 12 }, (_, i) => ({ layer: i % 2, neuron: i }));
    const r = await run(neurons);
    expect(r.neurons).toBe(12);
    expect(r.nextKl).toBeGreaterThan(1e-6);
    expect(r.ablated.nll).not.toEqual(r.intact.nll);
    const again = await run(neurons);
    expect({ ...again, timing: null }).toEqual({ ...r, timing: null });
  });

  it("setting every weight of a neuron's W_out row to 0 is switching the neuron off; one weight moves the model; a weight outside the model is refused", async () => {
    const D = 32;
    const whole = (await b.handle('playground.run', { modelId, prompt, neurons: [], weights: Array.from({ length: D }, (_, d) => ({ layer: 1, neuron: 9, dim: d })), maxNew: 5 })) as PlaygroundResult;
    const neuron = await run([{ layer: 1, neuron: 9 }]);
    expect(whole.weights).toBe(D);
    expect(whole.neurons).toBe(0);
    expect(whole.nextKl).toBeGreaterThan(1e-9);
    expect(whole.nextKl).toBeCloseTo(neuron.nextKl, 6);
    whole.ablated.nll.forEach((v, t) => expect(v).toBeCloseTo(neuron.ablated.nll[t]!, 4));
    expect(whole.ablated.continuation).toEqual(neuron.ablated.continuation);
    const one = (await b.handle('playground.run', { modelId, prompt, neurons: [], weights: [{ layer: 0, neuron: 4, dim: 7, value: 25 }], maxNew: 0 })) as PlaygroundResult;
    expect(one.weights).toBe(1);
    expect(one.nextKl).toBeGreaterThan(1e-6);
    await expect(b.handle('playground.run', { modelId, prompt, neurons: [], weights: [{ layer: 0, neuron: 4, dim: D }] })).rejects.toThrow(/weight 0:4:32 is outside the model/);
  });

  it('a serving process that dies fails its request with a message, and the next request starts a new one', async () => {
    await run([]);
    const client = (b as unknown as { playground: { worker?: { pid?: number }; pending: Map<number, unknown> } }).playground;
    const pid = client.worker?.pid;
    expect(pid).toBeGreaterThan(0);
    const pending = run([{ layer: 0, neuron: 1 }]);
    // kill only once the request has reached the worker (the API validates it first, asynchronously)
    await until(() => client.pending.size > 0, 10_000);
    process.kill(pid!, 'SIGKILL');
    await expect(pending).rejects.toThrow(/the playground's inference process stopped \(SIGKILL\); try again/);
    const again = await run([{ layer: 0, neuron: 1 }]);
    expect(again.neurons).toBe(1);
    expect(client.worker?.pid).not.toBe(pid);
  });

  it('refuses a prompt longer than the context with the lengths', async () => {
    await expect(b.handle('playground.run', { modelId, prompt: 'x'.repeat(5000), neurons: [] })).rejects.toThrow(/the prompt has \d+ tokens; the model's context is \d+/);
  });
});
