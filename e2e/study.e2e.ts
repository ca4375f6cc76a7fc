// A cluster study opened in the app: a 2-shard capture planned and run shard by shard from the
// command line (as Slurm array tasks would run them), then, on the Datasets page, "Open a cluster
// study": with one shard done the status says so and the partial import is marked partial; with
// both done the merged capture is imported whole, with the tokens of the unsharded capture.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { charModel, cliJson, startApp, tempDir, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, screenshot } from './support/browser.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let study: string;
let model: string;
const flags = ['--seq-len', '32', '--batch', '1', '--top-k', '3', '--samples', '6'];

beforeAll(async () => {
  app = await startApp();
  model = charModel();
  const corpus = path.join(tempDir(), 'six.jsonl');
  const words = 'the jury said that city of election was an and to in for its on his were by had at grand county'.split(' ');
  fs.writeFileSync(corpus, Array.from({ length: 6 }, (_, d) => JSON.stringify({ text: Array.from({ length: 20 + 4 * d }, (_, i) => words[(d * 3 + i * 5) % words.length]).join(' ') })).join('\n'));
  // planned in a database of its own, as on a cluster's login node
  const login = tempDir();
  await cliJson(login, ['import', model]);
  await cliJson(login, ['corpus', 'import', corpus, '--name', 'six']);
  study = path.join(tempDir(), 'study');
  await cliJson(login, ['cluster', 'plan', 'capture', '--model', model, '--corpus', 'six', ...flags, '--shards', '2', '--out', study, '--name', 'six on cluster']);
  await cliJson(login, ['shard', 'run', study, '--index', '0']);
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

describe('a cluster study in the app', () => {
  it('shows where the shards stand, imports what is done as partial, then the merged whole', async () => {
    await page.getByTestId('nav-datasets').click();
    const card = page.getByTestId('study-card');
    await card.waitFor();
    await card.getByTestId('study-dir').fill(study);
    await card.getByTestId('study-check').click();
    await expect(card.getByTestId('study-status').textContent()).resolves.toContain('"six on cluster" (capture): 1 of 2 shards done; to resubmit: 1');
    await expect(card.getByTestId('study-import').isDisabled()).resolves.toBe(true);
    await card.getByTestId('study-import-partial').click();
    await expect(card.getByTestId('study-done').textContent()).resolves.toMatch(/Imported partial six on cluster \(partial: 1 of 2 shards\) from shards 0\./);
    await page.locator('[data-testid="dataset-row"]', { hasText: 'partial: 1 of 2 shards' }).waitFor();

    await cliJson(tempDir(), ['shard', 'run', study, '--index', '1']);
    await card.getByTestId('study-check').click();
    await expect(card.getByTestId('study-status').textContent()).resolves.toContain('2 of 2 shards done');
    await card.getByTestId('study-import').click();
    await expect(card.getByTestId('study-done').textContent()).resolves.toMatch(/Imported six on cluster from shards 0, 1\./);
    const row = page.locator('[data-testid="dataset-row"]', { hasText: /six on cluster(?! \(partial)/ });
    await row.waitFor();
    // the unsharded capture of the same study, here, counts the same tokens
    const whole = (await cliJson<{ dataset: { tokens: number } }>(app.dataDir, ['capture', '--model', model, '--corpus', 'six', ...flags])).dataset;
    await expect(row.textContent()).resolves.toContain(whole.tokens.toLocaleString('en-US'));
    await screenshot(page, 'study-imported');
    await card.screenshot({ path: path.join(path.dirname(await screenshot(page, 'study-page')), 'study-card.png') });
  });
});
