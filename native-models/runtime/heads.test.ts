// The capture and ablation heads: statistics and top-k reduced in the graph equal the same
// reductions on the host over the full activations; neuron edits equal the host forward with the
// same edit; the condition axis runs each condition as a separate batch would.

import { describe, expect, test } from 'vitest';
import { hook } from '../graph/builder.js';
import { randomIds, randomModel } from '../graph/test-support/random-model.js';
import { logSoftmaxRows, referenceForward, type ReferenceEdit } from '../graph/test-support/reference-forward.js';
import { maxAbsDiff, rows, testSpecs } from '../graph/test-support/specs.js';
import { asFloat32, asInt64, float32, type HostTensor, int64 } from './tensors.js';
import { testSessions } from '../graph/test-support/sessions.js';

const B = 3;
const T = 6;
const session = testSessions();

/** An edit with the given neurons set to scale 0 + shift `value` (value 0: zero ablation). */
function ablation(L: number, F: number, neurons: readonly [number, number][], value = 0): ReferenceEdit {
  const scale = new Float32Array(L * F).fill(1);
  const shift = new Float32Array(L * F);
  for (const [l, f] of neurons) {
    scale[l * F + f] = 0;
    shift[l * F + f] = value;
  }
  return { scale, shift };
}

function stackEdits(edits: readonly ReferenceEdit[], L: number, F: number): { scale: HostTensor; shift: HostTensor } {
  const scale = new Float32Array(edits.length * L * F);
  const shift = new Float32Array(edits.length * L * F);
  edits.forEach((e, c) => {
    scale.set(e.scale, c * L * F);
    shift.set(e.shift, c * L * F);
  });
  return { scale: float32(scale, [edits.length, L, F]), shift: float32(shift, [edits.length, L, F]) };
}

describe.each([
  ['gpt2', testSpecs.gpt2],
  ['llama', testSpecs.llama],
  ['opt', testSpecs.opt],
] as const)('%s-like spec', (name, spec) => {
  const { nLayers: L, dFf: F, dModel: D, vocabSize: V } = spec;
  const model = randomModel(spec, 11);
  const ids = randomIds(B, T, V, name.length);
  const feedIds = int64(ids, [B, T]);
  const allLayers = Array.from({ length: L }, (_, i) => i);

  test('stats equal host reductions over the full activations', async () => {
    const s = await session(model, { stats: true, taps: allLayers });
    const threshold = 0.05;
    const out = await s.run({ input_ids: feedIds, threshold: float32([threshold], []) });
    expect(Array.from(asInt64(out['stats_count'], 'count'), Number)).toEqual(allLayers.map(() => B * T));
    const sum = asFloat32(out['stats_sum'], 'sum');
    const sumsq = asFloat32(out['stats_sumsq'], 'sumsq');
    const min = asFloat32(out['stats_min'], 'min');
    const max = asFloat32(out['stats_max'], 'max');
    const fire = asInt64(out['stats_fire_count'], 'fire');
    expect(out['stats_sum']?.dims).toEqual([L, F]);
    for (const l of allLayers) {
      const post = asFloat32(out[hook.post(l)], 'post');
      for (let f = 0; f < F; f++) {
        const col = Array.from({ length: B * T }, (_, r) => post[r * F + f] as number);
        const i = l * F + f;
        expect(sum[i]).toBeCloseTo(col.reduce((a, v) => a + v, 0), 4);
        expect(sumsq[i]).toBeCloseTo(col.reduce((a, v) => a + v * v, 0), 4);
        expect(min[i]).toBe(Math.min(...col));
        expect(max[i]).toBe(Math.max(...col));
        expect(Number(fire[i])).toBe(col.filter((v) => v > threshold).length);
      }
    }
  });

  test('with a token mask, stats, moments and top-k count only the tokens marked 1', async () => {
    const k = 3;
    const s = await session(model, { stats: true, moments: true, tokenMask: true, topK: k, taps: allLayers });
    // padding at the end of row 1, the first two (repeated-context) tokens of row 2 left out
    const mask = Array.from({ length: B * T }, (_, r) => ((r >= T + 4 && r < 2 * T) || (r >= 2 * T && r < 2 * T + 2) ? 0 : 1));
    const counted = mask.flatMap((m, r) => (m ? [r] : []));
    const threshold = 0.05;
    const out = await s.run({ input_ids: feedIds, threshold: float32([threshold], []), token_mask: float32(mask, [B, T]) });
    expect(Array.from(asInt64(out['stats_count'], 'count'), Number)).toEqual(allLayers.map(() => counted.length));
    const get = (name: string) => asFloat32(out[name], name);
    const [sum, sumsq, min, max, sumAbs, sum3, sum4] = ['stats_sum', 'stats_sumsq', 'stats_min', 'stats_max', 'stats_sum_abs', 'stats_sum3', 'stats_sum4'].map(get);
    const fire = asInt64(out['stats_fire_count'], 'fire');
    const values = get('topk_values');
    const indices = asInt64(out['topk_indices'], 'indices');
    for (const l of allLayers) {
      const post = asFloat32(out[hook.post(l)], 'post');
      for (let f = 0; f < F; f++) {
        const col = counted.map((r) => post[r * F + f] as number);
        const total = (g: (v: number) => number) => col.reduce((a, v) => a + g(v), 0);
        const i = l * F + f;
        expect(sum![i]).toBeCloseTo(total((v) => v), 4);
        expect(sumsq![i]).toBeCloseTo(total((v) => v * v), 4);
        expect(sumAbs![i]).toBeCloseTo(total((v) => Math.abs(v)), 4);
        expect(sum3![i]).toBeCloseTo(total((v) => v ** 3), 3);
        expect(sum4![i]).toBeCloseTo(total((v) => v ** 4), 3);
        expect(min![i]).toBe(Math.min(...col));
        expect(max![i]).toBe(Math.max(...col));
        expect(Number(fire[i])).toBe(col.filter((v) => v > threshold).length);
        const want = [...col].sort((a, b) => b - a).slice(0, k);
        for (let j = 0; j < k; j++) {
          const at = (l * k + j) * F + f;
          expect(values![at]).toBe(want[j]);
          expect(mask[Number(indices[at])]).toBe(1);
        }
      }
      // per counted token, how many of the layer's neurons fired
      const active = asInt64(out['stats_active_count'], 'active');
      expect(out['stats_active_count']?.dims).toEqual([L, counted.length]);
      counted.forEach((r, j) => {
        let fired = 0;
        for (let f = 0; f < F; f++) if ((post[r * F + f] as number) > threshold) fired++;
        expect(Number(active[l * counted.length + j])).toBe(fired);
      });
    }
  });

  test('top-k per neuron matches host top-k over tokens', async () => {
    const k = 4;
    const s = await session(model, { topK: k, taps: allLayers });
    const out = await s.run({ input_ids: feedIds });
    const values = asFloat32(out['topk_values'], 'values');
    const indices = asInt64(out['topk_indices'], 'indices');
    expect(out['topk_values']?.dims).toEqual([L, k, F]);
    for (const l of allLayers) {
      const post = asFloat32(out[hook.post(l)], 'post');
      for (let f = 0; f < F; f++) {
        const col = Array.from({ length: B * T }, (_, r) => post[r * F + f] as number);
        const want = [...col].sort((a, b) => b - a).slice(0, k);
        for (let j = 0; j < k; j++) {
          const at = (l * k + j) * F + f;
          expect(values[at]).toBe(want[j]);
          // ties (relu zeros) may pick any of the equal tokens: check the position holds the value
          expect(col[Number(indices[at])]).toBe(values[at]);
        }
      }
    }
  });

  test('top-k is capped at the number of tokens', async () => {
    const s = await session(model, { topK: 100 });
    const out = await s.run({ input_ids: feedIds });
    expect(out['topk_values']?.dims).toEqual([L, B * T, F]);
  });

  test('zero and mean ablation via scale/shift equal the host forward with those neurons edited', async () => {
    const s = await session(model, { conditions: true, logits: 'all' });
    for (const value of [0, 0.37]) {
      const edit = ablation(L, F, [[0, 1], [0, 5], [L - 1, 3]], value);
      const { scale, shift } = stackEdits([edit], L, F);
      const out = await s.run({ input_ids: feedIds, scale, shift });
      const ref = referenceForward(model, ids, B, T, edit);
      expect(maxAbsDiff(asFloat32(out['logits'], 'logits'), ref.logits)).toBeLessThan(1e-4);
    }
  });

  test('condition axis: C=3 gives per-condition results equal to separate runs', async () => {
    const s = await session(model, { conditions: true, logits: 'all', nll: true, kl: true, top1: true });
    const edits = [ablation(L, F, []), ablation(L, F, [[0, 2]]), ablation(L, F, [[L - 1, 0], [L - 1, 7]], 1.5)];
    const { scale, shift } = stackEdits(edits, L, F);
    const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
    const out = await s.run({ input_ids: feedIds, scale, shift, targets: int64(targets, [B, T]) });
    expect(out['logits']?.dims).toEqual([3 * B, T, V]);
    const logits = asFloat32(out['logits'], 'logits');
    const nll = asFloat32(out['nll'], 'nll');
    const kl = asFloat32(out['kl'], 'kl');
    const top1 = asInt64(out['top1'], 'top1');
    const refs = edits.map((e) => referenceForward(model, ids, B, T, e));
    const lp0 = logSoftmaxRows((refs[0] as { logits: Float64Array }).logits, V);
    refs.forEach((ref, c) => {
      expect(maxAbsDiff(rows(logits, c * B * T, (c + 1) * B * T, V), ref.logits)).toBeLessThan(1e-4);
      const lp = logSoftmaxRows(ref.logits, V);
      const wantNll = targets.map((t, i) => (t < 0 ? 0 : -(lp[i * V + t] as number)));
      expect(maxAbsDiff(rows(nll, c * B, (c + 1) * B, T), wantNll)).toBeLessThan(1e-4);
      const wantKl = Array.from({ length: B * T }, (_, i) => {
        let k = 0;
        for (let v = 0; v < V; v++) k += Math.exp(lp0[i * V + v] as number) * ((lp0[i * V + v] as number) - (lp[i * V + v] as number));
        return k;
      });
      expect(maxAbsDiff(rows(kl, c * B, (c + 1) * B, T), wantKl)).toBeLessThan(1e-5);
      const wantTop1 = Array.from({ length: B * T }, (_, i) => {
        let best = 0;
        for (let v = 1; v < V; v++) if ((ref.logits[i * V + v] as number) > (ref.logits[i * V + best] as number)) best = v;
        return best;
      });
      expect(Array.from(top1.subarray(c * B * T, (c + 1) * B * T), Number)).toEqual(wantTop1);
    });
  });

  test('KL between identical conditions is 0; shift broadcasts from one condition', async () => {
    const s = await session(model, { conditions: true, kl: true });
    const scale = float32(new Float32Array(2 * L * F).fill(1), [2, L, F]);
    const shift = float32(new Float32Array(L * F), [1, L, F]);
    const out = await s.run({ input_ids: feedIds, scale, shift });
    expect(out['kl']?.dims).toEqual([2 * B, T]);
    expect(maxAbsDiff(asFloat32(out['kl'], 'kl'), new Float32Array(2 * B * T))).toBeLessThan(1e-6);
  });

  test('resample: masked neurons take a value per token; a constant value per token equals the shift edit', async () => {
    const s = await session(model, { conditions: true, resample: true, logits: 'all', taps: allLayers });
    const masked: [number, number][] = [[0, 3], [L - 1, 1]];
    const scale = new Float32Array(2 * L * F).fill(1);
    const mask = new Float32Array(2 * L * F);
    for (const [l, f] of masked) {
      scale[L * F + l * F + f] = 0;
      mask[L * F + l * F + f] = 1;
    }
    // a different value at every token and neuron
    const perToken = Float32Array.from({ length: B * T * L * F }, (_, i) => Math.sin(i * 0.37) * 3);
    const feeds = (tokenShift: Float32Array) => ({
      input_ids: feedIds,
      scale: float32(scale, [2, L, F]),
      shift: float32(new Float32Array(L * F), [1, L, F]),
      resample_mask: float32(mask, [2, L, F]),
      token_shift: float32(tokenShift, [B * T, L, F]),
    });
    const out = await s.run(feeds(perToken));
    const intact = referenceForward(model, ids, B, T);
    for (const l of allLayers) {
      const post = asFloat32(out[hook.post(l)], 'post');
      for (let r = 0; r < B * T; r++) {
        for (let f = 0; f < F; f++) {
          const isMasked = masked.some(([ml, mf]) => ml === l && mf === f);
          // condition 0 (mask 0) is untouched; condition 1 takes token_shift where masked
          expect(post[r * F + f]).toBeCloseTo((intact.post[l] as Float64Array)[r * F + f] as number, 4);
          if (isMasked) expect(post[(B * T + r) * F + f]).toBeCloseTo(perToken[(r * L + l) * F + f] as number, 5);
        }
      }
    }
    // the same value v at every token: the same as replacing by v with the shift edit
    const v = 0.75;
    const constant = new Float32Array(B * T * L * F).fill(v);
    const viaResample = asFloat32((await s.run(feeds(constant)))['logits'], 'logits');
    const ref = referenceForward(model, ids, B, T, ablation(L, F, masked, v));
    expect(maxAbsDiff(rows(viaResample, B * T, 2 * B * T, V), ref.logits)).toBeLessThan(1e-4);
  });

  test('stats and top-k read condition 0 only', async () => {
    const s = await session(model, { conditions: true, stats: true, topK: 2, taps: [0] });
    const edits = [ablation(L, F, []), ablation(L, F, allLayers.flatMap((l) => [[l, 0] as [number, number]]), 100)];
    const { scale, shift } = stackEdits(edits, L, F);
    const out = await s.run({ input_ids: feedIds, scale, shift, threshold: float32([0], []) });
    const ref = referenceForward(model, ids, B, T);
    const max0 = Math.max(...Array.from({ length: B * T }, (_, r) => (ref.post[0] as Float64Array)[r * F] as number));
    expect(asFloat32(out['stats_max'], 'max')[0]).toBeCloseTo(max0, 4);
    expect(asFloat32(out['topk_values'], 'topk')[0]).toBeCloseTo(max0, 4);
    expect(out[hook.post(0)]?.dims).toEqual([2 * B, T, F]);
  });

  test('residual top-k by magnitude: the largest |resid_post| per dim over condition 0\'s counted tokens, with signed values', async () => {
    const k = 2;
    const s = await session(model, { conditions: true, tokenMask: true, residTopK: k, taps: allLayers });
    // condition 1 moves every neuron a lot: it must not show in the residual maxima of condition 0
    const edits = [ablation(L, F, []), ablation(L, F, allLayers.flatMap((l) => Array.from({ length: F }, (_, f) => [l, f] as [number, number])), 50)];
    const { scale, shift } = stackEdits(edits, L, F);
    const mask = Array.from({ length: B * T }, (_, r) => (r === 1 || r === T + 3 ? 0 : 1));
    const out = await s.run({ input_ids: feedIds, scale, shift, token_mask: float32(mask, [B, T]) });
    expect(out['resid_topk_abs']?.dims).toEqual([L, k, D]);
    const abs = asFloat32(out['resid_topk_abs'], 'abs');
    const values = asFloat32(out['resid_topk_values'], 'values');
    const indices = asInt64(out['resid_topk_indices'], 'indices');
    for (const l of allLayers) {
      const resid = asFloat32(out[hook.residPost(l)], 'resid'); // [2B, T, D]: condition 0 first
      for (let d = 0; d < D; d++) {
        const col = Array.from({ length: B * T }, (_, r) => (mask[r] ? Math.abs(resid[r * D + d] as number) : -Infinity));
        const want = [...col].sort((a, b) => b - a).slice(0, k);
        for (let j = 0; j < k; j++) {
          const at = (l * k + j) * D + d;
          const r = Number(indices[at]);
          expect(abs[at]).toBe(want[j]);
          expect(mask[r]).toBe(1);
          expect(values[at]).toBe(resid[r * D + d]);
        }
      }
    }
  });

  test('hidden samples at flat positions equal the taps there', async () => {
    const s = await session(model, { hidden: true, taps: allLayers });
    const positions = [0, 4, T + 1, B * T - 1];
    const out = await s.run({ input_ids: feedIds, positions: int64(positions, [positions.length]) });
    const P = positions.length;
    expect(out['hidden_resid']?.dims).toEqual([L, P, D]);
    expect(out['hidden_post']?.dims).toEqual([L, P, F]);
    const hr = asFloat32(out['hidden_resid'], 'hr');
    const hp = asFloat32(out['hidden_post'], 'hp');
    for (const l of allLayers) {
      const resid = asFloat32(out[hook.residPost(l)], 'resid');
      const post = asFloat32(out[hook.post(l)], 'post');
      positions.forEach((pos, p) => {
        expect(Array.from(rows(hr, l * P + p, l * P + p + 1, D))).toEqual(Array.from(rows(resid, pos, pos + 1, D)));
        expect(Array.from(rows(hp, l * P + p, l * P + p + 1, F))).toEqual(Array.from(rows(post, pos, pos + 1, F)));
      });
    }
  });
});
