// The first start of the app on a fresh data folder registers the two shipped demo models and the
// Brown corpus through the ordinary import jobs, shown in the Jobs drawer; once per data folder (a
// demo model the user deleted does not come back at the next start), never from the CLI. Every
// other e2e file starts the app with --no-demo (support/app.ts), so they start empty.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cliJson, projectRoot, startApp, tempDir, until, withDatabase, type ApiCorpus, type ApiJob, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll, saveDownload } from './support/browser.js';
import { job, waitForJobState } from './support/jobs-ui.js';

interface ApiModel {
  id: number;
  name: string;
  path: string;
  family: string;
  layers: number;
  dFf: number;
  activation: string;
}

const dataDir = tempDir('ffn-e2e-first-run-');
let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(() => closeAll(browser));

describe('first run', () => {
  it('the CLI registers nothing on a fresh data folder', async () => {
    await expect(cliJson(dataDir, ['models', 'list'])).resolves.toEqual({ models: [] });
    await expect(cliJson(dataDir, ['corpus', 'list'])).resolves.toEqual({ corpora: [] });
  });

  it('a fresh start registers both demo models and the Brown corpus with import jobs shown in the panel', async () => {
    app = await startApp(dataDir, { demo: true });
    const jobs = await until('the three import jobs', async () => {
      const list = await api<(ApiJob & { kind: string })[]>(app, 'jobs.list');
      return list.length === 3 && list;
    });
    expect(jobs.map((j) => j.kind).sort()).toEqual(['corpus-import', 'model-import', 'model-import']);
    page = await openApp(browser, app);
    for (const j of jobs) await job(page, j.id).waitFor();
    await screenshot(page, 'first-run-jobs');
    for (const j of jobs) await waitForJobState(page, j.id, 'done', 300_000);

    const models = await api<ApiModel[]>(app, 'model.list');
    expect(models.map((m) => [m.name, m.family, m.layers, m.dFf, m.activation]).sort()).toEqual([
      ['brown-gpt2-gelu', 'gpt2', 4, 1024, expect.stringMatching(/^gelu/)],
      ['brown-gpt2-relu', 'gpt2', 4, 1024, 'relu'],
    ]);
    // imported from where they ship, beside the built app
    for (const m of models) expect(m.path).toBe(path.join(projectRoot, 'native-models', 'demo', m.name));
    const corpora = await api<ApiCorpus[]>(app, 'corpus.list');
    expect(corpora).toHaveLength(1);
    expect(corpora[0]).toMatchObject({ name: 'brown', documents: 500 });
    expect(corpora[0]!.metadataFields).toEqual(expect.arrayContaining(['genre', 'pos']));

    await page.getByTestId('nav-models').click();
    for (const m of models) await page.getByText(m.name, { exact: true }).first().waitFor();
    await screenshot(page, 'first-run-models');
  });

  it('Start here: one click on the ReLU model captures, ablates the silent (dead) set against a control and explains the result', async () => {
    await page.getByTestId('nav-start').click();
    const card = page.getByTestId('start-card-brown-gpt2-relu');
    await card.getByTestId('start-run').click();
    await card.getByTestId('start-running').waitFor();
    await screenshot(page, 'start-here-running');
    await card.getByTestId('start-result-link').waitFor({ timeout: 300_000 });
    await card.getByTestId('start-result-link').click();
    const text = await page.getByTestId('start-explanation').innerText();
    expect(text).toMatch(/over 20,000 tokens of its training text/);
    expect(text).toMatch(/are silent \("dead"\)/);
    expect(text).toMatch(/Without the silent neurons the loss changed by .* without the random ones by/);
    await page.getByTestId('chart-start-comparison').waitFor();
    await screenshot(page, 'start-here-result');
    const { file } = await saveDownload(page, 'export-start-comparison-svg', tempDir('ffn-e2e-start-'));
    const svg = fs.readFileSync(file, 'utf8');
    expect(svg).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('random control');
    expect(svg).toContain('dead set'); // the silent set's condition is labelled by its verdict, dead
  });

  it('happens once per data folder: a deleted demo model stays deleted after a restart', async () => {
    const relu = (await api<ApiModel[]>(app, 'model.list')).find((m) => m.name === 'brown-gpt2-relu')!;
    await api(app, 'model.delete', { id: relu.id });
    await app.stop();
    app = await startApp(dataDir, { demo: true });
    await expect(api<ApiModel[]>(app, 'model.list').then((l) => l.map((m) => m.name))).resolves.toEqual(['brown-gpt2-gelu']);
    await expect(api<Array<{ kind: string }>>(app, 'jobs.list').then((l) => l.filter((j) => j.kind.endsWith('import')).length)).resolves.toBe(3);
    const marker = withDatabase(dataDir, (db) => db.prepare("SELECT value FROM settings WHERE key = 'first-run.demo'").get() as { value: string });
    expect(JSON.parse(marker.value)).toMatchObject({ registered: true });
  });
});
