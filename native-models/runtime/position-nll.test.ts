// The loss at sampled positions only (GraphOptions.positionNll: P rows unembedded) against the
// nll head over every token, at the same positions: bit-identical, so a capture's stored sample
// losses do not change when it stops unembedding every token.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../graph/builder.js';
import { testSessions } from '../graph/test-support/sessions.js';
import { loadModel } from '../load.js';
import { asFloat32, float32, int64 } from './tensors.js';

const session = testSessions();
const here = import.meta.dirname;

describe('positionNll', () => {
  test.each([
    ['the ReLU demo model', join(here, '..', 'demo', 'brown-gpt2-relu'), 4, 64],
    ['the llama fixture', join(here, '..', 'fixtures', 'llama'), 3, 16],
    ['the qwen2-moe fixture', join(here, '..', 'fixtures', 'qwen2-moe'), 2, 12],
  ])('%s: equals the full nll head at the positions, bit for bit', { timeout: 120_000 }, async (_, dir, B, T) => {
    const model = loadModel(dir);
    const V = model.spec.vocabSize;
    const ids = Array.from({ length: B * T }, (_, i) => (i * 7919 + 13) % V);
    // -1: ignored (a document's end); the rest the next token
    const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
    const positions = [0, 5, T - 1, T + 2, B * T - 1, 3];
    const mask = float32(new Float32Array(B * T).fill(1), [B, T]);
    const base = { stats: true, tokenMask: true, hidden: true, topK: 4 } as const;
    // two threads, as a capture runs: the Gemm splits its rows between them
    const full = await session(model, { ...base, nll: true }, { threads: 2 });
    const sampled = await session(model, { ...base, positionNll: true }, { threads: 2 });
    const feeds = { input_ids: int64(ids, [B, T]), targets: int64(targets, [B, T]), positions: int64(positions, [positions.length]), token_mask: mask, threshold: float32([0], []) };
    const a = await full.run(feeds);
    const b = await sampled.run(feeds);
    const nll = asFloat32(a['nll'], 'nll');
    const got = asFloat32(b['position_nll'], 'position_nll');
    expect(Array.from(got)).toEqual(positions.map((p) => nll[p]));
    expect(got[2]).toBe(0); // an ignored target
    // and the rest of the outputs are the same graph's
    expect(asFloat32(b['hidden_resid'], 'hidden_resid')).toEqual(asFloat32(a['hidden_resid'], 'hidden_resid'));
    expect(asFloat32(b['stats_sum'], 'stats_sum')).toEqual(asFloat32(a['stats_sum'], 'stats_sum'));
  });

  test('needs hidden and is not combined with nll', () => {
    const model = loadModel(join(here, '..', 'fixtures', 'gpt2'));
    expect(() => buildGraph(model, { stats: true, positionNll: true })).toThrow('positionNll is the loss at the hidden positions; set hidden: true');
    expect(() => buildGraph(model, { hidden: true, positionNll: true, nll: true })).toThrow('positionNll and nll both read the input targets; choose one');
  });
});
