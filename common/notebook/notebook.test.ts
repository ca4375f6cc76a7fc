import { describe, expect, it } from 'vitest';
import { notebookHtml } from './html';
import { notebookMarkdown } from './markdown';
import { flattenSettings } from './settings';
import { figureSvg } from './svg';
import type { Notebook } from './types';

const nb: Notebook = {
  model: { id: 1, name: 'm <1>', path: '/x', format: 'safetensors', family: 'gpt2', architecture: 'GPT2LMHeadModel', sha256: 'ab', params: 10 },
  appVersion: '0.0.0',
  generatedAt: '2025-01-01T00:00:00.000Z',
  steps: [
    { kind: 'import', id: 1, at: '2025-01-01T00:00:00Z', title: 'imported m', settings: [['path', '/x']], summary: 's', datasetId: null, rerun: null, figure: null },
    {
      kind: 'ablation',
      id: 5,
      at: '2025-01-02T00:00:00Z',
      title: 'dead | vs random',
      settings: [['method', 'zero']],
      summary: 'intact loss 5',
      datasetId: 2,
      rerun: { method: 'ablation.rerun', params: { id: 5 } },
      figure: { title: 'Change in loss', caption: 'c', unit: 'nats', bars: [{ label: 'dead', value: 0.001, low: -0.001, high: 0.002 }, { label: 'random <control>', value: -0.01, low: null, high: null }] },
    },
  ],
};

describe('notebook reports', () => {
  it('flattens settings: nested keys dotted, long or object lists counted', () => {
    expect(flattenSettings({ a: 1, filter: { genre: 'news', names: ['x', 'y'] }, conditions: [{ n: 1 }], big: Array.from({ length: 20 }, (_, i) => i), skip: 3 }, ['skip'])).toEqual([
      ['a', '1'],
      ['filter.genre', 'news'],
      ['filter.names', 'x, y'],
      ['conditions', '1 item'],
      ['big', '20 items'],
    ]);
  });

  it('Markdown: one numbered heading per step, settings table rows escaped, the rerun call', () => {
    const md = notebookMarkdown(nb);
    expect(md.match(/^## \d+\. .*$/gm)).toEqual(['## 1. Import: imported m', '## 2. Ablation: dead | vs random']);
    expect(md).toContain('| method | zero |');
    expect(md).toContain('Run again: API `ablation.rerun` {"id":5}');
    expect(md).toContain('dead 0.001 [-0.001, 0.002]');
  });

  it('HTML: text escaped, the figure inline as SVG with a bar per condition and its interval', () => {
    const html = notebookHtml(nb);
    expect(html).toContain('Study notebook: m &lt;1&gt;');
    expect(html).not.toContain('m <1>');
    expect(html.match(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(1);
    const svg = figureSvg(nb.steps[1]!.figure!);
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg).toContain('random &lt;control&gt;');
    // one whisker (the bar with an interval)
    expect(svg.match(/<path d="M[\d.]+ [\d.]+H/g)).toHaveLength(1);
  });
});
