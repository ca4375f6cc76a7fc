// Attaching a tokenizer on a model's page in the real app: a model imported without one shows
// none; a malformed tokenizer.json is refused with the reader's message; a good one is attached
// (the tokenizer fact names it) and can be detached again.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, charModel, projectRoot, startApp, tempDir, until, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, closeAll } from './support/browser.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let modelId: number;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  page = await openApp(browser, app);
  await api(app, 'model.import', { path: path.join(projectRoot, 'native-models', 'fixtures', 'gpt2'), name: 'bare' });
  modelId = await until('the imported model', async () => (await api<Array<{ id: number; name: string }>>(app, 'model.list')).find((m) => m.name === 'bare')?.id, 120_000);
}, 300_000);

afterAll(() => closeAll(browser));

describe('attach a tokenizer on the Models page', () => {
  it('refuses a malformed one, attaches a good one, and detaches it', async () => {
    await page.goto(`${app.origin}/#/models/${modelId}`);
    await page.getByTestId('model-detail').waitFor();
    await expect(page.getByTestId('model-tokenizer').textContent()).resolves.toContain('none');

    const bad = path.join(tempDir('ffn-e2e-badtok-'), 'tokenizer.json');
    fs.writeFileSync(bad, '{"model": ');
    await page.getByTestId('tokenizer-path').fill(bad);
    await page.getByTestId('tokenizer-attach-submit').click();
    await expect(page.getByTestId('tokenizer-attach-error').textContent()).resolves.toMatch(/is not valid JSON/);

    const good = path.join(charModel(), 'tokenizer.json');
    await page.getByTestId('tokenizer-path').fill(good);
    await page.getByTestId('tokenizer-attach-submit').click();
    await page.getByTestId('model-tokenizer').filter({ hasText: `attached ${good}` }).waitFor();
    await expect(page.getByTestId('tokenizer-attach-error').count()).resolves.toBe(0);

    await page.getByTestId('tokenizer-detach').click();
    await page.getByTestId('model-tokenizer').filter({ hasText: 'none' }).waitFor();
    await expect(page.getByTestId('tokenizer-detach').count()).resolves.toBe(0);
  }, 300_000);
});
