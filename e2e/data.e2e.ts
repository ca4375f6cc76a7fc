// Tables and data at 1440 x 900, in the real app: the neuron table of a 2 x 1,290-neuron model
// (pages past 2,000 rows, header sort, range filter, CSV, jump), two ablation runs compared on one
// chart with Δ loss, KL and top-1 in view, and captures renamed, exported and deleted (a model's
// delete question naming what goes with it). Screenshots under $TMPDIR/ffn-lab-e2e-screenshots.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cliJson, projectRoot, startApp, tempDir, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, saveDownload, screenshot } from './support/browser.js';

const WIDTH = 1440;
let app: RunningApp;
let browser: Browser;
let page: Page;
let modelId: number;
let datasetId: number;
let runs: number[];
const files = tempDir('ffn-e2e-data-');

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', path.join(projectRoot, 'native-models', 'demo', 'brown-gpt2-wide'), '--name', 'wide']);
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  datasetId = (await cliJson<{ dataset: { id: number } }>(app.dataDir, ['capture', '--model', 'wide', '--corpus', 'brown', '--max-tokens', '2000', '--seq-len', '64', '--samples', '64', '--name', 'brown 2k'])).dataset.id;
  modelId = (await api<Array<{ id: number }>>(app, 'model.list'))[0]!.id;
  const set = (name: string, neurons: Array<[number, number]>) => {
    const file = path.join(files, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(neurons.map(([layer, neuron]) => ({ layer, neuron }))));
    return file;
  };
  for (const [name, neurons] of [['first ten', Array.from({ length: 10 }, (_, i): [number, number] => [0, i])], ['second layer ten', Array.from({ length: 10 }, (_, i): [number, number] => [1, i])]] as const) {
    await cliJson(app.dataDir, ['ablate', '--model', 'wide', '--corpus', 'brown', '--dataset', String(datasetId), '--set', set(name.replace(/ /g, '-'), [...neurons]), '--control', 'random', '--max-tokens', '500', '--seq-len', '64', '--resamples', '50']);
  }
  runs = (await api<Array<{ id: number }>>(app, 'ablation.list')).map((r) => r.id).sort((a, b) => a - b);
  browser = await launchBrowser();
  page = await openApp(browser, app);
  await page.setViewportSize({ width: WIDTH, height: 900 });
}, 600_000);

afterAll(() => closeAll(browser));

/** Waits until the element with `testId` reads exactly `text` (a reload of the rows is asynchronous). */
async function textBecomes(testId: string, text: string) {
  await page.waitForFunction(([id, t]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === t, [testId, text] as const);
}

/** The element lies inside the 1440-px-wide viewport (nothing to scroll sideways for). */
async function inView(locator: Locator, what: string) {
  const box = await locator.boundingBox();
  expect(box, what).not.toBeNull();
  expect(box!.x, what).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, what).toBeLessThanOrEqual(WIDTH);
}

describe('tables and data at 1440 x 900', () => {
  it('pages the neuron table past 2,000 rows, sorts by a header, filters by a range, exports CSV and jumps to a neuron', async () => {
    await page.goto(`${app.origin}/#/neurons/${datasetId}`);
    await page.getByTestId('neuron-row').first().waitFor();
    await textBecomes('neuron-count', '1–2,000 of 2,580 neurons');
    for (const h of ['layer', 'neuron', 'fire-rate', 'mean', 'max', 'peak-ratio', 'kurtosis', 'verdicts']) await inView(page.getByTestId(`neuron-th-${h}`), `column ${h}`);
    await screenshot(page, 'data-neuron-table');

    await page.getByTestId('neuron-page-next').click();
    await textBecomes('neuron-page', 'Rows 2,001–2,580 of 2,580');
    await page.locator('[data-testid="neuron-row"][data-layer="1"][data-neuron="710"]').waitFor();
    await expect(page.getByTestId('neuron-row').first().getAttribute('data-neuron')).resolves.toBe('710');

    // a header click sorts by it, largest first, and starts again at the first page
    await page.getByTestId('neuron-th-fire-rate').getByRole('button').click();
    await expect(page.getByTestId('neuron-th-fire-rate').getAttribute('aria-sort')).resolves.toBe('descending');
    await textBecomes('neuron-count', '1–2,000 of 2,580 neurons');
    const sorted = await api<{ neurons: Array<{ layer: number; neuron: number }> }>(app, 'neurons.list', { datasetId, sort: 'fire_rate', descending: true, limit: 3 });
    const firstRows = await page.getByTestId('neuron-row').evaluateAll((rows) => rows.slice(0, 3).map((r) => `${r.getAttribute('data-layer')}:${r.getAttribute('data-neuron')}`));
    expect(firstRows).toEqual(sorted.neurons.map((n) => `${n.layer}:${n.neuron}`));

    // a range filter: the count is the backend's for the same range
    await page.getByTestId('range-field').selectOption('fire_rate');
    await page.getByTestId('range-min').fill('50%');
    await page.getByTestId('range-add').click();
    await expect(page.getByTestId('range-chip').textContent()).resolves.toContain('0.5 ≤ Fire rate');
    const filtered = await api<{ total: number }>(app, 'neurons.list', { datasetId, ranges: [{ field: 'fire_rate', min: 0.5 }], limit: 1 });
    expect(filtered.total).toBeGreaterThan(0);
    expect(filtered.total).toBeLessThan(2580);
    await textBecomes('neuron-count', `${filtered.total.toLocaleString('en-US')} neurons`);
    const { file } = await saveDownload(page, 'neuron-csv', files);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^layer,neuron,expert,unit,tokens,mean,/);
    expect(lines.length).toBe(1 + filtered.total);
    expect(lines.slice(1).every((l) => Number(l.split(',')[12]) >= 0.5)).toBe(true);
    await screenshot(page, 'data-neuron-table-filtered');

    await page.getByTestId('neuron-jump').fill('9:1');
    await page.getByTestId('neuron-jump-go').click();
    await expect(page.getByTestId('neuron-jump-error').textContent()).resolves.toBe('Layer 9 does not exist; the model has layers 0 to 1');
    await page.getByTestId('neuron-jump').fill('1:5');
    await page.getByTestId('neuron-jump-go').click();
    await page.waitForURL(new RegExp(`#/neurons/${datasetId}/1/5$`));
  });

  it('compares two ablation runs on one chart with Δ loss, KL and top-1 in view', async () => {
    await page.goto(`${app.origin}/#/ablation/compare/${runs[0]}/${runs[1]}`);
    const figures = page.getByTestId('compare-figures');
    await figures.waitFor();
    for (const id of ['compare-delta-loss', 'compare-kl', 'compare-top1-agreement']) {
      const chart = page.getByTestId(`chart-${id}`);
      // both runs on the chart: two series in the legend, each with a dot per condition
      await expect(chart.locator('g.series').count()).resolves.toBe(2);
      await expect(chart.locator('g.series circle').count()).resolves.toBe(4);
    }
    for (const run of runs) {
      const table = page.getByTestId(`condition-table-${run}`);
      for (const metric of ['delta_loss', 'kl', 'top1_agreement']) await inView(table.locator(`th[data-metric="${metric}"]`), `run ${run} ${metric}`);
      await inView(table.locator('tbody tr').nth(1).locator('td[data-metric="top1_agreement"]'), `run ${run} top-1 cell`);
    }
    await screenshot(page, 'data-ablation-compare');
  });

  it('lists exported figures with a thumbnail and a link back to the view they came from', async () => {
    const route = `#/ablation/compare/${runs[0]}/${runs[1]}`;
    await saveDownload(page, 'export-compare-delta-loss-png-2x', files);
    await saveDownload(page, 'export-compare-kl-csv', files);
    await page.getByTestId('nav-figures').click();
    const rows = page.getByTestId('figure-row');
    await rows.nth(1).waitFor();
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-format')))).resolves.toEqual(['csv', 'png-2x']);
    // the PNG's thumbnail is drawn (a real image, at most 240 px wide); the CSV has none
    const thumb = rows.nth(1).getByTestId('figure-thumbnail');
    await page.waitForFunction(() => (document.querySelector('[data-testid="figure-thumbnail"]') as HTMLImageElement | null)?.complete === true);
    const size = await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(size[0]).toBeGreaterThan(100);
    expect(size[0]).toBeLessThanOrEqual(240);
    expect(size[1]).toBeGreaterThan(0);
    await expect(rows.nth(0).getByTestId('figure-thumbnail').count()).resolves.toBe(0);
    for (const i of [0, 1]) await expect(rows.nth(i).getByTestId('figure-source').getAttribute('href')).resolves.toBe(route);
    await screenshot(page, 'data-figures');
    await rows.nth(1).getByTestId('figure-source').click();
    await page.waitForURL(new RegExp(`${route}$`));
    await page.getByTestId('compare-figures').waitFor();
  });

  it('exports the manifold as a 2-D figure: axes with explained variance, legend, caption, white or dark background, SVG and vector PDF', async () => {
    const projection = await cliJson<{ projection: number; layers: Array<{ layer: number; explained_variance: number[] }> }>(app.dataDir, ['project', '--dataset', String(datasetId), '--method', 'pca']);
    // its own page (a WebGL context), closed at the end so the 3-D view does not run beside the other tests
    const page = await openApp(browser, app);
    await page.setViewportSize({ width: WIDTH, height: 900 });
    await page.goto(`${app.origin}/#/manifold/${datasetId}/${projection.projection}`);
    await page.getByTestId('manifold-view').waitFor({ timeout: 90_000 });
    await page.getByTestId('manifold-colour').selectOption('position').catch(() => undefined);
    const svg = await saveDownload(page, 'manifold-export-svg-2d', files);
    const text = fs.readFileSync(svg.file, 'utf8');
    const ev = projection.layers[0]!.explained_variance;
    expect(text).toContain(`PC1 (${(ev[0]! * 100).toFixed(1)}% of variance)`);
    expect(text).toContain(`PC2 (${(ev[1]! * 100).toFixed(1)}% of variance)`);
    expect(text.match(/<circle /g)).toHaveLength(64);
    expect(text).toContain('fill="#ffffff"');
    expect(text).toContain('class="caption">PCA of 64 sampled tokens');
    expect(text).toMatch(/class="legend"/);
    await page.getByTestId('manifold-figure-background').selectOption('dark');
    const pdf = await saveDownload(page, 'manifold-export-pdf-2d', files);
    const bytes = fs.readFileSync(pdf.file);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const dark = await saveDownload(page, 'manifold-export-svg-2d', files);
    expect(fs.readFileSync(dark.file, 'utf8')).toContain('fill="#16181d"');
    const recorded = await api<Array<{ file: string; thumbnail: string | null; source: string | null }>>(app, 'figures.list');
    const record = recorded.find((f) => f.file === pdf.name)!;
    expect(record.thumbnail).toMatch(/^data:image\/png;base64,/);
    expect(record.source).toBe(`#/manifold/${datasetId}/${projection.projection}`);
    await screenshot(page, 'data-manifold-figure');
    await page.context().close();
  }, 180_000);

  it("lists the captures and runs a model's deletion takes with it before asking", async () => {
    await page.goto(`${app.origin}/#/models/${modelId}`);
    await page.getByTestId('model-delete').click();
    const deps = page.getByTestId('model-dependents');
    await deps.waitFor();
    const text = await deps.textContent();
    expect(text).toContain('1 capture: brown 2k');
    expect(text).toContain('2 ablation runs:');
    await screenshot(page, 'data-model-delete');
    await page.getByTestId('model-delete-cancel').click();
  });

  it('renames a capture, exports it for notebooks and deletes it with what was made from it', async () => {
    await page.goto(`${app.origin}/#/datasets`);
    const manage = page.getByTestId('dataset-manage');
    await manage.waitFor();
    await manage.getByTestId('manage-name').fill('Brown, first 2k tokens');
    await manage.getByTestId('manage-rename').click();
    await expect(manage.getByTestId('manage-done').textContent()).resolves.toBe('Renamed to “Brown, first 2k tokens”.');
    await page.getByTestId('dataset-row').filter({ hasText: 'Brown, first 2k tokens' }).waitFor();

    const out = path.join(files, 'notebook');
    await manage.getByTestId('manage-dir').fill(out);
    await manage.getByTestId('manage-export').click();
    await manage.getByTestId('manage-files').waitFor();
    await expect(manage.getByTestId('manage-files').locator('li').allTextContents()).resolves.toEqual([path.join(out, 'capture.safetensors'), path.join(out, 'capture.json')]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'capture.json'), 'utf8')).dataset.name).toBe('Brown, first 2k tokens');

    await manage.getByTestId('manage-dir').fill('');
    await manage.getByTestId('manage-export').click();
    await expect(manage.getByTestId('manage-error').textContent()).resolves.toContain('Dir must have at least 1 character');
    await screenshot(page, 'data-manage');

    await manage.getByTestId('dataset-delete').click();
    const question = manage.getByTestId('dataset-delete-question');
    await page.waitForFunction(() => document.querySelector('[data-testid="dataset-delete-question"]')?.textContent?.includes('sampled tokens'));
    await expect(question.textContent()).resolves.toContain('64 sampled tokens and 1 projection run?');
    await expect(question.textContent()).resolves.toContain('Ablation runs that used it keep their results');
    await manage.getByTestId('dataset-delete-confirm').click();
    await page.getByTestId('datasets-empty').waitFor();
    await expect(api<unknown[]>(app, 'dataset.list')).resolves.toEqual([]);
    await expect(api<unknown[]>(app, 'ablation.list')).resolves.toHaveLength(2);
  });
});
