// Honest evidence in the real app, on the shipped ReLU demo model and Brown: captures made with the
// CLI (shuffled by default; a corpus-order one that covers news alone and says so), then in the UI
// the warning beside that capture, a rare neuron's top contexts (only where it fired, one line
// each, "fired on k tokens"), the activation histogram's log count axis, every detector threshold
// with its value (a change re-judges), the capture form's document order, and a failed playground
// request that leaves no stale results. Screenshots at 1440 x 900.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { cliJson, projectRoot, startApp, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, screenshot } from './support/browser.js';

const TOP_K = 8;
let app: RunningApp;
let browser: Browser;
let page: Page;
let shuffledId: number;
let newsId: number;

interface CaptureOut {
  dataset: { id: number; documents: number; warnings: string[] };
}

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', path.join(projectRoot, 'native-models', 'demo', 'brown-gpt2-relu'), '--name', 'relu']);
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  const shuffled = await cliJson<CaptureOut>(app.dataDir, ['capture', '--model', 'relu', '--corpus', 'brown', '--max-tokens', '20000', '--batch', '16', '--top-k', String(TOP_K), '--samples', '300', '--name', 'shuffled']);
  shuffledId = shuffled.dataset.id;
  expect(shuffled.dataset.warnings).toEqual([]);
  const news = await cliJson<CaptureOut>(app.dataDir, ['capture', '--model', 'relu', '--corpus', 'brown', '--order', 'corpus', '--max-tokens', '4000', '--top-k', '0', '--samples', '0', '--name', 'news only']);
  newsId = news.dataset.id;
  expect(news.dataset.warnings[0]).toMatch(/one value of "genre" only \(genre = news/);
  browser = await launchBrowser();
  page = await openApp(browser, app);
  await page.setViewportSize({ width: 1440, height: 900 });
}, 600_000);

afterAll(async () => {
  await closeAll(browser);
  await app?.stop();
});

describe('evidence in the UI', () => {
  it('shows the warning stored with a capture of one genre, and none with the shuffled one', async () => {
    await page.goto(`${app.origin}/#/neurons/${newsId}`);
    await expect(page.getByTestId('dataset-warnings').textContent()).resolves.toMatch(/Covers one value of "genre" only \(genre = news/);
    await screenshot(page, 'evidence-capture-warning');
    await page.goto(`${app.origin}/#/neurons/${shuffledId}`);
    await page.getByTestId('neuron-table').waitFor();
    expect(await page.getByTestId('dataset-warnings').count()).toBe(0);
  });

  it('lists only the contexts where a rare neuron fired, each on one line, and says it fired on k tokens', async () => {
    const rare = await cliJson<{ neurons: Array<{ layer: number; neuron: number; fire_count: number }> }>(app.dataDir, ['neurons', '--dataset', String(shuffledId), '--rare', String((TOP_K - 1) / 20000), '--sort', 'fire_count', '--json']);
    const n = rare.neurons.find((x) => x.fire_count > 0 && x.fire_count < TOP_K);
    expect(n).toBeDefined();
    await page.goto(`${app.origin}/#/neurons/${shuffledId}/${n!.layer}/${n!.neuron}`);
    await page.getByTestId('neuron-contexts').waitFor();
    const values = await page.getByTestId('neuron-context').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-value'))));
    expect(values).toHaveLength(n!.fire_count);
    expect(values.every((v) => v > 0)).toBe(true);
    await expect(page.getByTestId('neuron-contexts-note').textContent()).resolves.toContain(`Fired on ${n!.fire_count} token`);
    // one line per context: no line break in the text, and each row one line high
    const texts = await page.locator('[data-testid="neuron-context"] .context-text').evaluateAll((els) => els.map((e) => ({ text: e.textContent ?? '', height: e.getBoundingClientRect().height, line: parseFloat(getComputedStyle(e).lineHeight) || 20 })));
    for (const t of texts) {
      expect(t.text).not.toMatch(/\n/);
      expect(t.height).toBeLessThan(t.line * 1.6);
    }
    await screenshot(page, 'evidence-rare-neuron');
  });

  it("shades every token of a common neuron's whole contexts by its recomputed activation, with a legend", async () => {
    const common = await cliJson<{ neurons: Array<{ layer: number; neuron: number }> }>(app.dataDir, ['neurons', '--dataset', String(shuffledId), '--sort', 'fire_count', '--limit', '1', '--json']);
    const n = common.neurons[0]!;
    await page.goto(`${app.origin}/#/neurons/${shuffledId}/${n.layer}/${n.neuron}`);
    await page.getByTestId('context-shading-legend').waitFor({ timeout: 120_000 });
    const rows = page.locator('[data-testid="neuron-context"][data-shaded="true"]');
    expect(await rows.count()).toBe(TOP_K);
    for (let r = 0; r < TOP_K; r++) {
      const row = rows.nth(r);
      const value = Number(await row.getAttribute('data-value'));
      const tokens = await row.getByTestId('context-token').evaluateAll((els) => els.map((e) => ({ peak: e.tagName === 'MARK', activation: Number(e.getAttribute('data-activation')), shade: Number(getComputedStyle(e).getPropertyValue('--shade')) })));
      // a whole window, not the peak and a few neighbours, and exactly one peak: the token the capture stored
      expect(tokens.length).toBeGreaterThan(12);
      const peaks = tokens.filter((t) => t.peak);
      expect(peaks).toHaveLength(1);
      expect(Math.abs(peaks[0]!.activation - value)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(value)));
      expect(peaks[0]!.shade).toBeGreaterThan(0);
      // shaded by activation: the tokens take more than one shade, and a token where the neuron is 0 none
      expect(new Set(tokens.map((t) => t.shade)).size).toBeGreaterThan(1);
      for (const t of tokens) if (t.activation === 0) expect(t.shade).toBe(0);
      // the line opens on the peak token, however far into the window it is
      const seen = await row.locator('.context-whole').evaluate((line) => {
        const a = line.getBoundingClientRect();
        const p = line.querySelector('mark')!.getBoundingClientRect();
        return p.left >= a.left - 1 && p.right <= a.right + 1;
      });
      expect(seen).toBe(true);
    }
    await page.getByTestId('neuron-contexts').scrollIntoViewIfNeeded();
    await screenshot(page, 'evidence-shaded-contexts');
  }, 180_000);

  it('draws the activation histogram with a log count axis on request, ticks at round values', async () => {
    const common = await cliJson<{ neurons: Array<{ layer: number; neuron: number }> }>(app.dataDir, ['neurons', '--dataset', String(shuffledId), '--sort', 'fire_count', '--limit', '1', '--json']);
    const n = common.neurons[0]!;
    await page.goto(`${app.origin}/#/neurons/${shuffledId}/${n.layer}/${n.neuron}`);
    const figure = page.getByTestId('neuron-histogram');
    await figure.waitFor();
    const xTicks = await figure.locator('.x-axis text').allTextContents();
    expect(xTicks.length).toBeGreaterThan(1);
    // round values: at most 2 significant digits (1, 2 or 5 x 10^k steps)
    for (const t of xTicks) expect(t.replace(/[−.k]/g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(2);
    await page.getByTestId('histogram-log').check();
    await expect(figure.textContent()).resolves.toContain('log scale');
    const yTicks = await figure.locator('.y-axis text').allTextContents();
    expect(yTicks.slice(0, 3)).toEqual(['1', '10', '100']);
    await screenshot(page, 'evidence-histogram-log');
  });

  it('lists every detector threshold with its value, and re-judges when one changes', async () => {
    await page.goto(`${app.origin}/#/neurons/${shuffledId}`);
    await page.getByTestId('neuron-table').waitFor();
    await page.locator('[data-testid="detector-thresholds"] summary').click();
    await expect(page.getByTestId('threshold-heavyTailed.threshold').inputValue()).resolves.toBe('10');
    await expect(page.getByTestId('threshold-heavyTailed.minFiring').inputValue()).resolves.toBe('100');
    await expect(page.getByTestId('threshold-rare.bound').inputValue()).resolves.toBe('0.001');
    await expect(page.getByTestId('threshold-massive.minRatio').inputValue()).resolves.toBe('20');
    expect(await page.locator('[data-testid^="threshold-"][data-testid*="."]').count()).toBe(16);
    await page.getByTestId('filter-rare').click();
    await page.waitForFunction(() => /neurons/.test(document.querySelector('[data-testid="neuron-count"]')?.textContent ?? ''));
    const before = await page.getByTestId('neuron-count').textContent();
    // a bound ten times lower calls fewer neurons rare
    await page.getByTestId('threshold-rare.bound').fill('0.0001');
    await page.getByTestId('threshold-rare.bound').press('Enter');
    await page.waitForFunction((b) => document.querySelector('[data-testid="neuron-count"]')?.textContent !== b, before);
    const count = (text: string | null) => Number(/([\d,]+) neurons/.exec(text ?? '')?.[1]?.replace(/,/g, '') ?? Number.NaN);
    expect(count(await page.getByTestId('neuron-count').textContent())).toBeLessThan(count(before));
    await expect(page.getByTestId('detector-thresholds').locator('summary').textContent()).resolves.toContain('1 changed');
    await page.getByTestId('threshold-rare.bound').fill('x');
    await page.getByTestId('threshold-rare.bound').press('Enter');
    await expect(page.getByTestId('threshold-error').textContent()).resolves.toContain('must be a number');
    await screenshot(page, 'evidence-thresholds');
  });

  it('offers the document order in the capture form, shuffled by default', async () => {
    await page.getByTestId('nav-datasets').click();
    await expect(page.getByTestId('capture-order').inputValue()).resolves.toBe('shuffled');
    await page.getByTestId('capture-order').selectOption('stratified');
    await expect(page.getByTestId('capture-stratifyBy').inputValue()).resolves.toBe('genre');
    await screenshot(page, 'evidence-capture-order');
  });
});
