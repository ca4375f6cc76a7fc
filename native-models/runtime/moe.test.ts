// Mixture-of-experts in the instrumented graph against the independent PyTorch reference
// (native-models/fixtures/make_moe.py): the router outputs of every layer (probabilities, chosen
// experts, weights) and the whole-expert ablations (unrouted, zeroed), each as its own condition
// of one run; and a single-weight edit of W_out inside an expert equals the edited checkpoint.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Golden } from '../architectures/testing.js';
import { maxAbsDiff, rows } from '../graph/test-support/specs.js';
import { loadModel } from '../load.js';
import { type LoadedModel, W } from '../spec.js';
import { FfnSession } from './session.js';
import { asFloat32, asInt64, float32, int64 } from './tensors.js';

const ATOL = 1e-4;
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const MOE = ['mixtral', 'olmoe', 'qwen2-moe', 'qwen3-moe'];

const sessions: FfnSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

function fixture(name: string): { g: Golden; model: LoadedModel } {
  const g = JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
  return { g, model: loadModel(join(FIXTURES, name, g.checkpoint)) };
}

describe('mixture-of-experts graph', () => {
  test.each(MOE)('%s: router outputs and whole-expert ablations match the reference', async (name) => {
    const { g, model } = fixture(name);
    const { nLayers: L, dFf: F, vocabSize: V } = model.spec;
    const moe = model.spec.moe;
    if (!moe) throw new Error(`${name} is not a mixture-of-experts fixture`);
    const { experts: E, topK: k } = moe;
    const [B, T] = g.input_ids.shape as [number, number];
    const cases = g.expert_ablation ?? [];
    expect(cases.map((c) => c.mode)).toEqual(['unrouted', 'zeroed', 'unrouted']);
    const C = 1 + cases.length;
    // condition 0 intact; condition 1 + j is expert ablation j
    const unrouted = new Float32Array(C * L * E);
    const scale = new Float32Array(C * L * E).fill(1);
    cases.forEach((c, j) => {
      for (const x of c.experts) (c.mode === 'unrouted' ? unrouted : scale)[(1 + j) * L * E + x.layer * E + x.expert] = c.mode === 'unrouted' ? 1 : 0;
    });
    const s = await FfnSession.create(model, { conditions: true, expertEdits: true, logits: 'all', router: true }, { threads: 1 });
    sessions.push(s);
    const out = await s.run({
      input_ids: int64(g.input_ids.data, [B, T]),
      scale: float32(new Float32Array(L * F).fill(1), [1, L, F]),
      shift: float32(new Float32Array(L * F), [1, L, F]),
      expert_unrouted: float32(unrouted, [C, L, E]),
      expert_scale: float32(scale, [C, L, E]),
    });
    const logits = asFloat32(out['logits'], 'logits');
    const probs = asFloat32(out['router_probs'], 'router_probs');
    const experts = asInt64(out['router_experts'], 'router_experts');
    const weights = asFloat32(out['router_weights'], 'router_weights');
    const N = C * B * T;
    expect(out['router_probs']?.dims).toEqual([L, N, E]);
    expect(out['router_experts']?.dims).toEqual([L, N, k]);

    const errors: Record<string, number> = { logits: maxAbsDiff(rows(logits, 0, B * T, V), g.logits.data) };
    for (const [layer, want] of Object.entries(g.router ?? {})) {
      const l = Number(layer);
      errors[`router_probs.${l}`] = maxAbsDiff(probs.subarray(l * N * E, l * N * E + B * T * E), want.probs.data);
      errors[`router_weights.${l}`] = maxAbsDiff(weights.subarray(l * N * k, l * N * k + B * T * k), want.weights.data);
      expect(Array.from(experts.subarray(l * N * k, l * N * k + B * T * k), Number), `chosen experts of layer ${l}`).toEqual(want.experts.data);
    }
    expect(Object.keys(g.router ?? {})).toHaveLength(L);
    cases.forEach((c, j) => {
      errors[`${c.mode} ${JSON.stringify(c.experts)}`] = maxAbsDiff(rows(logits, (1 + j) * B * T, (2 + j) * B * T, V), c.logits.data);
      // an unrouted expert is never chosen in its condition's rows
      if (c.mode === 'unrouted') {
        for (const x of c.experts) {
          const base = x.layer * N * k + (1 + j) * B * T * k;
          expect(Array.from(experts.subarray(base, base + B * T * k), Number)).not.toContain(x.expert);
        }
      }
    });
    const over = Object.entries(errors).filter(([, e]) => !(e <= ATOL));
    expect(over, `max abs errors: ${JSON.stringify(errors)}`).toEqual([]);
  });

  test.each(['mixtral', 'qwen2-moe'])('%s: unit statistics and top tokens count only the tokens routed to the unit\'s expert', async (name) => {
    const { g, model } = fixture(name);
    const { nLayers: L, dFf: F } = model.spec;
    const moe = model.spec.moe;
    if (!moe) throw new Error(`${name} is not a mixture-of-experts fixture`);
    const { experts: E, expertFf: ff, topK: k } = moe;
    const [B, T] = g.input_ids.shape as [number, number];
    const N = B * T;
    // the last token of each sequence is not counted (token mask), as a capture's overlap would
    const tokenMask: number[] = Array.from({ length: N }, (_, r) => ((r + 1) % T === 0 ? 0 : 1));
    const s = await FfnSession.create(model, { stats: true, topK: 4, tokenMask: true }, { threads: 1 });
    sessions.push(s);
    const out = await s.run({ input_ids: int64(g.input_ids.data, [B, T]), threshold: float32([0], []), token_mask: float32(tokenMask, [B, T]) });
    const unitCount = Array.from(asInt64(out['stats_unit_count'], 'stats_unit_count'), Number);
    const sum = asFloat32(out['stats_sum'], 'stats_sum');
    const max = asFloat32(out['stats_max'], 'stats_max');
    const fire = Array.from(asInt64(out['stats_fire_count'], 'stats_fire_count'), Number);
    const active = Array.from(asInt64(out['stats_active_count'], 'stats_active_count'), Number);
    const topIdx = Array.from(asInt64(out['topk_indices'], 'topk_indices'), Number);
    const counted = tokenMask.reduce((a, b) => a + b, 0);
    expect(Array.from(asInt64(out['stats_count'], 'stats_count'), Number)).toEqual(Array.from({ length: L }, () => counted));
    for (let l = 0; l < L; l++) {
      const post = g.activations[String(l)]?.data ?? [];
      const chosen = g.router?.[String(l)]?.experts.data ?? [];
      const routed = (r: number, f: number): boolean => tokenMask[r] === 1 && (f >= E * ff || chosen.slice(r * k, (r + 1) * k).includes(Math.floor(f / ff)));
      const want = { count: [] as number[], sum: [] as number[], max: [] as number[], fire: [] as number[] };
      for (let f = 0; f < F; f++) {
        const rows = Array.from({ length: N }, (_, r) => r).filter((r) => routed(r, f));
        want.count.push(rows.length);
        want.sum.push(rows.reduce((a, r) => a + (post[r * F + f] as number), 0));
        want.max.push(rows.length ? Math.max(...rows.map((r) => post[r * F + f] as number)) : -Infinity);
        want.fire.push(rows.filter((r) => (post[r * F + f] as number) > 0).length);
        // every top token of a unit is one routed to its expert
        const tops = Array.from({ length: 4 }, (_, j) => topIdx[(l * 4 + j) * F + f] as number);
        for (const r of tops.slice(0, Math.min(4, rows.length))) expect(routed(r, f), `layer ${l} unit ${f} top token ${r}`).toBe(true);
      }
      expect(unitCount.slice(l * F, (l + 1) * F)).toEqual(want.count);
      // each counted token is routed to k experts: the units of expert j count its tokens
      expect(Array.from({ length: E }, (_, j) => want.count[j * ff] as number).reduce((a, b) => a + b, 0)).toBe(k * counted);
      expect(maxAbsDiff(sum.subarray(l * F, (l + 1) * F), want.sum)).toBeLessThan(1e-3);
      expect(maxAbsDiff(max.subarray(l * F, (l + 1) * F), want.max)).toBeLessThan(ATOL);
      expect(fire.slice(l * F, (l + 1) * F)).toEqual(want.fire);
      // the active count per counted token is over routed units only
      const perToken = Array.from({ length: N }, (_, r) => r)
        .filter((r) => tokenMask[r] === 1)
        .map((r) => Array.from({ length: F }, (_, f) => f).filter((f) => routed(r, f) && (post[r * F + f] as number) > 0).length);
      expect(active.slice(l * counted, (l + 1) * counted)).toEqual(perToken);
    }
  });

  test('qwen2-moe: sampled hidden states hold a unit\'s value where its expert is routed, 0 elsewhere (shared units always)', async () => {
    const { g, model } = fixture('qwen2-moe');
    const { nLayers: L, dFf: F } = model.spec;
    const { experts: E, expertFf: ff, topK: k } = model.spec.moe ?? { experts: 0, expertFf: 0, topK: 0 };
    const [B, T] = g.input_ids.shape as [number, number];
    const positions = [0, 5, 9, 15];
    const s = await FfnSession.create(model, { hidden: true }, { threads: 1 });
    sessions.push(s);
    const out = await s.run({ input_ids: int64(g.input_ids.data, [B, T]), positions: int64(positions, [positions.length]) });
    const got = asFloat32(out['hidden_post'], 'hidden_post');
    for (let l = 0; l < L; l++) {
      const post = g.activations[String(l)]?.data ?? [];
      const chosen = g.router?.[String(l)]?.experts.data ?? [];
      const want = positions.flatMap((r) => Array.from({ length: F }, (_, f) => (f >= E * ff || chosen.slice(r * k, (r + 1) * k).includes(Math.floor(f / ff)) ? (post[r * F + f] as number) : 0)));
      expect(maxAbsDiff(got.subarray(l * positions.length * F, (l + 1) * positions.length * F), want)).toBeLessThan(ATOL);
    }
  });

  test('mixtral: a single-weight edit of W_out inside an expert equals the edited checkpoint', async () => {
    const { g, model } = fixture('mixtral');
    const { nLayers: L, dFf: F, dModel: D, vocabSize: V } = model.spec;
    const ff = model.spec.moe?.expertFf ?? 0;
    const [B, T] = g.input_ids.shape as [number, number];
    const layer = 1;
    const neuron = 2 * ff + 7; // expert 2, unit 7
    const dim = 5;
    const out = model.weight(W.layer(layer).mlpOut);
    const wanted = 3 * (out.data[dim * F + neuron] as number) + 0.5;
    const delta = new Float32Array(L * D);
    delta[layer * D + dim] = wanted - (out.data[dim * F + neuron] as number);
    const ids = int64(g.input_ids.data, [B, T]);
    const edited = await FfnSession.create(model, { conditions: true, weightEdits: true, logits: 'all' }, { threads: 1 });
    sessions.push(edited);
    const a = await edited.run({
      input_ids: ids,
      scale: float32(new Float32Array(L * F).fill(1), [1, L, F]),
      shift: float32(new Float32Array(L * F), [1, L, F]),
      wedit_neuron: int64(Array.from({ length: L }, () => neuron), [1, L, 1]),
      wedit_delta: float32(delta, [1, L, 1, D]),
    });
    const data = out.data.slice();
    data[dim * F + neuron] = wanted;
    const changed: LoadedModel = { ...model, weight: (n) => (n === W.layer(layer).mlpOut ? { shape: out.shape, data } : model.weight(n)) };
    const plain = await FfnSession.create(changed, { logits: 'all' }, { threads: 1 });
    sessions.push(plain);
    const b = await plain.run({ input_ids: ids });
    const la = asFloat32(a['logits'], 'logits');
    const lb = asFloat32(b['logits'], 'logits');
    expect(maxAbsDiff(la, lb)).toBeLessThan(ATOL);
    // and the edit is visible against the intact model
    expect(maxAbsDiff(rows(la, 0, B * T, V), g.logits.data)).toBeGreaterThan(1e-3);
  });
});
