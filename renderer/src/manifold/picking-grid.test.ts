// The lasso through the screen grid gives exactly inPolygon's answer: random clouds (clustered,
// with points on cell borders and off the view), concave, self-intersecting and tiny polygons,
// and one reaching outside the view (the fallback).
import { describe, expect, it } from 'vitest';
import { buildGrid, inPolygon, inPolygonGrid } from './picking';
import { prng } from '../../../common/prng';

describe('inPolygonGrid', () => {
  it('selects the same points as inPolygon, in ascending order', () => {
    const r = prng(7);
    const [w, h] = [640, 480];
    const n = 20_000;
    const screen = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      // a third on the grid's lines, a few off the view or NaN (behind the camera)
      const onLine = i % 3 === 0;
      screen[i * 2] = onLine ? 8 * Math.floor(r() * 80) : r() * (w + 40) - 20;
      screen[i * 2 + 1] = onLine ? 8 * Math.floor(r() * 60) : r() * (h + 40) - 20;
      if (i % 997 === 0) screen[i * 2] = NaN;
    }
    const grid = buildGrid(screen, w, h);
    const star = Array.from({ length: 40 }, (_, k) => {
      const t = (k / 40) * 2 * Math.PI;
      const rad = k % 2 ? 60 : 200;
      return { x: 320 + rad * Math.cos(t), y: 240 + rad * Math.sin(t) };
    });
    const bowtie = [{ x: 100, y: 100 }, { x: 500, y: 400 }, { x: 500, y: 100 }, { x: 100, y: 400 }];
    const tiny = [{ x: 16, y: 16 }, { x: 24, y: 16 }, { x: 20, y: 23.5 }];
    const onLines = [{ x: 8, y: 8 }, { x: 400, y: 8 }, { x: 400, y: 320 }, { x: 8, y: 320 }];
    const random = Array.from({ length: 30 }, () => ({ x: r() * (w - 1), y: r() * (h - 1) }));
    const outside = [{ x: -50, y: -50 }, { x: 300, y: 10 }, { x: 200, y: 300 }];
    for (const polygon of [star, bowtie, tiny, onLines, random, outside]) {
      const want = inPolygon(screen, polygon);
      expect(inPolygonGrid(grid, polygon)).toEqual(want);
    }
    expect(inPolygon(screen, star).length).toBeGreaterThan(1000);
    expect(inPolygonGrid(grid, star.slice(0, 2))).toEqual([]);
  });
});
