// The residual lens' maths on hand-computed cases: both norms, the soft cap, top tokens and the
// target's rank (the LayerNorm path is also checked against PyTorch in electron/patching/lens.test.ts).
import { describe, expect, it } from 'vitest';
import { applyNorm, lensCell } from './residual-lens.js';

describe('residual lens', () => {
  it('RMSNorm divides by the root mean square; LayerNorm centres first and adds its bias', () => {
    const rms = applyNorm([3, 4], { kind: 'rmsnorm', eps: 0, weight: [1, 2] });
    const r = Math.sqrt((9 + 16) / 2);
    expect(rms[0]).toBeCloseTo(3 / r, 12);
    expect(rms[1]).toBeCloseTo((2 * 4) / r, 12);
    const ln = applyNorm([1, 3], { kind: 'layernorm', eps: 0, weight: [1, 1], bias: [0.5, 0] });
    expect(Array.from(ln)).toEqual([-0.5, 1]);
    expect(() => applyNorm([1, 2, 3], { kind: 'rmsnorm', eps: 0, weight: [1, 1] })).toThrow(/2 weights, the residual stream 3 dimensions/);
  });

  it('top tokens by logit (ties: lower id first), probabilities over the vocabulary, the target rank', () => {
    // D = 2, RMSNorm with weight 1: h = x / rms(x); x = [1, 1] -> h = [1, 1]; logits = U h
    const U = { data: Float32Array.from([1, 0, 0, 2, 1, 1, 0, 0]), shape: [4, 2] };
    const cell = lensCell([1, 1], { kind: 'rmsnorm', eps: 0, weight: [1, 1] }, U, 3, 0);
    expect(cell.top.map((t) => t.token)).toEqual([1, 2, 0]); // logits 1, 2, 2, 0
    const z = Math.exp(1) + 2 * Math.exp(2) + 1;
    expect(cell.top[0]!.prob).toBeCloseTo(Math.exp(2) / z, 12);
    expect(cell.target).toMatchObject({ token: 0, rank: 3, logit: 1 });
    // Gemma 2's final soft cap: cap * tanh(logit / cap)
    const capped = lensCell([1, 1], { kind: 'rmsnorm', eps: 0, weight: [1, 1] }, U, 1, undefined, 1);
    expect(capped.top[0]!.logit).toBeCloseTo(Math.tanh(2), 12);
    expect(() => lensCell([1, 1], { kind: 'rmsnorm', eps: 0, weight: [1, 1] }, U, 1, 4)).toThrow(/target token 4 is outside the vocabulary 0..3/);
  });
});
