// Corpus import through the UI of the real app: the Brown corpus with live progress, a large
// JSONL cancelled midway (nothing half-imported may remain, checked in the UI, with the CLI and
// in the SQLite file), and a Latin-1 file refused with a message that names it.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, count, startApp, tempDir, withDatabase, writeLargeJsonl, type ApiCorpus, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll } from './support/browser.js';
import { job, startJob, waitForJobState, waitForProgressAbove } from './support/jobs-ui.js';

const SECTIONS = ['Models', 'Corpora', 'Datasets', 'Neurons', 'Manifold', 'Ablation', 'Figures'];

let app: RunningApp;
let browser: Browser;
let page: Page;
let files: string;
let brownJob = 0;

beforeAll(async () => {
  files = tempDir('ffn-e2e-files-');
  app = await startApp();
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

/** Records every value the jobs' progress bars take, from now on, into window.__seen. */
async function recordProgress(p: Page): Promise<void> {
  await p.evaluate(() => {
    type Seen = { job: string; state: string | undefined; now: string | null; max: string | null };
    const w = window as unknown as { __seen: Seen[] };
    w.__seen = [];
    const last = new Map<string, string>();
    const record = () => {
      for (const bar of document.querySelectorAll('li[data-testid^="job-"] [data-testid="job-progress"]')) {
        const li = bar.closest('li') as HTMLElement;
        const entry: Seen = { job: li.dataset.testid!, state: li.dataset.state, now: bar.getAttribute('aria-valuenow'), max: bar.getAttribute('max') };
        const key = JSON.stringify(entry);
        if (last.get(entry.job) === key) continue;
        last.set(entry.job, key);
        w.__seen.push(entry);
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-valuenow', 'value', 'max', 'data-state'],
    });
    record();
  });
}

describe('corpus import in the UI', () => {
  it('loads the app shell with every section', async () => {
    await expect(page.getByTestId('app-name').textContent()).resolves.toBe('FFN Lab');
    await expect(page.getByTestId('app-version').textContent()).resolves.toMatch(/^v\d+\.\d+\.\d+/);
    await expect(page.getByTestId('data-dir').textContent()).resolves.toContain(app.dataDir);
    for (const label of SECTIONS) {
      const link = page.getByTestId(`nav-${label.toLowerCase()}`);
      await expect(link.textContent()).resolves.toContain(label);
    }
    expect(page.url()).not.toContain('token=');

    // The theme toggle flips <html data-theme> and back.
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const first = await theme();
    expect(['light', 'dark']).toContain(first);
    await page.getByTestId('theme-toggle').click();
    await expect.poll(theme).toBe(first === 'dark' ? 'light' : 'dark');
    await page.getByTestId('theme-toggle').click();
    await expect.poll(theme).toBe(first);
  });

  it('imports the Brown corpus with live progress', async () => {
    await page.getByTestId('nav-corpora').click();
    await page.getByTestId('page-corpora').waitFor();
    await page.getByTestId('corpora-empty').waitFor();

    await recordProgress(page);
    brownJob = await startJob(page, () => page.getByTestId('import-brown').click());
    await waitForJobState(page, brownJob, 'done');

    const seen = await page.evaluate(() => (window as unknown as { __seen: Array<{ job: string; now: string | null; max: string | null }> }).__seen);
    const mine = seen.filter((s) => s.job === `job-${brownJob}` && s.now !== null);
    const max = Number(mine.at(-1)?.max);
    expect(max).toBe(500);
    const intermediate = new Set(mine.map((s) => Number(s.now)).filter((v) => v > 0 && v < max));
    expect(intermediate.size, `progress values seen: ${JSON.stringify(mine)}`).toBeGreaterThanOrEqual(2);
    expect(Number(mine.at(-1)?.now)).toBe(500);
    await expect(job(page, brownJob).getByTestId('job-progress').getAttribute('max')).resolves.toBe('500');
    await expect(job(page, brownJob).getByTestId('job-progress-text').textContent()).resolves.toBe('500 / 500 documents');
    await expect(job(page, brownJob).getByTestId('job-state').textContent()).resolves.toBe('Done');

    // The table refreshes on its own when the job finishes.
    const row = page.getByTestId('corpus-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells[0]).toContain('brown');
    expect(cells[1]).toBe('500');
    expect(cells[3]).toContain('genre');

    const shot = await screenshot(page, 'corpora-after-brown');
    console.log(`screenshot: ${shot}`);
  });

  it('opens the corpus and shows documents with their genre', async () => {
    await page.getByTestId('corpus-row').first().click();
    const detail = page.getByTestId('corpus-detail');
    await detail.waitFor();
    await expect(page.getByTestId('corpus-title').textContent()).resolves.toBe('brown');
    await expect(page.getByTestId('corpus-documents').textContent()).resolves.toBe('500');
    await page.getByTestId('document-row').first().waitFor();
    expect(await page.getByTestId('document-row').count()).toBe(50);
    await expect(page.getByTestId('documents-range').textContent()).resolves.toBe('1–50 of 500');
    // Brown's first file, ca01, is press reportage: genre "news".
    const first = await page.getByTestId('document-row').first().locator('td').allTextContents();
    expect(first[1]).toBe('ca01');
    expect(first[3]).toMatch(/genre\s*news/);
    await screenshot(page, 'corpus-detail-brown');

    await page.getByTestId('documents-next').click();
    await expect
      .poll(() => page.getByTestId('documents-range').textContent(), { timeout: 30_000 })
      .toBe('51–100 of 500');
    await page.getByTestId('corpus-back').click();
    await page.getByTestId('corpus-table').waitFor();
  });

  it('cancels a large JSONL import midway and leaves nothing of it behind', async () => {
    const large = writeLargeJsonl(files, 'large.jsonl');
    await page.getByTestId('corpus-path').fill(large.file);
    const id = await startJob(page, () => page.getByTestId('corpus-import').click());
    // Some batches are committed, the import is still running: cancel now.
    const at = await waitForProgressAbove(page, id, 0);
    expect(at).toBeLessThan(large.documents);
    console.log(`cancelling the import at ${at} of ${large.documents} documents`);
    await job(page, id).getByTestId('job-cancel').click();
    await waitForJobState(page, id, 'cancelled');
    await expect(job(page, id).getByTestId('job-error').textContent()).resolves.toMatch(/cancel/i);

    // The UI: only brown, also after a reload from the server.
    expect(await page.getByTestId('corpus-row').count()).toBe(1);
    await page.reload();
    await page.getByTestId('corpus-row').first().waitFor();
    expect(await page.getByTestId('corpus-row').allTextContents()).toHaveLength(1);
    await expect(job(page, id).getAttribute('data-state')).resolves.toBe('cancelled');

    // The app's own CLI on the same data folder.
    const listed = await cliJson<{ corpora: ApiCorpus[] }>(app.dataDir, ['corpus', 'list']);
    expect(listed.corpora.map((c) => [c.name, c.documents])).toEqual([['brown', 500]]);

    // The SQLite file itself: no importing corpus, no orphan documents.
    withDatabase(app.dataDir, (db) => {
      expect(count(db, "SELECT COUNT(*) FROM documents WHERE corpus_id NOT IN (SELECT id FROM corpora WHERE status = 'ready')")).toBe(0);
      expect(count(db, "SELECT COUNT(*) FROM corpora WHERE status = 'importing'")).toBe(0);
      expect(count(db, 'SELECT COUNT(*) FROM corpora')).toBe(1);
      expect(count(db, 'SELECT COUNT(*) FROM documents')).toBe(500);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    });
  });

  it('refuses a Latin-1 text file with a message that names it and asks for UTF-8', async () => {
    const file = path.join(files, 'café-latin1.txt');
    fs.writeFileSync(file, Buffer.from('Un caf\u00e9 cr\u00e8me, na\u00efve fa\u00e7ade, d\u00e9j\u00e0 vu.\n', 'latin1'));
    await page.getByTestId('corpus-path').fill(file);
    const id = await startJob(page, () => page.getByTestId('corpus-import').click());
    await waitForJobState(page, id, 'failed');
    const error = await job(page, id).getByTestId('job-error').textContent();
    expect(error).toContain(file);
    expect(error).toContain('UTF-8');
    expect(error).toMatch(/byte offset \d+/);
    expect(await page.getByTestId('corpus-row').count()).toBe(1);
    withDatabase(app.dataDir, (db) => expect(count(db, 'SELECT COUNT(*) FROM corpora')).toBe(1));
    await screenshot(page, 'jobs-cancelled-and-failed');
    await page.getByTestId('theme-toggle').click();
    await screenshot(page, 'jobs-cancelled-and-failed-other-theme');
    await page.getByTestId('theme-toggle').click();
  });
});
