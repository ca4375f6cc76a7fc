// Ablation through the UI of the real app: a tiny OPT checkpoint (ReLU) with two planted dead
// neurons and a capture of a few thousand tokens of short documents; from the Ablation page, ablate the dead set
// against a matched random control (progress shown while it runs), open the result (both
// conditions with intervals), export the comparison figure; then the playground.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optWithConstantNeurons } from '../electron/jobs/test-support.js';
import { api, cliJson, startApp, tempDir, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, saveDownload, screenshot, closeAll } from './support/browser.js';
import { job, startJob, waitForJobState } from './support/jobs-ui.js';

/** zero input weights and bias -1 under ReLU: never fire */
const DEAD = [
  [0, 7],
  [1, 30],
] as const;

let app: RunningApp;
let browser: Browser;
let page: Page;
const saved = tempDir('ffn-e2e-ablation-');

/** A copy of the OPT fixture with a char-level tokenizer and the DEAD neurons planted. */
const optWithDeadNeurons = () => optWithConstantNeurons(DEAD.map(([layer, neuron]) => ({ layer, neuron, bias: -1 })));

/** 40 documents of about 300 characters (Brown's run to 10,000 characters), so a small evaluation spans many documents. */
function writeShortDocuments(): string {
  const words = 'the jury said that city of election was an and to in for its on his were by had at grand county been no evidence manner'.split(' ');
  const file = path.join(tempDir('ffn-e2e-short-'), 'short.jsonl');
  const docs = Array.from({ length: 40 }, (_, i) => {
    const text = Array.from({ length: 55 }, (_, j) => words[(i * 11 + j * 7 + ((i * j) % 5)) % words.length]).join(' ');
    return JSON.stringify({ text: `${text[0]!.toUpperCase()}${text.slice(1)}.`, genre: i % 2 ? 'news' : 'fiction' });
  });
  fs.writeFileSync(file, docs.join('\n') + '\n');
  return file;
}

/** Waits until the element's text is `text` (the UI updates after the click's answer arrives). */
async function textIs(testId: string, text: string): Promise<void> {
  try {
    await page.waitForFunction(({ testId, text }) => document.querySelector(`[data-testid="${testId}"]`)?.textContent === text, { testId, text }, { timeout: 15_000 });
  } catch {
    const shown = await page.evaluate((testId) => document.querySelector(`[data-testid="${testId}"]`)?.textContent ?? null, testId);
    throw new Error(`${testId} shows ${JSON.stringify(shown)}, expected ${JSON.stringify(text)}`);
  }
}

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', optWithDeadNeurons(), '--name', 'opt-dead']);
  await cliJson(app.dataDir, ['corpus', 'import', writeShortDocuments(), '--name', 'short']);
  const model = (await api<{ id: number }[]>(app, 'model.list'))[0]!;
  const corpus = (await api<{ id: number }[]>(app, 'corpus.list'))[0]!;
  await cliJson(app.dataDir, ['capture', '--model', String(model.id), '--corpus', String(corpus.id), '--max-tokens', '3000', '--seq-len', '64', '--name', 'short-3k']);
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

const exportFile = (testId: string) => saveDownload(page, testId, saved);

describe('ablation in the UI', () => {
  it('ablates the dead set against a matched random control and shows both with intervals', async () => {
    await page.getByTestId('nav-ablation').click();
    await page.getByTestId('ablation-empty').waitFor();
    const form = page.getByTestId('ablate-form');
    // the capture defaults to the model's newest; the set to its dead verdict, with a control
    await expect(form.getByTestId('ablate-datasetId').inputValue()).resolves.not.toBe('none');
    await expect(form.getByTestId('ablate-control').isChecked()).resolves.toBe(true);
    // evaluate on documents the capture did not see
    await form.getByTestId('ablate-offset').fill('20');
    await form.getByTestId('ablate-documents').fill('8');
    await form.getByTestId('ablate-maxTokens').fill('4000');
    await form.getByTestId('ablate-resamples').fill('200');
    await form.getByTestId('ablate-seqLen').fill('64');
    await form.getByTestId('ablate-name').fill('dead vs random');

    // a bad field is refused in words before any job starts
    await form.getByTestId('ablate-resamples').fill('many');
    await form.getByTestId('ablate-start').click();
    await textIs('ablate-error', 'Bootstrap resamples must be a whole number of at least 0.');
    await form.getByTestId('ablate-resamples').fill('200');

    const id = await startJob(page, () => form.getByTestId('ablate-start').click());
    const status = form.getByTestId('ablate-job');
    await status.waitFor();
    await screenshot(page, 'ablation-overview');
    await waitForJobState(page, id, 'done');
    await expect(job(page, id).getByTestId('job-progress-text').textContent()).resolves.toMatch(/^[\d,]+ \/ [\d,]+ tokens$/);
    await status.getByTestId('ablate-job-open').click();

    const result = page.getByTestId('ablation-result');
    await result.waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('dead vs random');
    const rows = page.getByTestId('condition-table').getByTestId('condition-row');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(0).getAttribute('data-condition')).resolves.toBe('intact');
    await expect(rows.nth(1).getAttribute('data-condition')).resolves.toBe('dead');
    await expect(rows.nth(2).getAttribute('data-condition')).resolves.toBe('random control (seed 0)');
    for (const i of [1, 2]) {
      const row = rows.nth(i);
      await expect(row.textContent()).resolves.toContain('L0: 1 · L1: 1');
      for (const metric of ['loss', 'delta_loss', 'kl', 'top1_agreement']) {
        await expect(row.locator(`[data-metric="${metric}"]`).textContent()).resolves.toMatch(/^\S+ \[\S+, \S+\]$/);
      }
    }
    // switching off neurons that never fire changes nothing; the random pair does
    await expect(rows.nth(1).locator('[data-metric="top1_agreement"]').textContent()).resolves.toBe('1 [1, 1]');
    await expect(rows.nth(2).locator('[data-metric="kl"]').textContent()).resolves.not.toMatch(/^0 /);
    await expect(page.getByTestId('provenance-sha').textContent()).resolves.toMatch(/^[0-9a-f]{64}$/);
    await expect(page.getByTestId('document-row').count()).resolves.toBe(8);
    await expect(page.getByTestId('hurt-row').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'ablation-result');

    // the comparison figure: one row per condition, exported as SVG and as a PNG at twice its size
    const chart = page.getByTestId('chart-ablation-delta-loss');
    await expect(chart.locator('circle').count()).resolves.toBe(2);
    const svg = fs.readFileSync((await exportFile('export-ablation-delta-loss-svg')).file, 'utf8');
    const parsed = await page.evaluate((xml) => {
      const doc = new DOMParser().parseFromString(xml, 'image/svg+xml');
      const root = doc.documentElement;
      return { root: root.localName, error: doc.getElementsByTagName('parsererror').length, width: Number(root.getAttribute('width')), height: Number(root.getAttribute('height')), texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
    }, svg);
    expect(parsed).toMatchObject({ root: 'svg', error: 0 });
    expect(parsed.texts).toContain('Δ loss vs intact (nats/token)');
    expect(parsed.texts).toContain('dead (2)');
    const png = fs.readFileSync((await exportFile('export-ablation-delta-loss-png-2x')).file);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([parsed.width * 2, parsed.height * 2]);
  });

  it('saves a condition as a neuron set and compares two runs side by side', async () => {
    const save = page.getByTestId('save-condition-0');
    await save.click();
    await page.getByTestId('save-condition-0-name').fill('planted dead');
    await page.getByTestId('save-condition-0-confirm').click();
    await textIs('save-condition-0-saved', 'Saved “planted dead” (2 neurons).');

    const id = await startJob(page, () => page.getByTestId('rerun').click());
    await waitForJobState(page, id, 'done');
    await page.getByTestId('rerun-job-open').click();
    await page.waitForURL(/#\/ablation\/2$/);
    await page.getByTestId('ablation-back').click();
    await page.getByTestId('run-row').nth(1).waitFor();
    await expect(page.getByTestId('run-row').count()).resolves.toBe(2);
    for (const box of await page.getByTestId('run-select').all()) await box.check();
    await page.getByTestId('compare-runs').click();
    const sides = page.getByTestId('compare-side');
    for (const i of [0, 1]) await sides.nth(i).locator('table').waitFor();
    await expect(sides.count()).resolves.toBe(2);
    // a re-run with the same seed is the same run: the tables agree cell for cell
    const [a, b] = await Promise.all([0, 1].map((i) => sides.nth(i).locator('table tbody').textContent()));
    expect(a).toBe(b);
    await screenshot(page, 'ablation-compare');
  });

  it('sweeps growing fractions by fire rate beside matched random sets and draws the curves', async () => {
    await page.getByTestId('ablation-back').click();
    const form = page.getByTestId('sweep-form');
    await form.getByTestId('sweep-fractions').fill('5% 0.2');
    await form.getByTestId('sweep-maxTokens').fill('600');
    await form.getByTestId('sweep-resamples').fill('50');
    await form.getByTestId('sweep-seqLen').fill('64');
    const id = await startJob(page, () => form.getByTestId('sweep-start').click());
    await waitForJobState(page, id, 'done');
    await form.getByTestId('sweep-job-open').click();
    await page.locator('[data-testid="ablation-result"][data-kind="sweep"]').waitFor();
    const labels = await page.getByTestId('condition-table').getByTestId('condition-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-condition')));
    expect(labels).toEqual(['intact', 'fire_rate 5%', 'random 5%', 'fire_rate 20%', 'random 20%']);
    const chart = page.getByTestId('chart-sweep-delta-loss');
    // two series of the intact point and two fractions, with their bands and a legend
    await expect(chart.locator('g.curve').count()).resolves.toBe(2);
    await expect(chart.locator('g.curve circle').count()).resolves.toBe(6);
    await expect(chart.locator('g.legend text').allTextContents()).resolves.toEqual(['fire_rate', 'random']);
    await screenshot(page, 'ablation-sweep');
  });

  it('the playground switches neurons off as they are toggled', async () => {
    await page.goto(`${app.origin}/#/ablation/playground`);
    await page.getByTestId('playground').waitFor();
    await page.getByTestId('pg-prompt').fill('The jury said');
    await page.getByTestId('pg-max-new').fill('8');
    const upToDate = () => page.waitForFunction(() => document.querySelector('[data-testid="pg-status"]')?.textContent === 'Up to date.');
    const kl = async () => Number((await page.getByTestId('pg-kl').textContent())!.split(' ')[0]);
    await upToDate();
    expect(await kl()).toBeLessThan(1e-9);

    // the dead neurons, from the capture's verdict: nothing changes
    await page.getByTestId('pg-add-verdict').click();
    await textIs('pg-active-count', '2 of 2 neurons switched off');
    await upToDate();
    expect(await kl()).toBeLessThan(1e-9);

    // live neurons typed in: the next token's distribution moves
    await page.getByTestId('pg-typed').fill('0:1 0:2 0:3 1:4 1:5 1:6');
    await page.getByTestId('pg-typed').press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="pg-facts"]')?.textContent?.includes('Neurons ablated8'));
    await upToDate();
    const moved = await kl();
    expect(moved).toBeGreaterThan(0);
    await expect(page.getByTestId('pg-intact').textContent()).resolves.not.toBe('—');
    await expect(page.getByTestId('pg-ablated').textContent()).resolves.not.toBe('—');
    await expect(page.getByTestId('pg-token').count()).resolves.toBe('The jury said'.length);
    await expect(page.getByTestId('chart-pg-next').locator('rect[fill="#D55E00"]').count()).resolves.toBeGreaterThan(0);

    // toggling the live ones back on leaves only the dead ones off again
    for (const n of ['0:1', '0:2', '0:3', '1:4', '1:5', '1:6']) await page.locator(`[data-testid="pg-neuron"][data-neuron="${n}"]`).uncheck();
    await page.waitForFunction(() => document.querySelector('[data-testid="pg-facts"]')?.textContent?.includes('Neurons ablated2'));
    await upToDate();
    expect(await kl()).toBeLessThan(1e-9);
    await screenshot(page, 'ablation-playground');
  });

  it("the playground sets single W_out weights: a live neuron's moves the model, a dead neuron's does not", async () => {
    // the page of the test above, with the two dead neurons still switched off
    const upToDate = () => page.waitForFunction(() => document.querySelector('[data-testid="pg-status"]')?.textContent === 'Up to date.');
    const kl = async () => Number((await page.getByTestId('pg-kl').textContent())!.split(' ')[0]);
    await page.getByTestId('pg-weight-typed').fill('1:30:5');
    await page.getByTestId('pg-add-weight').click();
    await textIs('pg-weights-set', '1');
    await upToDate();
    expect(await kl()).toBeLessThan(1e-9);
    await page.getByTestId('pg-weight-typed').fill('0:1:3=5');
    await page.getByTestId('pg-weight-typed').press('Enter');
    await textIs('pg-weights-set', '2');
    await upToDate();
    expect(await kl()).toBeGreaterThan(0);
    await expect(page.getByTestId('weight-picker').textContent()).resolves.toContain('W_out[0][1→3] = 5');
    await screenshot(page, 'ablation-playground-weights');
    await page.locator('[data-testid="pg-weight"][data-weight="0:1:3"]').uncheck();
    await textIs('pg-weights-set', '1');
    await upToDate();
    expect(await kl()).toBeLessThan(1e-9);
    await page.getByTestId('pg-weight-typed').fill('0:1:99');
    await page.getByTestId('pg-add-weight').click();
    await expect(page.getByTestId('pg-weight-error').textContent()).resolves.toMatch(/the residual stream has dims 0 to 31/);
  });

  it('the playground steers: strength x the capture means moves the model, strength 0 does not', async () => {
    // the page of the tests above: add live neurons, then switch the mode to Steer (weights are not sent)
    const upToDate = () => page.waitForFunction(() => document.querySelector('[data-testid="pg-status"]')?.textContent === 'Up to date.');
    const kl = async () => Number((await page.getByTestId('pg-kl').textContent())!.split(' ')[0]);
    // the live neurons the first playground test switched back on: tick them again
    for (const n of ['0:1', '0:2', '0:3', '1:4', '1:5', '1:6']) await page.locator(`[data-testid="pg-neuron"][data-neuron="${n}"]`).check();
    await page.getByTestId('pg-mode').selectOption('steer');
    await expect(page.getByTestId('pg-steer-capture').inputValue()).resolves.not.toBe('');
    await page.waitForFunction(() => document.querySelector('[data-testid="pg-facts"]')?.textContent?.includes('Neurons steered (means × 4)8'));
    await upToDate();
    expect(await kl()).toBeGreaterThan(0);
    await expect(page.getByTestId('pg-step-kl').textContent()).resolves.toMatch(/per step, nats: (\S+ · )+\S+$/);
    await expect(page.getByTestId('pg-steer-kl').textContent()).resolves.toMatch(/nats$/);
    await screenshot(page, 'ablation-playground-steer');
    await page.getByTestId('pg-strength').fill('0');
    await page.waitForFunction(() => document.querySelector('[data-testid="pg-facts"]')?.textContent?.includes('Neurons steered (means × 0)8'));
    await upToDate();
    expect(await kl()).toBeLessThan(1e-9);
    await expect(page.getByTestId('pg-intact').textContent()).resolves.toBe(await page.getByTestId('pg-ablated').textContent());
    // by value vectors: no capture asked for, the model moves again at a non-zero strength
    await page.getByTestId('pg-steer-by').selectOption('value');
    expect(await page.getByTestId('pg-steer-capture').count()).toBe(0);
    await page.getByTestId('pg-strength').fill('8');
    await page.waitForFunction(() => document.querySelector('[data-testid="pg-facts"]')?.textContent?.includes('Neurons steered (value vectors × 8)8'));
    await upToDate();
    expect(await kl()).toBeGreaterThan(0);
    await page.getByTestId('pg-steer-by').selectOption('mean');
    await page.getByTestId('pg-mode').selectOption('ablate');
  });

  it('saves ticked rows of the neuron table as a set, and unites two saved sets', async () => {
    const dataset = (await api<{ id: number }[]>(app, 'dataset.list'))[0]!;
    await page.goto(`${app.origin}/#/neurons/${dataset.id}`);
    await page.getByTestId('neuron-table').waitFor();
    for (const i of [0, 1]) await page.getByTestId('neuron-select').nth(i).check();
    // ticking a box does not open the neuron
    expect(page.url()).toMatch(new RegExp(`#/neurons/${dataset.id}$`));
    await textIs('selected-count', '2 selected (L0: 2)');
    await page.getByTestId('save-selection').click();
    await page.getByTestId('save-selection-name').fill('two rows');
    await page.getByTestId('save-selection-confirm').click();
    await textIs('save-selection-saved', 'Saved “two rows” (2 neurons).');

    // "select all matching" takes every neuron the filter matches, not only the rows in view
    await page.getByTestId('select-clear').click();
    await page.getByTestId('filter-dead').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="select-all"]')?.textContent === 'Select all 2 matching');
    await page.getByTestId('select-all').click();
    await textIs('selected-count', '2 selected (L0: 1 · L1: 1)');

    const sets = page.getByTestId('neuron-sets');
    await sets.getByTestId('set-row').nth(1).waitFor();
    await sets.getByTestId('set-a').selectOption({ label: 'planted dead' });
    await sets.getByTestId('set-b').selectOption({ label: 'two rows' });
    await sets.getByTestId('set-algebra-save').click();
    await textIs('set-algebra-message', 'Saved “planted dead ∪ two rows” (4 neurons).');
    await sets.getByTestId('set-row').nth(2).waitFor();
    await expect(sets.getByTestId('set-row').nth(2).textContent()).resolves.toContain('L0: 3 · L1: 1');
    await screenshot(page, 'ablation-neuron-sets');

    // a saved set opens in the playground switched off
    await sets.getByTestId('set-row').nth(2).getByText('Try in the playground').click();
    await page.getByTestId('playground').waitFor();
    await textIs('pg-active-count', '4 of 4 neurons switched off');
  });

  it('ablates single W_out weights from the New-ablation form, beside a rank-matched random weight', async () => {
    await page.getByTestId('nav-ablation').click();
    const form = page.getByTestId('ablate-form');
    await form.waitFor();
    await form.getByTestId('ablate-setKind').selectOption('weights');
    await form.getByTestId('ablate-weights').fill('0:10:5');
    await form.getByTestId('ablate-offset').fill('20');
    await form.getByTestId('ablate-documents').fill('4');
    await form.getByTestId('ablate-maxTokens').fill('1500');
    await form.getByTestId('ablate-resamples').fill('100');
    await form.getByTestId('ablate-seqLen').fill('64');
    await form.getByTestId('ablate-name').fill('one weight');
    const id = await startJob(page, () => form.getByTestId('ablate-start').click());
    await waitForJobState(page, id, 'done');
    await form.getByTestId('ablate-job').getByTestId('ablate-job-open').click();
    await page.getByTestId('ablation-result').waitFor();
    const rows = page.getByTestId('condition-table').getByTestId('condition-row');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(1).textContent()).resolves.toContain('W_out[0][10→5] = 0');
    await screenshot(page, 'ablation-weight-form');
  });
});
