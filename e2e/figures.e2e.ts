// Figures in the real app: the weight scan on a model's page, the layer charts of a capture on
// the Neurons page, and their export (SVG, PNG 2×, vector PDF, CSV) as downloads checked byte by
// byte, then the Figures page's list of what was exported.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, charModel, cliJson, startApp, tempDir, until, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll, saveDownload } from './support/browser.js';
import { readPdf } from '../renderer/src/charts/pdf-read.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let modelId: number;
let datasetId: number;
let layers: number;
const saved = tempDir('ffn-e2e-figures-');

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', charModel(), '--name', 'char-gpt2']);
  const model = (await api<{ id: number; layers: number }[]>(app, 'model.list'))[0]!;
  modelId = model.id;
  layers = model.layers;
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  const corpora = await api<{ id: number }[]>(app, 'corpus.list');
  // a high firing threshold, so that the tiny model has neurons that never fire
  await cliJson(app.dataDir, ['capture', '--model', String(modelId), '--corpus', String(corpora[0]!.id), '--max-tokens', '4000', '--seq-len', '64', '--threshold', '2', '--name', 'brown-4k']);
  const datasets = await api<{ id: number }[]>(app, 'dataset.list');
  datasetId = datasets[0]!.id;
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

/** Clicks an export button and saves the download; returns the file's path and its suggested name. */
const exportFile = (testId: string) => saveDownload(page, testId, saved);

describe('figures', () => {
  it('shows the weight scan on the model page', async () => {
    await page.goto(`${app.origin}/#/models/${modelId}`);
    const scan = page.getByTestId('weight-scan');
    await scan.getByTestId('weight-scan-table').waitFor();
    const rows = await scan.getByTestId('scan-row').count();
    expect(rows).toBeGreaterThan(0);
    await expect(scan.getByTestId('scan-invalid-row').count()).resolves.toBe(0);
    await expect(scan.getByTestId('scan-summary').textContent()).resolves.toBe(`No NaN or Inf values in ${rows} tensors.`);
    await screenshot(page, 'figures-weight-scan');
  });

  it('exports the dead-per-layer chart as SVG, PNG 2× and CSV, and lists the exports', async () => {
    await page.goto(`${app.origin}/#/neurons/${datasetId}`);
    const charts = page.getByTestId('layer-charts');
    await charts.waitFor();
    const chart = page.getByTestId('chart-dead-per-layer');
    const svg = chart.locator('svg');
    await svg.waitFor();
    await screenshot(page, 'figures-layer-charts');

    const svgFile = await exportFile('export-dead-per-layer-svg');
    expect(svgFile.name).toMatch(/\.svg$/);
    const text = fs.readFileSync(svgFile.file, 'utf8');
    expect(text.startsWith('<?xml')).toBe(true);
    // parse it as XML in the browser: no parser error, an <svg> root in the SVG namespace
    const parsed = await page.evaluate((xml) => {
      const doc = new DOMParser().parseFromString(xml, 'image/svg+xml');
      return { root: doc.documentElement.localName, ns: doc.documentElement.namespaceURI, error: doc.getElementsByTagName('parsererror').length, texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
    }, text);
    expect(parsed).toMatchObject({ root: 'svg', ns: 'http://www.w3.org/2000/svg', error: 0 });
    expect(parsed.texts).toContain('Layer');
    expect(parsed.texts).toContain('Dead neurons (count)');

    const cssWidth = (await svg.boundingBox())!.width;
    const png = await exportFile('export-dead-per-layer-png-2x');
    const bytes = fs.readFileSync(png.file);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
    expect(bytes.readUInt32BE(16)).toBe(Math.round(cssWidth * 2));

    const csv = await exportFile('export-dead-per-layer-csv');
    const lines = fs.readFileSync(csv.file, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('layer,neurons,dead');
    expect(lines.length).toBe(1 + layers);

    // per layer, the fraction of the layer active per token, with its distribution in the CSV
    await page.getByTestId('chart-active-fraction-per-layer').waitFor();
    const activity = fs.readFileSync((await exportFile('export-active-fraction-per-layer-csv')).file, 'utf8').trim().split(/\r?\n/);
    expect(activity[0]!.split(',').slice(0, 3)).toEqual(['layer', 'mean_active_fraction', 'bin_0']);
    expect(activity.length).toBe(1 + layers);
    for (const row of activity.slice(1)) {
      const cells = row.split(',').map(Number);
      expect(cells[1]).toBeGreaterThan(0);
      expect(cells.slice(2).reduce((a, c) => a + c, 0)).toBe(4000); // every counted token in one bin
    }

    await page.getByTestId('nav-figures').click();
    const list = page.getByTestId('figures-list');
    await list.waitFor();
    await expect(list.getByTestId('figure-row').count()).resolves.toBe(4);
    const listed = await list.textContent();
    for (const f of [svgFile.name, png.name, csv.name]) expect(listed).toContain(f);
    await screenshot(page, 'figures-list');

    // the list is the backend's: a reload (or a restart) still shows it, newest first
    await page.reload();
    await page.getByTestId('figures-list').waitFor();
    const rows = page.getByTestId('figure-row');
    await expect(rows.count()).resolves.toBe(4);
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-format')))).resolves.toEqual(['csv', 'csv', 'png-2x', 'svg']);
    await expect(rows.nth(2).textContent()).resolves.toContain(`${Math.round(cssWidth * 2)} × `);
    const recorded = await api<{ file: string; bytes: number }[]>(app, 'figures.list');
    expect(recorded.find((f) => f.file === png.name)?.bytes).toBe(bytes.length);

    // Remove takes it off the list
    await rows.nth(0).getByTestId('figure-remove').click();
    await until('the row to go', async () => (await page.getByTestId('figure-row').count()) === 3);
    await expect(api<unknown[]>(app, 'figures.list').then((l) => l.length)).resolves.toBe(3);
  });

  it('exports every layer chart as a vector PDF with its axis titles as text', async () => {
    await page.goto(`${app.origin}/#/neurons/${datasetId}`);
    await page.getByTestId('layer-charts').waitFor();
    const charts: [id: string, xLabel: string, yLabel: string][] = [
      ['dead-per-layer', 'Layer', 'Dead neurons (count)'],
      ['fire-rate-histogram', 'Fire rate (fraction of tokens, log scale)', 'Neurons (count)'],
      ['peak-per-layer', 'Layer', 'Max peak |activation| (a.u.)'],
      ['kurtosis-per-layer', 'Layer', 'Median excess kurtosis (unitless)'],
      ['active-fraction-per-layer', 'Layer', 'Neurons active per token (fraction)'],
    ];
    for (const [id, xLabel, yLabel] of charts) {
      await page.getByTestId(`chart-${id}`).locator('svg').waitFor();
      await expect(page.getByTestId(`export-${id}-pdf`).textContent()).resolves.toBe('PDF (vector)');
      const { file, name } = await exportFile(`export-${id}-pdf`);
      expect(name).toMatch(/\.pdf$/);
      const bytes = fs.readFileSync(file);
      expect(bytes.toString('latin1', 0, 5)).toBe('%PDF-');
      // readPdf checks startxref, every xref offset and every stream /Length
      const pdf = readPdf(bytes);
      expect(pdf.texts, id).toEqual(expect.arrayContaining([xLabel, yLabel]));
      // drawn, not pasted: path operators and no image
      expect(pdf.content, id).toMatch(/ l S$/m);
      expect(pdf.content, id).not.toContain(' Do');
      expect([...pdf.objects.values()].some((o) => o.dict.includes('/Subtype /Image')), id).toBe(false);
    }
  });
});
