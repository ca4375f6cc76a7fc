// Capture through the UI of the real app: a tiny GPT-2 fixture with a char-level tokenizer run
// over the Brown corpus from the Datasets page (progress in the Jobs panel), then the neurons
// table with the Dead filter, and one neuron's page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charModel, cliJson, startApp, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll } from './support/browser.js';
import { job, startJob, waitForJobState } from './support/jobs-ui.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let datasetId: number;

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', charModel(), '--name', 'char-gpt2']);
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

describe('capture in the UI', () => {
  it('captures 20,000 tokens from the Datasets page with progress in the Jobs panel', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('datasets-empty').waitFor();
    await page.getByTestId('capture-max-tokens').fill('20000');
    await page.getByTestId('capture-seq-len').fill('64');
    // a high firing threshold, so that the tiny model has neurons that never fire
    await page.getByTestId('capture-threshold').fill('2');
    await page.getByTestId('capture-name').fill('brown-20k');
    // every progress line the job item shows, as it changes
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressTexts: string[] }).progressTexts = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="job-progress-text"]')) {
          const text = el.textContent ?? '';
          if (seen.at(-1) !== text) seen.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const id = await startJob(page, () => page.getByTestId('capture-start').click());
    await page.getByTestId('capture-started').waitFor();
    await waitForJobState(page, id, 'done');
    const texts = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts);
    expect(texts.some((t) => /tokens/.test(t))).toBe(true);
    await expect(job(page, id).getByTestId('job-progress-text').textContent()).resolves.toContain('20,000');
    const row = page.getByTestId('dataset-row');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('brown-20k');
    await expect(row.textContent()).resolves.toContain('20,000');
    datasetId = Number(await row.getAttribute('data-dataset-id'));
    await screenshot(page, 'capture-datasets');
  });

  it('lists the neurons and filters the dead ones', async () => {
    await page.getByTestId('dataset-row').click();
    await page.waitForURL(new RegExp(`#/neurons/${datasetId}$`));
    await page.getByTestId('neuron-table').waitFor();
    const count = await page.getByTestId('neuron-count').textContent();
    expect(count).toContain('256 neurons'); // 2 layers × 128
    // windowed: fewer rows in the DOM than neurons
    const rendered = await page.getByTestId('neuron-row').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(256);
    await page.getByTestId('filter-dead').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="neuron-count"]')?.textContent?.startsWith('256 '));
    await page.getByTestId('neuron-row').first().waitFor();
    const verdicts = await page.getByTestId('neuron-row').evaluateAll((rows) => rows.map((r) => r.querySelector('[data-verdict="dead"]') !== null));
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every(Boolean)).toBe(true);
    await screenshot(page, 'capture-neurons-dead');
    // a dead neuron's page says why, in words
    await page.getByTestId('neuron-row').first().click();
    await page.getByTestId('neuron-detail').waitFor();
    await expect(page.getByTestId('neuron-verdict').first().textContent()).resolves.toMatch(/never fired \(activation above 2\) in 20,000 tokens \(95% upper bound on fire rate 0\.015%\)/);
    await screenshot(page, 'capture-neuron-dead');
    await page.getByTestId('neuron-back').click();
    await page.getByTestId('filter-dead').waitFor();
    // filters reset when the list is opened again
    await page.waitForFunction(() => document.querySelector('[data-testid="neuron-count"]')?.textContent?.startsWith('256 '));
  });

  it('opens one neuron with its statistics, contexts and tokens', async () => {
    await page.getByTestId('neuron-sort').selectOption('max');
    const first = page.getByTestId('neuron-row').first();
    await page.waitForFunction(() => document.querySelector('[data-testid="neuron-table"]')?.getAttribute('aria-busy') === 'false');
    const layer = await first.getAttribute('data-layer');
    const neuron = await first.getAttribute('data-neuron');
    await first.click();
    const detail = page.getByTestId('neuron-detail');
    await detail.waitFor();
    await page.waitForURL(new RegExp(`#/neurons/${datasetId}/${layer}/${neuron}$`));
    await expect(page.getByTestId('neuron-title').textContent()).resolves.toBe(`Layer ${layer}, neuron ${neuron}`);
    await page.getByTestId('neuron-stats').waitFor();
    await expect(page.getByTestId('neuron-stats').textContent()).resolves.toContain('20,000');
    const contexts = page.getByTestId('neuron-context');
    await expect(contexts.count()).resolves.toBeGreaterThan(0);
    await expect(contexts.first().locator('mark').count()).resolves.toBe(1);
    await expect(page.getByTestId('neuron-promoted').locator('li').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'capture-neuron');
  });

  it('merges two captures of disjoint documents from the Datasets page', async () => {
    const half = async (skip: number) =>
      ((await cliJson(app.dataDir, ['capture', '--model', 'char-gpt2', '--corpus', 'brown', '--seq-len', '64', '--threshold', '2', '--skip-documents', String(skip), '--documents', '1', '--max-tokens', '3000', '--name', `doc ${skip}`])) as { dataset: { id: number; tokens: number } }).dataset;
    const [a, b] = [await half(0), await half(1)];
    await page.getByTestId('nav-datasets').click();
    await page.reload();
    const card = page.getByTestId('merge-card');
    await card.waitFor();
    await card.getByTestId('merge-sources').selectOption([String(a.id), String(b.id)]);
    await card.getByTestId('merge-name').fill('two documents');
    await card.getByTestId('merge-start').click();
    await expect(card.getByTestId('merge-done').textContent()).resolves.toContain(`${(a.tokens + b.tokens).toLocaleString('en-US')} tokens`);
    await page.locator('[data-testid="dataset-row"]', { hasText: 'two documents' }).waitFor();
  });
});
