import { describe, expect, it } from 'vitest';
import { categoricalColouring, colouringOf, continuousColouring, expertValues, quantile } from './colouring';
import { colormap, hexToRgb, rgbToHex } from './palette';
import { buildGrid, inBox, inPolygon, nearest, normalizeLayer, projectToScreen } from './picking';

describe('colour maps and colourings', () => {
  it('colours by the top-1 expert of a layer as categories, null where not stored', () => {
    const top = [
      [0, 3, null],
      [2, 2, 1],
    ];
    expect(expertValues(top, 0, 3)).toEqual(['expert 0', 'expert 3', null]);
    expect(expertValues(top, 1, 3)).toEqual(['expert 2', 'expert 2', 'expert 1']);
    expect(expertValues(null, 1, 2)).toEqual([null, null]);
    const c = colouringOf('top-1 expert, layer 1', expertValues(top, 1, 3));
    expect(c.legend).toMatchObject({ kind: 'categorical', entries: [{ label: 'expert 2', count: 2 }, { label: 'expert 1', count: 1 }] });
  });

  it('runs viridis from dark purple to yellow, clamped, grey for NaN', () => {
    expect(rgbToHex(colormap('viridis', 0))).toBe('#440154');
    expect(rgbToHex(colormap('viridis', 1))).toBe('#fde725');
    expect(colormap('viridis', 2)).toEqual(colormap('viridis', 1));
    expect(rgbToHex(colormap('cividis', NaN))).toBe('#9a9a9a');
  });

  it('gives categories colours by frequency and folds the rest into "other"', () => {
    const values = ['a', 'b', 'b', 'c', 'c', 'c', null];
    const c = categoricalColouring('genre', values, 2);
    expect(c.legend).toMatchObject({ kind: 'categorical', entries: [{ label: 'c', count: 3 }, { label: 'b', count: 2 }, { label: 'other (1 more)', count: 2 }] });
    const entries = c.legend.kind === 'categorical' ? c.legend.entries : [];
    expect(Array.from(c.colors.subarray(3 * 3, 3 * 3 + 3))).toEqual(Array.from(new Float32Array(hexToRgb(entries[0]!.color))));
  });

  it('maps numbers between the 1st and 99th percentiles and counts the missing', () => {
    const values = [...Array.from({ length: 99 }, (_, i) => i), 10_000, null];
    const c = continuousColouring('loss', values);
    expect(c.legend.kind).toBe('continuous');
    if (c.legend.kind !== 'continuous') return;
    expect(c.legend.min).toBeCloseTo(quantile(values.filter((v): v is number => typeof v === 'number'), 0.01), 9);
    expect(c.legend.max).toBeLessThan(10_000);
    expect(c.legend.missing).toBe(1);
    expect(colouringOf('x', ['a', 1]).legend.kind).toBe('categorical');
    expect(colouringOf('x', [1, null, 2]).legend.kind).toBe('continuous');
  });
});

describe('screen-space picking', () => {
  // an orthographic-like identity transform: clip x,y in [-1, 1] map to the screen
  const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const pts = Float32Array.from([0, 0, 0, 0.5, 0.5, 0, -0.9, -0.9, 0, 0, 0, 5]);

  it('projects to pixels with y down, and drops points outside the depth range', () => {
    const s = projectToScreen(pts, 4, identity, 200, 100);
    [100, 50, 150, 25, 10, 95].forEach((v, i) => expect(s[i]!).toBeCloseTo(v, 3));
    expect(Number.isNaN(s[6]!)).toBe(true);
  });

  it('finds the nearest point within the radius through the grid, and none too far away', () => {
    const s = projectToScreen(pts, 4, identity, 200, 100);
    const g = buildGrid(s, 200, 100, 8);
    expect(nearest(g, 148, 27)).toBe(1);
    expect(nearest(g, 103, 52)).toBe(0);
    expect(nearest(g, 60, 60)).toBe(-1);
    expect(inBox(s, 160, 0, 90, 60)).toEqual([0, 1]);
  });

  it('agrees with a brute-force search on many random points', () => {
    const n = 5000;
    const p = Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === 2 ? 0 : Math.sin(i * 12.9898) * 0.999));
    const s = projectToScreen(p, n, identity, 640, 480);
    const g = buildGrid(s, 640, 480);
    for (let t = 0; t < 50; t++) {
      const x = (t * 97) % 640;
      const y = (t * 53) % 480;
      let best = -1;
      let bestD = 64;
      for (let i = 0; i < n; i++) {
        const d = (s[i * 2]! - x) ** 2 + (s[i * 2 + 1]! - y) ** 2;
        if (d <= bestD) [best, bestD] = [i, d];
      }
      const got = nearest(g, x, y);
      expect(got === -1 ? -1 : (s[got * 2]! - x) ** 2 + (s[got * 2 + 1]! - y) ** 2).toBe(best === -1 ? -1 : bestD);
    }
  });

  it('normalizes a layer to unit RMS radius and moves the ablated points with the same transform', () => {
    const { intact, ablated } = normalizeLayer([1, 1, 3, 1], 2, [1, 1, 5, 1]);
    expect(Array.from(intact)).toEqual([-1, 0, 0, 1, 0, 0]);
    expect(Array.from(ablated!)).toEqual([-1, 0, 0, 3, 0, 0]);
  });
});

describe('lasso selection', () => {
  it('selects the points inside a polygon, concave ones included, and none outside', () => {
    // an L-shaped lasso: the square's top-right quadrant is cut out
    const lasso = [{ x: 0, y: 0 }, { x: 50, y: 0 }, { x: 50, y: 50 }, { x: 100, y: 50 }, { x: 100, y: 100 }, { x: 0, y: 100 }];
    const screen = Float32Array.from([10, 10, 75, 25, 75, 75, 25, 75, 150, 50, NaN, NaN]);
    expect(inPolygon(screen, lasso)).toEqual([0, 2, 3]);
    expect(inPolygon(screen, lasso.slice(0, 2))).toEqual([]);
  });
});
