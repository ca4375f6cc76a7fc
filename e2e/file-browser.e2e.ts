// Browser mode confined to the folders it was started with (--allow-dir), and its file browser:
// the real app and real Chromium. The browser lists the roots, walks into the shipped demo
// models by keyboard, picks a demo model (marked with its architecture), imports it; a folder
// outside the roots is refused in words; /etc/passwd cannot be imported and read back through
// the API; malformed requests get 400 / 413 from the running app, never a 500.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, projectRoot, request, startApp, tempDir, type ApiJob, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, screenshot } from './support/browser.js';
import { startJob, waitForJobState } from './support/jobs-ui.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let allowed: string;
const demoDir = fs.realpathSync(path.join(projectRoot, 'native-models', 'demo'));

beforeAll(async () => {
  allowed = fs.realpathSync(tempDir('ffn-e2e-allowed-'));
  fs.mkdirSync(path.join(allowed, 'texts'));
  fs.writeFileSync(path.join(allowed, 'texts', 'news.jsonl'), '{"text":"One short document."}\n{"text":"And another one."}\n');
  app = await startApp(undefined, { allowDirs: [allowed] });
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

/** The browser's entries, by name, with their marks as the user reads them. */
async function entries(dialog: Locator): Promise<Map<string, string>> {
  const rows = dialog.getByTestId('model-file-browser-entry');
  const out = new Map<string, string>();
  for (const row of await rows.all()) out.set((await row.getAttribute('data-name')) ?? '', (await row.textContent()) ?? '');
  return out;
}

/** Arrow keys in the list until the entry `name` is the active one. */
async function moveTo(dialog: Locator, name: string): Promise<void> {
  const list = dialog.getByRole('listbox');
  await list.focus();
  const names = await dialog.getByTestId('model-file-browser-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  const index = names.indexOf(name);
  expect(index, `${name} in ${names.join(', ')}`).toBeGreaterThanOrEqual(0);
  await page.keyboard.press('Home');
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await expect(dialog.locator('[aria-selected="true"]').getAttribute('data-name')).resolves.toBe(name);
}

describe('the file browser (browser mode)', () => {
  it('walks from the roots into the demo models by keyboard, picks one and imports it', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-browse-server').click();
    const dialog = page.getByTestId('model-file-browser');
    await dialog.waitFor();
    await expect(dialog.evaluate((d) => (d as HTMLDialogElement).open)).resolves.toBe(true);
    // the roots: the --allow-dir folder, the data folder, the shipped demo models
    await dialog.getByTestId('model-file-browser-entry').first().waitFor();
    const roots = await entries(dialog);
    expect([...roots.keys()]).toEqual([`${allowed} (--allow-dir)`, `${fs.realpathSync(app.dataDir)} (data folder)`, `${demoDir} (shipped demo models)`]);
    await moveTo(dialog, `${demoDir} (shipped demo models)`);
    await page.keyboard.press('Enter');
    await dialog.locator(`[data-name="brown-gpt2-relu"]`).waitFor();
    const demo = await entries(dialog);
    expect(demo.get('brown-gpt2-relu')).toMatch(/checkpoint: Hugging Face folder · gpt2 · \d+ layers, model\.safetensors, [\d.]+ (KiB|MiB)/);
    expect(demo.get('recipe')).toBeDefined();
    await moveTo(dialog, 'brown-gpt2-relu');
    await screenshot(page, 'file-browser-demo-models');
    await dialog.getByTestId('model-file-browser-choose').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByTestId('model-path').inputValue()).resolves.toBe(path.join(demoDir, 'brown-gpt2-relu'));
    await page.getByTestId('model-name').fill('picked-demo');
    const id = await startJob(page, () => page.getByTestId('model-import').click());
    await waitForJobState(page, id, 'done');
    const row = page.getByTestId('model-row').filter({ hasText: 'picked-demo' });
    await row.waitFor(); // the list reloads on the models-changed event after the job
    await expect(row.count()).resolves.toBe(1);
  });

  it('refuses a folder outside the roots in words, naming the roots', async () => {
    await page.getByTestId('model-browse-server').click();
    const dialog = page.getByTestId('model-file-browser');
    await dialog.getByTestId('model-file-browser-entry').first().waitFor();
    await dialog.getByTestId('model-file-browser-path').fill('/etc');
    await dialog.getByTestId('model-file-browser-go').click();
    const error = dialog.getByTestId('model-file-browser-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('the folder "/etc" is outside the folders browser mode may open');
    expect(text).toContain(`${allowed} (--allow-dir)`);
    expect(text).toContain('--allow-dir <folder>');
    // Escape closes the dialog; the path field is as it was
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('opens in the path field\'s folder on the Corpora page and picks a file marked as a corpus', async () => {
    await page.getByTestId('nav-corpora').click();
    await page.getByTestId('corpus-path').fill(path.join(allowed, 'texts', 'old.jsonl'));
    await page.getByTestId('corpus-browse-server').click();
    const dialog = page.getByTestId('corpus-file-browser');
    const row = dialog.locator('[data-name="news.jsonl"]');
    await row.waitFor(); // it opened in the folder of the (missing) file the path field named
    await expect(row.getAttribute('data-mark')).resolves.toBe('corpus');
    await expect(row.textContent()).resolves.toContain('corpus: JSON lines');
    await row.dblclick();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByTestId('corpus-path').inputValue()).resolves.toBe(path.join(allowed, 'texts', 'news.jsonl'));
  });
});

describe('confinement and malformed requests, against the running app', () => {
  const json = () => ({ Authorization: `Bearer ${app.token}`, Origin: app.origin, 'Content-Type': 'application/json' });

  it('will not import /etc/passwd as a corpus, nor list /etc through a model import', async () => {
    const before = await api<ApiJob[]>(app, 'jobs.list');
    const corpus = await request(app, { path: '/api/corpus.import', method: 'POST', headers: json(), body: JSON.stringify({ source: { kind: 'path', path: '/etc/passwd' } }) });
    expect(corpus.status).toBe(400);
    expect(corpus.body).toContain('outside the folders browser mode may open');
    expect(corpus.body).not.toContain('root:');
    const model = await request(app, { path: '/api/model.import', method: 'POST', headers: json(), body: JSON.stringify({ path: '/etc' }) });
    expect(model.status).toBe(400);
    expect(model.body).not.toMatch(/passwd|hosts|it holds/);
    expect(await api<ApiJob[]>(app, 'jobs.list')).toEqual(before);
    expect(await api<unknown[]>(app, 'corpus.list')).toEqual([]);
  });

  it('answers malformed percent-encoding and NUL bytes with 400, without the install path', async () => {
    const cookie = `ffn_lab_token=${encodeURIComponent(app.token)}`;
    const replies = [
      await request(app, { path: '/%E0%A4%A', headers: { Cookie: cookie } }),
      await request(app, { path: '/api/app.%E0%A4%A', method: 'POST', headers: json(), body: '{}' }),
      await request(app, { path: '/', headers: { Cookie: 'ffn_lab_token=%E0%A4%A' } }),
      await request(app, { path: '/%00', headers: { Cookie: cookie } }),
    ];
    for (const r of replies) {
      expect(r.status).toBe(400);
      expect(r.body).not.toContain(projectRoot);
      expect(r.body).not.toMatch(/URIError|URI malformed|ERR_/);
    }
    const big = await request(app, { path: '/api/app.info', method: 'POST', headers: json(), body: ' '.repeat(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    const lower = await request(app, { path: '/api/app.info', method: 'POST', headers: { ...json(), Authorization: `bearer ${app.token}` }, body: '{}' });
    expect(lower.status).toBe(200);
  });
});
