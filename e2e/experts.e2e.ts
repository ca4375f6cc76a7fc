// The Experts section of the Neurons page: the tiny Mixtral fixture (4 experts, top-2, 2 layers)
// captured over Brown; the load heat map has a cell per layer and expert whose value is
// experts.get's load (the fraction of tokens routed), the per-layer table's dead and rare experts
// are experts.get's, the heat map exports as SVG; a dense model's capture has no such section.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, charModel, cliJson, projectRoot, startApp, tempDir, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, saveDownload, screenshot } from './support/browser.js';
import { readPdf } from '../renderer/src/charts/pdf-read.js';

interface ExpertsReport {
  experts: number;
  topK: number;
  layers: Array<{ layer: number; tokens: number; dead_upper95: number | null; experts: Array<{ expert: number; load: number; topk_rate: number | null; verdict: 'dead' | 'rare' | null }>; pairs: Array<{ a: number; b: number }> }>;
}

const mixtral = path.join(projectRoot, 'native-models', 'fixtures', 'mixtral');
let app: RunningApp;
let browser: Browser;
let page: Page;
let moeDataset: number;
let denseDataset: number;
const saved = tempDir('ffn-e2e-experts-');

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  await cliJson(app.dataDir, ['import', mixtral, '--name', 'mixtral-tiny']);
  await cliJson(app.dataDir, ['import', charModel(), '--name', 'char-gpt2']);
  const models = await api<{ id: number; name: string }[]>(app, 'model.list');
  const corpus = (await api<{ id: number }[]>(app, 'corpus.list'))[0]!.id;
  const capture = async (model: string, name: string) => {
    const id = models.find((m) => m.name === model)!.id;
    await cliJson(app.dataDir, ['capture', '--model', String(id), '--corpus', String(corpus), '--max-tokens', '2000', '--seq-len', '64', '--name', name]);
    return (await api<{ id: number; name: string }[]>(app, 'dataset.list')).find((d) => d.name === name)!.id;
  };
  moeDataset = await capture('mixtral-tiny', 'mixtral-brown');
  denseDataset = await capture('char-gpt2', 'dense-brown');
  browser = await launchBrowser();
  page = await openApp(browser, app);
}, 300_000);

afterAll(() => closeAll(browser));

describe('experts view', () => {
  it('shows the load heat map (layers × experts, experts.get’s loads) and the per-layer table of a mixture-of-experts capture', async () => {
    const report = await api<ExpertsReport>(app, 'experts.get', { datasetId: moeDataset, pairs: 1 });
    expect(report).toMatchObject({ experts: 4, topK: 2 });
    await page.goto(`${app.origin}/#/neurons/${moeDataset}`);
    const section = page.getByTestId('experts');
    await section.getByTestId('experts-table').waitFor();
    await expect(section.getAttribute('data-layers')).resolves.toBe(String(report.layers.length));
    await expect(section.getByTestId('experts-caption').textContent()).resolves.toMatch(/load.*fraction of the layer’s tokens.*entropy/);

    const chart = section.getByTestId('chart-expert-load');
    const cells = chart.locator('svg rect[data-layer][data-expert]');
    await expect(cells.count()).resolves.toBe(report.layers.length * report.experts);
    const drawn = await cells.evaluateAll((rects) => rects.map((r) => ({ layer: Number(r.getAttribute('data-layer')), expert: Number(r.getAttribute('data-expert')), value: Number(r.getAttribute('data-value')) })));
    for (const c of drawn) {
      const l = report.layers[c.layer]!;
      const e = l.experts[c.expert]!;
      expect(c.value).toBe(e.topk_rate);
      expect(c.value).toBeCloseTo(e.load / l.tokens, 12);
    }
    await expect(chart.getByTestId('heat-legend').locator('text').count()).resolves.toBeGreaterThan(1);

    const rows = section.getByTestId('experts-row');
    await expect(rows.count()).resolves.toBe(report.layers.length);
    for (const [i, l] of report.layers.entries()) {
      const row = rows.nth(i);
      await expect(row.getAttribute('data-layer')).resolves.toBe(String(l.layer));
      const list = (v: 'dead' | 'rare') => l.experts.filter((e) => e.verdict === v).map((e) => e.expert).join(',');
      await expect(row.getByTestId('experts-dead').getAttribute('data-experts')).resolves.toBe(list('dead'));
      await expect(row.getByTestId('experts-rare').getAttribute('data-experts')).resolves.toBe(list('rare'));
      await expect(row.getByTestId('experts-pair').getAttribute('data-pair')).resolves.toBe(l.pairs[0] ? `${l.pairs[0].a},${l.pairs[0].b}` : '');
    }
    // the table can be reached by the keyboard
    await expect(section.getByRole('region', { name: 'Router statistics per layer' }).getAttribute('tabindex')).resolves.toBe('0');
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'experts-section');

    const svgFile = await saveDownload(page, 'export-expert-load-svg', saved);
    expect(svgFile.name).toBe('mixtral-brown-expert-load.svg');
    const text = fs.readFileSync(svgFile.file, 'utf8');
    const parsed = await page.evaluate((xml) => {
      const doc = new DOMParser().parseFromString(xml, 'image/svg+xml');
      return { root: doc.documentElement.localName, error: doc.getElementsByTagName('parsererror').length, cells: doc.querySelectorAll('rect[data-expert]').length, texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
    }, text);
    expect(parsed).toMatchObject({ root: 'svg', error: 0, cells: report.layers.length * report.experts });
    expect(parsed.texts).toEqual(expect.arrayContaining(['Expert', 'Layer', 'Load (fraction of tokens)']));
    // the same figure as a vector PDF: the axis and scale titles as text, cells drawn (no image)
    const pdf = readPdf(fs.readFileSync((await saveDownload(page, 'export-expert-load-pdf', saved)).file));
    expect(pdf.texts).toEqual(expect.arrayContaining(['Expert', 'Layer', 'Load (fraction of tokens)']));
    expect([...pdf.objects.values()].some((o) => o.dict.includes('/Subtype /Image'))).toBe(false);
    const csv = await saveDownload(page, 'export-expert-load-csv', saved);
    expect(fs.readFileSync(csv.file, 'utf8').split('\r\n').filter(Boolean).length).toBe(1 + report.layers.length * report.experts);
  });

  it('groups the neuron table by expert: Expert and Unit columns, a filter by expert, the detail names layer, expert and unit', async () => {
    const viaApi = await api<{ neurons: Array<{ layer: number; neuron: number; expert: number; unit: number }>; total: number }>(app, 'neurons.list', { datasetId: moeDataset, expert: 2 });
    expect(viaApi.total).toBe(2 * 16);
    await page.goto(`${app.origin}/#/neurons/${moeDataset}`);
    const table = page.getByTestId('neuron-table');
    await table.waitFor();
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual(expect.arrayContaining(['Expert', 'Unit']));
    const first = page.getByTestId('neuron-row').first();
    await expect(first.getAttribute('data-expert')).resolves.toBe('0');
    await page.getByTestId('neuron-expert').selectOption('2');
    await expect.poll(() => page.getByTestId('neuron-count').textContent()).toBe('32 neurons');
    const rows = page.getByTestId('neuron-row');
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [Number(tr.getAttribute('data-layer')), Number(tr.getAttribute('data-neuron')), tr.getAttribute('data-expert'), Number(tr.getAttribute('data-unit'))]));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).toEqual(viaApi.neurons.slice(0, shown.length).map((n) => [n.layer, n.neuron, String(n.expert), n.unit]));
    // the row's cells say the expert and the unit
    const cells = await rows.nth(5).locator('td:not(.select-cell)').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['0', String(2 * 16 + 5), '2', '5']);
    await screenshot(page, 'neurons-by-expert');
    await rows.nth(5).click();
    await expect.poll(() => page.getByTestId('neuron-title').textContent()).toBe('Layer 0, expert 2, unit 5');
    await expect(page.getByTestId('neuron-flat-index').textContent()).resolves.toMatch(/neuron 37/);
  });

  it('colours the manifold by the top-1 expert the router chose at a chosen layer', async () => {
    await cliJson(app.dataDir, ['project', '--dataset', String(moeDataset), '--method', 'pca', '--dims', '2']);
    const run = (await api<Array<{ id: number }>>(app, 'projection.list', { datasetId: moeDataset }))[0]!;
    const data = await api<{ points: { sampleId: number[]; topExpert: number[][] } }>(app, 'projection.get', { id: run.id });
    expect(data.points.topExpert).toHaveLength(2);
    await page.goto(`${app.origin}/#/manifold/${moeDataset}/${run.id}`);
    const view = page.getByTestId('manifold-view');
    await view.waitFor();
    await page.getByTestId('manifold-colour').selectOption('expert');
    const legend = page.getByTestId('manifold-legend');
    const counts = (layer: number) => {
      const m = new Map<string, number>();
      for (const e of data.points.topExpert[layer]!) m.set(`expert ${e}`, (m.get(`expert ${e}`) ?? 0) + 1);
      return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} (${n})`);
    };
    const shown = async () => (await legend.getByTestId('legend-entry').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    // the layer shown (0) by default, then the layer chosen
    await expect(page.getByTestId('manifold-expert-layer').inputValue()).resolves.toBe('0');
    await expect.poll(() => legend.textContent()).toContain('top-1 expert, layer 0');
    await expect(shown()).resolves.toEqual(counts(0));
    await page.getByTestId('manifold-expert-layer').selectOption('1');
    await expect.poll(() => legend.textContent()).toContain('top-1 expert, layer 1');
    await expect(shown()).resolves.toEqual(counts(1));
    await expect(page.getByTestId('manifold-expert-missing').count()).resolves.toBe(0);
    await screenshot(page, 'manifold-by-expert');
  });

  it('has no Experts section for a dense model', async () => {
    await expect(api(app, 'experts.get', { datasetId: denseDataset })).rejects.toThrow(/dense model/);
    await page.goto(`${app.origin}/#/neurons/${denseDataset}`);
    await page.getByTestId('layer-charts').waitFor();
    await page.getByTestId('massive-dims').waitFor();
    await page.waitForTimeout(500);
    await expect(page.getByTestId('experts').count()).resolves.toBe(0);
    await expect(page.getByTestId('experts-error').count()).resolves.toBe(0);
    // nor an expert filter or Expert column in its neuron table
    await page.getByTestId('neuron-table').waitFor();
    await expect(page.getByTestId('neuron-expert').count()).resolves.toBe(0);
    await expect(page.getByTestId('neuron-table').locator('thead th').allTextContents()).resolves.not.toContain('Expert');
    await expect(api(app, 'neurons.list', { datasetId: denseDataset, expert: 0 })).rejects.toThrow(/dense/);
  });
});
