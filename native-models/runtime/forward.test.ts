// The instrumented graph against the host reference forward (graph/test-support), for a spec of
// every family shape: logits, per-token NLL, and the pre/post/resid taps of every layer.

import { afterAll, describe, expect, test } from 'vitest';
import { hook } from '../graph/builder.js';
import { randomIds, randomModel } from '../graph/test-support/random-model.js';
import { logSoftmaxRows, referenceForward } from '../graph/test-support/reference-forward.js';
import { maxAbsDiff, testSpecs } from '../graph/test-support/specs.js';
import { FfnSession } from './session.js';
import { asFloat32, int64 } from './tensors.js';

const B = 2;
const T = 7;
const sessions: FfnSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe.each(Object.entries(testSpecs))('%s-like spec', (name, spec) => {
  const model = randomModel(spec, name.length);
  const ids = randomIds(B, T, spec.vocabSize, 3);
  const ref = referenceForward(model, ids, B, T);
  const layers = Array.from({ length: spec.nLayers }, (_, i) => i);

  test('logits, nll and every layer tap match the reference', async () => {
    const s = await FfnSession.create(model, { logits: 'all', nll: true, taps: layers }, { threads: 1 });
    sessions.push(s);
    // targets: next token; the last position ignored
    const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
    const out = await s.run({ input_ids: int64(ids, [B, T]), targets: int64(targets, [B, T]) });
    expect(out['logits']?.dims).toEqual([B, T, spec.vocabSize]);
    expect(maxAbsDiff(asFloat32(out['logits'], 'logits'), ref.logits)).toBeLessThan(1e-4);

    const logp = logSoftmaxRows(ref.logits, spec.vocabSize);
    const wantNll = targets.map((t, i) => (t < 0 ? 0 : -(logp[i * spec.vocabSize + t] as number)));
    expect(out['nll']?.dims).toEqual([B, T]);
    expect(maxAbsDiff(asFloat32(out['nll'], 'nll'), wantNll)).toBeLessThan(1e-4);

    for (const l of layers) {
      expect(out[hook.pre(l)]?.dims).toEqual([B, T, spec.dFf]);
      expect(maxAbsDiff(asFloat32(out[hook.pre(l)], 'pre'), ref.pre[l] as Float64Array)).toBeLessThan(1e-4);
      expect(maxAbsDiff(asFloat32(out[hook.post(l)], 'post'), ref.post[l] as Float64Array)).toBeLessThan(1e-4);
      expect(maxAbsDiff(asFloat32(out[hook.residPost(l)], 'resid'), ref.resid[l] as Float64Array)).toBeLessThan(1e-4);
    }
  });

  test('last_logits alone equal the last position of the full logits', async () => {
    const s = await FfnSession.create(model, { logits: 'last' }, { threads: 1 });
    sessions.push(s);
    const out = await s.run({ input_ids: int64(ids, [B, T]) });
    expect(out['last_logits']?.dims).toEqual([B, spec.vocabSize]);
    const V = spec.vocabSize;
    const want = Array.from({ length: B }, (_, b) => Array.from(ref.logits.subarray(((b + 1) * T - 1) * V, (b + 1) * T * V))).flat();
    expect(maxAbsDiff(asFloat32(out['last_logits'], 'last_logits'), want)).toBeLessThan(1e-4);
  });
});
