import { describe, expect, it } from 'vitest';
import { svgToPdf } from '../charts/pdf';
import { readPdf } from '../charts/pdf-read';
import { continuousColouring, categoricalColouring } from './colouring';
import { DARK_FLOOR, axisLabel, liftForDark, manifoldFigureSvg, type ManifoldFigure } from './figureSvg';
import { colormap, hexToRgb } from './palette';
import { forDarkBackground } from './darkFloor';

const luminance = (c: readonly number[]) => 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;

function figure(over: Partial<ManifoldFigure> = {}): ManifoldFigure {
  const coords = [0, 0, 0, 1, 2, 0.5, -1, 3, 1, 2, -2, 0];
  const c = continuousColouring('position', [0, 10, 20, 30]);
  return { coords, dims: 3, colors: c.colors, legend: c.legend, method: 'pca', explainedVariance: [0.234, 0.101, 0.05], title: 'Layer 1, residual stream', caption: 'PCA of 4 sampled tokens of capture "brown 2k"; colour: position.', background: 'white', ...over };
}

describe('the manifold as a 2-D figure', () => {
  it('labels the axes with the variance they explain (PCA), or UMAP n', () => {
    expect(axisLabel('pca', 0, [0.234, 0.101])).toBe('PC1 (23.4% of variance)');
    expect(axisLabel('pca', 2, [0.234, 0.101])).toBe('PC3');
    expect(axisLabel('umap', 1, null)).toBe('UMAP 2');
    const svg = manifoldFigureSvg(figure({ axes: [0, 1] }));
    expect(svg).toMatch(/data-axis="x">PC1 \(23\.4% of variance\)</);
    expect(svg).toMatch(/data-axis="y">PC2 \(10\.1% of variance\)</);
  });

  it('draws every point, a legend, the caption and a white background; the PDF has the same text', () => {
    const svg = manifoldFigureSvg(figure());
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain('<rect x="0" y="0" width="760"');
    expect(svg).toMatch(/fill="#ffffff"\/>/);
    expect(svg).toContain('(99th pct)');
    expect(svg).toContain('class="caption">PCA of 4 sampled tokens');
    const pdf = readPdf(svgToPdf(svg));
    const text = pdf.texts.join(' ');
    for (const words of ['PC1 (23.4% of variance)', 'position', 'Layer 1, residual stream']) expect(text).toContain(words);
  });

  it('lists categories with their counts', () => {
    const c = categoricalColouring('genre', ['news', 'news', 'fiction', 'lore']);
    const svg = manifoldFigureSvg(figure({ colors: c.colors, legend: c.legend }));
    expect(svg).toContain('>news (2)<');
    expect(svg).toContain('>fiction (1)<');
  });

  it('keeps the low end of viridis visible on a dark background, and leaves bright colours alone', () => {
    const low = colormap('viridis', 0);
    expect(luminance(low)).toBeLessThan(DARK_FLOOR);
    expect(luminance(liftForDark(low))).toBeCloseTo(DARK_FLOOR, 6);
    const high = colormap('viridis', 1);
    expect(liftForDark(high)).toEqual([...high]);
    const svg = manifoldFigureSvg(figure({ background: 'dark' }));
    const fills = [...svg.matchAll(/<circle [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => hexToRgb(m[1]!));
    expect(fills.every((f) => luminance(f) >= DARK_FLOOR - 0.01)).toBe(true);
    expect(svg).toContain('fill="#16181d"');
  });

  it('lifts the 3-D view\'s point colours and legend alike, leaving the colouring it came from unchanged', () => {
    const c = continuousColouring('position', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const dark = forDarkBackground(c);
    expect(luminance([c.colors[0]!, c.colors[1]!, c.colors[2]!])).toBeLessThan(DARK_FLOOR);
    for (let i = 0; i < dark.colors.length; i += 3) expect(luminance([dark.colors[i]!, dark.colors[i + 1]!, dark.colors[i + 2]!])).toBeGreaterThanOrEqual(DARK_FLOOR - 1e-6);
    expect(dark.legend.kind === 'continuous' && dark.legend.stops[0]).not.toBe(c.legend.kind === 'continuous' && c.legend.stops[0]);
    expect(dark.legend.kind === 'continuous' && dark.legend.stops.at(-1)).toBe(c.legend.kind === 'continuous' && c.legend.stops.at(-1));
  });
});
