// Capture through the UI of the real app: the planted GELU/GPT-2 fixture (char-level tokenizer;
// silent and never-positive neurons planted, native-models/fixtures/planted/gelu-gpt2/truth.json)
// run over the Brown corpus from the Datasets page (progress in the Jobs drawer (status bar, j)), then the neurons
// table with the Dead and Never-positive filters, and one neuron's page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { charModel, cliJson, projectRoot, startApp, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll } from './support/browser.js';
import { job, startJob, waitForJobState } from './support/jobs-ui.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let datasetId: number;

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', path.join(projectRoot, 'native-models', 'fixtures', 'planted', 'gelu-gpt2'), '--name', 'planted-gelu']);
  await cliJson(app.dataDir, ['import', charModel(), '--name', 'char-gpt2']);
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

describe('capture in the UI', () => {
  it('captures 20,000 tokens from the Datasets page with progress in the Jobs drawer (status bar, j)', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('datasets-empty').waitFor();
    await page.getByTestId('capture-max-tokens').fill('20000');
    await page.getByTestId('capture-seq-len').fill('64');
    await page.getByTestId('capture-model').selectOption({ label: 'planted-gelu (3 × 128)' });
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

  it('lists the neurons and filters the silent (dead) ones: exactly the planted ones, not the never-positive decoys', async () => {
    await page.getByTestId('dataset-row').click();
    await page.waitForURL(new RegExp(`#/neurons/${datasetId}$`));
    await page.getByTestId('neuron-table').waitFor();
    const count = await page.getByTestId('neuron-count').textContent();
    expect(count).toContain('384 neurons'); // 3 layers × 128
    // windowed: fewer rows in the DOM than neurons
    const rendered = await page.getByTestId('neuron-row').count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(384);
    const truth = JSON.parse(fs.readFileSync(path.join(projectRoot, 'native-models', 'fixtures', 'planted', 'gelu-gpt2', 'truth.json'), 'utf8')) as Record<string, Array<{ layer: number; neuron: number }>>;
    const planted = (kind: string) => truth[kind]!.map((n) => `${n.layer}:${n.neuron}`).sort();
    const shown = () => page.getByTestId('neuron-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-layer')}:${r.getAttribute('data-neuron')}`).sort());
    await page.getByTestId('filter-never-positive').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="neuron-count"]')?.textContent?.startsWith('384 '));
    await expect(shown()).resolves.toEqual(planted('never_positive'));
    await page.getByTestId('filter-never-positive').click();
    await page.getByTestId('filter-dead').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="neuron-count"]')?.textContent?.startsWith(`${n} `), truth.dead!.length);
    await expect(shown()).resolves.toEqual(planted('dead'));
    const verdicts = await page.getByTestId('neuron-row').evaluateAll((rows) => rows.map((r) => r.querySelector('[data-verdict="dead"]') !== null));
    expect(verdicts.every(Boolean)).toBe(true);
    await screenshot(page, 'capture-neurons-dead');
    // a dead neuron's page says why, in words
    await page.getByTestId('neuron-row').first().click();
    await page.getByTestId('neuron-detail').waitFor();
    const said = await page.getByTestId('neuron-verdict').first().textContent();
    expect(said).toMatch(/\|output\| never above 0 in 20,000 tokens, within ε = /);
    expect(said).toMatch(/95% upper bound on the share of tokens above ε 0\.015%\)\. Zero ablation moves its output by at most 0 per token, the residual stream by at most 0 \(L2\)/);
    await screenshot(page, 'capture-neuron-dead');
    await page.getByTestId('neuron-back').click();
    await page.getByTestId('filter-dead').waitFor();
    // filters reset when the list is opened again
    await page.waitForFunction(() => document.querySelector('[data-testid="neuron-count"]')?.textContent?.startsWith('384 '));
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

  it('shows the massive residual dims of a capture and the weight that writes them', async () => {
    // the planted ReLU/OPT fixture: dim 29 is massive from layer 1 on, written by W_out[29, 120] of layer 1
    await cliJson(app.dataDir, ['import', path.join(projectRoot, 'native-models', 'fixtures', 'planted', 'relu-opt'), '--name', 'planted-opt']);
    const { dataset } = (await cliJson(app.dataDir, ['capture', '--model', 'planted-opt', '--corpus', 'brown', '--seq-len', '128', '--documents', '1', '--max-tokens', '3000', '--samples', '200', '--name', 'planted'])) as { dataset: { id: number } };
    // made outside the app: reload so that the page lists it
    await page.evaluate((hash) => (window.location.hash = hash), `#/neurons/${dataset.id}`);
    await page.reload();
    const section = page.getByTestId('massive-dims');
    await section.getByTestId('massive-dim-row').first().waitFor();
    await expect(section.getByTestId('massive-dim-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dim')))).resolves.toEqual(['29']);
    const candidate = section.getByTestId('super-weight-row').first();
    await expect(candidate.textContent()).resolves.toMatch(/^29\s*1\s*120.*candidate$/);
    await screenshot(page, 'capture-massive-dims');
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
