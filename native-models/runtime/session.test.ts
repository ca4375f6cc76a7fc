// Session plumbing: the on-disk graph cache, weights in an external data file, execution
// provider fallback, input checks, and greedy generation.

import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomIds, randomModel } from '../graph/test-support/random-model.js';
import { referenceForward } from '../graph/test-support/reference-forward.js';
import { testSpecs } from '../graph/test-support/specs.js';
import { Generator } from './generate.js';
import { cacheKey } from './graph-cache.js';
import { FfnSession } from './session.js';
import { asFloat32, int64 } from './tensors.js';

const spec = testSpecs.llama;
const model = randomModel(spec, 5);
const B = 2;
const T = 5;
const ids = randomIds(B, T, spec.vocabSize, 9);
const feeds = { input_ids: int64(ids, [B, T]) };
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ffn-lab-session-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function logitsOf(s: FfnSession): Promise<Float32Array> {
  const out = await s.run(feeds);
  await s.release();
  return asFloat32(out['logits'], 'logits');
}

describe('graph cache', () => {
  test('writes the graph once under its key and reuses it', async () => {
    const cacheDir = join(dir, 'cache');
    const s1 = await FfnSession.create(model, { logits: 'all' }, { cacheDir, threads: 1 });
    const key = cacheKey(model, { logits: 'all' });
    expect(s1.modelPath).toBe(join(cacheDir, `${key}.onnx`));
    const first = await stat(s1.modelPath as string);
    const a = await logitsOf(s1);
    const s2 = await FfnSession.create(model, { logits: 'all' }, { cacheDir, threads: 1 });
    expect((await stat(s2.modelPath as string)).mtimeMs).toBe(first.mtimeMs);
    expect(await logitsOf(s2)).toEqual(a);
    expect(await readdir(cacheDir)).toEqual([`${key}.onnx`]); // no temp files left behind
  });

  test('keys differ by options, by weights and by config', () => {
    expect(cacheKey(model, { logits: 'all' })).not.toBe(cacheKey(model, { logits: 'last' }));
    expect(cacheKey(model, { taps: [1, 0] })).toBe(cacheKey(model, { taps: [0, 1, 1] }));
    expect(cacheKey(randomModel(spec, 6), { logits: 'all' })).not.toBe(cacheKey(model, { logits: 'all' }));
    // same weight files, another config.json (e.g. rope theta): another graph
    const otherConfig = { ...model, spec: { ...model.spec, normEps: model.spec.normEps * 10 } };
    expect(cacheKey(otherConfig, { logits: 'all' })).not.toBe(cacheKey(model, { logits: 'all' }));
  });
});

describe('external data', () => {
  test('weights in a side file load and give the same outputs as inline weights', async () => {
    const inline = await logitsOf(await FfnSession.create(model, { logits: 'all' }, { threads: 1, externalData: 'never' }));
    const cacheDir = join(dir, 'external');
    const s = await FfnSession.create(model, { logits: 'all' }, { cacheDir, threads: 1, externalData: 'always' });
    const files = (await readdir(cacheDir)).sort();
    const key = cacheKey(model, { logits: 'all' });
    expect(files).toEqual([`${key}.onnx`, `${key}.onnx.data`]);
    const modelBytes = (await stat(join(cacheDir, `${key}.onnx`))).size;
    const dataBytes = (await stat(join(cacheDir, `${key}.onnx.data`))).size;
    expect(dataBytes).toBeGreaterThan(modelBytes);
    expect(await logitsOf(s)).toEqual(inline);
  });

  test('without a cache dir, a temporary folder holds the files until release', async () => {
    const s = await FfnSession.create(model, { logits: 'all' }, { threads: 1, externalData: 'always' });
    const path = s.modelPath as string;
    expect((await stat(path)).isFile()).toBe(true);
    await logitsOf(s);
    await expect(stat(path)).rejects.toThrow();
  });
});

describe('session', () => {
  test('falls back to CPU and says which preferred providers failed', async () => {
    const s = await FfnSession.create(model, { logits: 'last' }, { providers: ['cuda', 'dml', 'coreml'], threads: 1 });
    expect(['cuda', 'dml', 'coreml', 'cpu']).toContain(s.provider);
    if (s.provider === 'cpu') expect(s.failedProviders.map((f) => f.provider)).toEqual(['cuda', 'dml', 'coreml']);
    await s.release();
  });

  test('names the missing inputs', async () => {
    const s = await FfnSession.create(model, { logits: 'all', nll: true }, { threads: 1 });
    await expect(s.run(feeds)).rejects.toThrow(/missing inputs targets/);
    await s.release();
  });

  test('refuses sequences longer than the graph supports', async () => {
    const s = await FfnSession.create(model, { logits: 'last', maxSeqLen: 4 }, { threads: 1 });
    await expect(s.run(feeds)).rejects.toThrow(/5 tokens exceed the graph's limit of 4/);
    await s.release();
  });

  test('greedy generation equals argmax steps of the reference forward', async () => {
    const prompt = ids.slice(0, T);
    const want: number[] = [];
    const seq = [...prompt];
    for (let step = 0; step < 4; step++) {
      const logits = referenceForward(model, seq, 1, seq.length).logits.subarray((seq.length - 1) * spec.vocabSize);
      const next = logits.indexOf(Math.max(...logits));
      want.push(next);
      seq.push(next);
    }
    const gen = await Generator.create(model, { threads: 1 });
    expect(await gen.generate(prompt, 4)).toEqual(want);
    expect(await gen.generate(prompt, 4, { stopToken: want[1] })).toEqual(want.slice(0, 2));
    await gen.release();
  });
});
