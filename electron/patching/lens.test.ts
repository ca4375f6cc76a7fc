// The residual-stream logit lens against the PyTorch reference (native-models/fixtures/
// make_patching.py: ln_f and the tied unembedding applied to each block's output): top tokens and
// their logits at every layer and position, and the target's logit and rank.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../native-models/load.js';
import { runResidualLens } from './lens.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native-models', 'fixtures', 'patching');
const golden = JSON.parse(readFileSync(path.join(dir, 'patching.json'), 'utf8')) as {
  tolerance: { atol: number; rtol: number };
  lens: { ids: number[]; target: number; top: number; layers: { top: number[]; logits: number[]; target_logit: number; target_rank: number }[][] };
};
const { atol, rtol } = golden.tolerance;
const close = (actual: number | undefined, expected: number, what: string) => {
  if (actual === undefined || Math.abs(actual - expected) > atol + rtol * Math.abs(expected)) expect.fail(`${what}: ${actual} differs from the PyTorch reference ${expected}`);
};

describe('residual logit lens', () => {
  it('equals the PyTorch reference at every layer and position', async () => {
    const { lens } = golden;
    const run = await runResidualLens(loadModel(dir), lens.ids, { top: lens.top, target: lens.target });
    expect(run.layers).toHaveLength(lens.layers.length);
    for (const [l, row] of lens.layers.entries()) {
      for (const [t, ref] of row.entries()) {
        const cell = run.layers[l]?.[t];
        expect(cell?.top.map((x) => x.token), `top tokens, layer ${l} position ${t}`).toEqual(ref.top);
        ref.logits.forEach((v, i) => close(cell?.top[i]?.logit, v, `logit ${i + 1}, layer ${l} position ${t}`));
        close(cell?.target?.logit, ref.target_logit, `target logit, layer ${l} position ${t}`);
        expect(cell?.target?.rank, `target rank, layer ${l} position ${t}`).toBe(ref.target_rank);
      }
    }
  }, 120_000);
});
