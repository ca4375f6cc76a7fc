import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BarChart } from './BarChart';
import { DotLineChart } from './DotLineChart';
import { Histogram } from './Histogram';
import { textWidthEm } from './helvetica';
import { parseTransform, parseXml, pathOps, pdfNumber, svgToPdf, textRuns } from './pdf';
import { readPdf } from './pdf-read';
import { powerOfTen } from './scale';
import { chartSize, fontSize, margin } from './style';

/** The chart's SVG as React renders it, read back by the PDF reader after conversion. */
function chartPdf<P extends object>(component: FunctionComponent<P>, props: P) {
  const svg = renderToStaticMarkup(createElement(component, props));
  return { svg, pdf: readPdf(svgToPdf(svg)) };
}

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;

describe('vector PDF of the charts', () => {
  it('draws a bar chart: one filled rectangle per bar, gridlines as strokes, every label as text', () => {
    const { pdf } = chartPdf(BarChart, { label: 'Dead neurons per layer', categories: ['0', '1', '2', '3'], values: [0, 5, 12, 3], xLabel: 'Layer', yLabel: 'Dead neurons (count)' });
    expect(pdf.version).toBe('1.4');
    // the background and the three non-zero bars (a zero bar has no height)
    expect(count(pdf.content, / re f$/gm)).toBe(4);
    expect(pdf.content).toContain('0 0.447 0.698 rg'); // Okabe-Ito blue #0072B2
    expect(count(pdf.content, / l S$/gm)).toBeGreaterThan(10);
    expect(pdf.texts).toEqual(expect.arrayContaining(['Layer', 'Dead neurons (count)', '0', '3', '5', '10', '15']));
    // the page is the chart's CSS size in points
    expect(pdf.objects.get(3)!.dict).toContain(`/MediaBox [0 0 ${chartSize.width * 0.75} ${chartSize.height * 0.75}]`);
    expect(pdf.objects.get(6)!.dict).toContain('/Title (Dead neurons per layer)');
  });

  it('anchors text with Helvetica widths: the x label centred, tick labels right-aligned, the y label rotated', () => {
    const { pdf } = chartPdf(BarChart, { label: 'b', categories: ['0'], values: [10], xLabel: 'Layer', yLabel: 'Dead neurons (count)' });
    const centre = (margin.left + chartSize.width - margin.right) / 2;
    const layer = textWidthEm('Layer') * fontSize.label; // L a y e r = (556+556+500+556+333)/1000 em
    expect(textWidthEm('Layer')).toBeCloseTo(2.501, 6);
    expect(pdf.content).toContain(`BT 1 0 0 -1 ${pdfNumber(centre - layer / 2)} ${chartSize.height - 8} Tm /F1 12 Tf 0 Ts (Layer) Tj ET`);
    // "10" ends 7 px left of the axis; dy 0.32em lowers it onto the tick
    const ten = textWidthEm('10') * fontSize.tick;
    expect(pdf.content).toMatch(new RegExp(`BT 1 0 0 -1 ${pdfNumber(margin.left - 7 - ten).replace('.', '\\.')} [\\d.]+ Tm /F1 11 Tf 0 Ts \\(10\\) Tj ET`));
    // rotate(-90) after translate(14 …): the cm of the y label's text object
    expect(pdf.content).toMatch(/q 0 -1 1 0 14 [\d.]+ cm\nBT 1 0 0 -1 -[\d.]+ 0 Tm \/F1 12 Tf 0 Ts \(Dead neurons \\\(count\\\)\) Tj ET\nQ/);
  });

  it('draws a dot-line chart: the line as a stroked path with a gap, the dots as Bézier circles', () => {
    const { pdf } = chartPdf(DotLineChart, { label: 'Peak', xs: [0, 1, 2, 3], ys: [1.5, null, 4, -2], xLabel: 'Layer', yLabel: 'Max peak |activation| (a.u.)' });
    // one segment before the gap is a lone point; the one after it joins two dots
    expect(count(pdf.content, /^[\d. -]+ m [\d. -]+ l S$/gm)).toBeGreaterThan(0);
    expect(count(pdf.content, / c [\d. -]+ c [\d. -]+ c [\d. -]+ c h f$/gm)).toBe(3);
    expect(pdf.content).toContain('1.5 w');
    expect(pdf.texts).toEqual(expect.arrayContaining(['Max peak |activation| (a.u.)', '\u22122'])); // the minus sign of formatTick
  });

  it('draws a histogram with decade edges: superscripts become raised smaller digits', () => {
    const edges = [null, powerOfTen(-3), powerOfTen(-2), powerOfTen(-1), '1'];
    const bins = [0, 1, 2, 3].map((i) => ({ label: `bin ${i}`, count: i * 10 + 5 }));
    const { pdf } = chartPdf(Histogram, { label: 'Fire-rate distribution', bins, edges, separateFirst: '0', xLabel: 'Fire rate (fraction of tokens, log scale)', yLabel: 'Neurons (count)' });
    expect(pdf.texts).toEqual(expect.arrayContaining(['Fire rate (fraction of tokens, log scale)', '10\u22123', '10\u22122']));
    expect(pdf.content).toContain('/F1 11 Tf 0 Ts (10) Tj /F1 7.7 Tf 4.18 Ts (\\2013) Tj');
    expect(pdf.content).toContain('0.835 0.369 0 rg'); // the separate first bin in vermillion
  });

  it('writes opacity as ExtGState, dash arrays, caps, and refuses what it cannot draw', () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><g opacity="0.5"><line x1="0" y1="0" x2="10" y2="10" stroke="#ff0000" stroke-dasharray="4,2" stroke-linecap="round"/></g><rect x="1" y="1" width="2" height="2" style="fill: rgb(0, 0, 255)"/></svg>`;
    const pdf = readPdf(svgToPdf(svg));
    expect(pdf.content).toContain('/GS1_0p5 gs\n0 0 m 10 10 l S');
    expect(pdf.content).toContain('[4 2] 0 d');
    expect(pdf.content).toContain('1 J');
    expect(pdf.content).toContain('/GSopaque gs');
    expect(pdf.content).toContain('0 0 1 rg');
    expect(pdf.objects.get(3)!.dict).toContain('/GS1_0p5 << /Type /ExtGState /ca 1 /CA 0.5 >>');
    expect(() => svgToPdf('<svg width="10" height="10"><image href="x.png"/></svg>')).toThrow(/<image>/);
    expect(() => svgToPdf('<svg width="10" height="10"><rect fill="hsl(0,0%,0%)" width="1" height="1"/></svg>')).toThrow(/colour "hsl/);
    expect(() => svgToPdf('<svg width="10" height="10"><g></svg>')).toThrow(/closes <svg> where <g> is open/);
  });

  it('reads SVG text, paths and transforms as SVG means them', () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- c --><svg a="&quot;x&#x27;&amp;"><text>a &lt; b</text><g/></svg>`);
    expect(root.attrs.a).toBe(`"x'&`);
    expect(root.children).toEqual([{ name: 'text', attrs: {}, children: ['a < b'] }, { name: 'g', attrs: {}, children: [] }]);
    expect(pathOps('M1,2L3,4h2v-1l1 1z')).toBe('1 2 m 3 4 l 5 4 l 5 3 l 6 4 l h');
    expect(pathOps('m1 1 2 2')).toBe('1 1 m 3 3 l');
    expect(() => pathOps('M0 0A1 1 0 0 1 2 2')).toThrow(/path command "A"/);
    expect(parseTransform('translate(14 130) rotate(-90)').map((v) => Number(v.toFixed(9)))).toEqual([0, -1, 1, 0, 14, 130]);
    expect(textRuns('10⁻¹²x')).toEqual([{ text: '10', sup: false }, { text: '\u221212', sup: true }, { text: 'x', sup: false }]);
    expect(pdfNumber(-0.0001)).toBe('0');
    expect(pdfNumber(1e-7)).toBe('0');
    expect(pdfNumber(12.5)).toBe('12.5');
  });

  it('writes a title outside ASCII as UTF-16', () => {
    const pdf = readPdf(svgToPdf('<svg width="10" height="10"><title>Füße</title></svg>'));
    expect(pdf.objects.get(6)!.dict).toContain('/Title <FEFF004600FC00DF0065>');
  });
});
