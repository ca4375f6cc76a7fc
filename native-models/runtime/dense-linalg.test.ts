// The Gram product computed as panels on and above the diagonal, mirrored in JS, against X^T X in
// float64, for widths with one panel and with uneven panels, from float32 rows and float16 bits;
// with the column sums and the sum of squares the same run gives.
import { afterAll, describe, expect, it } from 'vitest';
import { fromHalf, toHalf } from '../../common/half.js';
import { gaussian, prng } from '../../common/prng.js';
import { BlockProducts, panelCuts } from './dense-linalg.js';

describe('panelCuts', () => {
  it('keeps narrow rows in one panel and cuts wide ones into four, the last one shorter', () => {
    expect(panelCuts(300)).toEqual([0, 300]);
    expect(panelCuts(768)).toEqual([0, 192, 384, 576, 768]);
    expect(panelCuts(600)).toEqual([0, 160, 320, 480, 600]);
  });
});

describe('BlockProducts.gram', () => {
  const made: BlockProducts[] = [];
  afterAll(async () => {
    for (const p of made) await p.release();
  });

  for (const [d, rows, half] of [[300, 500, false], [600, 700, false], [600, 700, true]] as const) {
    it(`equals the shifted X^T X for ${rows} rows of ${d}${half ? ' (float16 bits)' : ''}`, async () => {
      const g = gaussian(prng(d + rows));
      const raw = Float32Array.from({ length: rows * d }, () => 3 + g());
      const x = half ? Uint16Array.from(raw, toHalf) : raw;
      const seen = half ? Float32Array.from(x as Uint16Array, fromHalf) : raw; // the values the graph sees
      const shift = Float32Array.from({ length: d }, (_, j) => 3 + 0.01 * j);
      const products = new BlockProducts(d, { threads: 2 });
      made.push(products);
      const got = await products.gram(x, shift);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += ((seen[r * d + i] as number) - (shift[i] as number)) * ((seen[r * d + j] as number) - (shift[j] as number));
          worst = Math.max(worst, Math.abs((got.gram[i * d + j] as number) - s));
          scale = Math.max(scale, Math.abs(s));
        }
      }
      expect(worst / scale).toBeLessThan(1e-5);
      // the column sums, and the sum of squares (taken from the Gram's trace)
      let squares = 0;
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) {
          const v = (seen[r * d + j] as number) - (shift[j] as number);
          sum += v;
          squares += v * v;
        }
        expect(got.sums[j]).toBeCloseTo(sum, 1);
      }
      expect(Math.abs(got.squares / squares - 1)).toBeLessThan(1e-5);
      // exactly symmetric: the mirror is copied, not recomputed
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(got.gram[i * d + j]).toBe(got.gram[j * d + i]);
    });
  }
});
