// The workstation after Start here, in Chromium at 1280 x 800 and 1920 x 1080: every page reached
// by its keyboard shortcut and screenshotted; the result figures in the viewport and not under the
// jobs drawer (closed, "n finished", once all is done); the drawer opening for a job, linking to
// what it made, and a failure staying shown until read (across a reload); the manifold starting
// its default projection by itself; the `?` overlay; the notebook with every step, exported as
// Markdown and as HTML with its figures inline.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startApp, tempDir, until, type ApiJob, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, saveDownload } from './support/browser.js';
import { waitForJobState } from './support/jobs-ui.js';

interface ApiModel {
  id: number;
  name: string;
}

const sizes = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

const shotsDir = process.env.FFN_LAB_E2E_SCREENSHOTS ?? path.join(process.env.TMPDIR ?? '/tmp', 'ffn-lab-e2e-screenshots');
const downloads = tempDir('ffn-e2e-workstation-');

let app: RunningApp;
let browser: Browser;
let page: Page;
let relu: ApiModel;

/** What the user sees without scrolling: the window, as a PNG under the screenshots folder. */
async function shot(name: string): Promise<void> {
  fs.mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `workstation-${name}.png`), animations: 'disabled' });
}

/**
 * Where a figure is: its box, whether it lies inside the window and inside the page's scrolling
 * area (not under the status bar or the jobs drawer), and what the browser hit-tests at its
 * centre and near its four corners (must be the figure itself, not something over it).
 */
async function figureView(testId: string) {
  return page.getByTestId(testId).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const main = document.getElementById('main')!.getBoundingClientRect();
    const drawer = document.querySelector('[data-testid="jobs-panel"]');
    const drawerBox = drawer && !(drawer as HTMLElement).hidden ? drawer.getBoundingClientRect() : null;
    const inset = 6;
    const points = [
      [box.left + box.width / 2, box.top + box.height / 2],
      [box.left + inset, box.top + inset],
      [box.right - inset, box.top + inset],
      [box.left + inset, box.bottom - inset],
      [box.right - inset, box.bottom - inset],
    ] as const;
    const hits = points.map(([x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return hit !== null && el.contains(hit);
    });
    return {
      box: { top: box.top, bottom: box.bottom, left: box.left, right: box.right },
      inWindow: box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth,
      inMain: box.top >= main.top && box.bottom <= main.bottom,
      underDrawer: drawerBox !== null && drawerBox.top < box.bottom && drawerBox.bottom > box.top,
      hits,
    };
  });
}

async function expectFigureInView(testId: string): Promise<void> {
  const v = await figureView(testId);
  expect(v, `${testId} at ${JSON.stringify(v.box)}`).toMatchObject({ inWindow: true, inMain: true, underDrawer: false, hits: [true, true, true, true, true] });
}

async function indicator(): Promise<{ text: string; tone: string; open: boolean }> {
  const el = page.getByTestId('jobs-indicator');
  return {
    text: (await el.getByTestId('jobs-summary').textContent()) ?? '',
    tone: (await el.getAttribute('data-tone')) ?? '',
    open: (await el.getAttribute('aria-expanded')) === 'true',
  };
}

beforeAll(async () => {
  browser = await launchBrowser();
  app = await startApp(tempDir('ffn-e2e-workstation-data-'), { demo: true });
  await until('the demo imports', async () => {
    const jobs = await api<ApiJob[]>(app, 'jobs.list');
    return jobs.length === 3 && jobs.every((j) => j.state === 'done');
  }, 300_000);
  relu = (await api<ApiModel[]>(app, 'model.list')).find((m) => m.name === 'brown-gpt2-relu')!;
  const context = await browser.newContext({ viewport: sizes[0], acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  // a page error fails nothing by itself, but says why a later wait timed out
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') process.stderr.write(`[console] ${msg.text()}\n`);
  });
  await page.goto(app.url);
  await page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
}, 360_000);

afterAll(() => closeAll(browser));

describe('the workstation after Start here', () => {
  it('runs Start here with the drawer open, then closes it ("n finished") and shows the result figures in view', async () => {
    // all three imports were done before the page opened: once the jobs are listed, the drawer is closed
    await until('the jobs indicator to list the imports', async () => (await indicator()).text !== 'loading jobs…', 30_000);
    await expect(indicator()).resolves.toMatchObject({ text: '3 finished', tone: 'quiet', open: false });
    await page.getByTestId('start-card-brown-gpt2-relu').getByTestId('start-run').click();
    await until('the drawer to open for the capture', async () => (await indicator()).open, 30_000);
    await expect(page.getByTestId('jobs-panel').isVisible()).resolves.toBe(true);
    expect((await indicator()).text).toMatch(/running|queued/);
    await shot('start-running-1280x800');
    const link = page.getByTestId('start-card-brown-gpt2-relu').getByTestId('start-result-link');
    await link.waitFor({ timeout: 600_000 });
    await until('the drawer to close once all is done', async () => !(await indicator()).open, 30_000);
    expect(await indicator()).toMatchObject({ text: '5 finished', tone: 'quiet' });
    await expect(page.getByTestId('jobs-panel').isVisible()).resolves.toBe(false);
    await link.click();
    await page.getByTestId('chart-start-comparison').waitFor();
    for (const size of sizes) {
      await page.setViewportSize(size);
      await expectFigureInView('chart-start-dead-per-layer');
      await expectFigureInView('chart-start-comparison');
      await shot(`start-result-${size.width}x${size.height}`);
    }
    await page.setViewportSize(sizes[0]);
  });

  it('reaches every page by its shortcut (Alt+1..9, Alt+0, g-letter) and screenshots each at both sizes', async () => {
    const sections = ['start', 'models', 'corpora', 'datasets', 'neurons', 'manifold', 'ablation', 'compare', 'figures', 'notebook'];
    const chords: Record<string, string> = { start: 's', models: 'm', corpora: 'o', datasets: 'd', neurons: 'n', manifold: 'v', ablation: 'a', compare: 'c', figures: 'f', notebook: 'b' };
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (const [i, section] of sections.entries()) {
      await page.keyboard.press(`Alt+Digit${(i + 1) % 10}`);
      await page.getByTestId(`page-${section}`).waitFor();
      expect(page.url()).toContain(`#/${section}`);
    }
    // the g chords, in reverse, and the screenshots
    for (const section of [...sections].reverse()) {
      await page.keyboard.press('g');
      await page.keyboard.press(chords[section]!);
      await page.getByTestId(`page-${section}`).waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      for (const size of sizes) {
        await page.setViewportSize(size);
        await shot(`${section}-${size.width}x${size.height}`);
      }
      await page.setViewportSize(sizes[0]);
    }
  });

  it('`?` lists every shortcut, Esc closes it, and typing ? in a field does not open it', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('b');
    await page.getByTestId('page-notebook').waitFor();
    await page.keyboard.press('Shift+Slash');
    const overlay = page.getByTestId('shortcuts-overlay');
    await overlay.waitFor();
    const rows = await overlay.getByTestId('shortcut-row').allInnerTexts();
    for (const label of ['Start here', 'Models', 'Corpora', 'Datasets', 'Neurons', 'Manifold', 'Ablation', 'Compare', 'Figures', 'Notebook']) {
      expect(rows.some((r) => r.endsWith(label)), label).toBe(true);
    }
    expect(rows.find((r) => r.endsWith('Notebook'))).toMatch(/Alt\+0.*g b/s);
    for (const size of sizes) {
      await page.setViewportSize(size);
      await shot(`shortcuts-${size.width}x${size.height}`);
    }
    await page.setViewportSize(sizes[0]);
    await page.keyboard.press('Escape');
    await expect(overlay.count()).resolves.toBe(0);
    // in a text field, ? is a character
    await page.keyboard.press('Alt+Digit4');
    const field = page.locator('#main input:not([type]), #main input[type="text"], #main input[type="search"]').first();
    await field.fill('');
    await field.click();
    await page.keyboard.type('what?');
    await expect(field.inputValue()).resolves.toBe('what?');
    await expect(page.getByTestId('shortcuts-overlay').count()).resolves.toBe(0);
  });

  it('the manifold starts its default projection (PCA, all layers) of the most recent capture; the drawer links to it', async () => {
    // a fresh load first: the build folder is shared, and a rebuild since the page loaded renames the viewer's lazy chunk
    await page.reload();
    await page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Alt+Digit6');
    const started = await until('the default projection job', async () => (await api<Array<ApiJob & { kind: string }>>(app, 'jobs.list')).find((j) => j.kind === 'project'), 30_000);
    await waitForJobState(page, started.id, 'done', 300_000);
    const view = page.getByTestId('manifold-view');
    await view.waitFor({ timeout: 120_000 });
    const projects = (await api<Array<ApiJob & { kind: string; params: { datasetId: number; method: string; layers?: number[] } }>>(app, 'jobs.list')).filter((j) => j.kind === 'project');
    // the only projection: the one the page started by itself (on the first visit, in the tour above), never a click
    expect(projects, JSON.stringify(projects.map((j) => ({ id: j.id, state: j.state, error: j.error, params: j.params })))).toHaveLength(1);
    const job = projects[0]!;
    expect(job.params).toMatchObject({ method: 'pca' });
    expect(job.params.layers).toBeUndefined(); // all layers
    const run = (job.result as { run: { id: number; datasetId: number } }).run;
    await expect(page.getByTestId(`job-${job.id}`).getByTestId('job-output').getAttribute('href')).resolves.toBe(`#/manifold/${run.datasetId}/${run.id}`);
    await until('the drawer to close after the projection', async () => !(await indicator()).open, 30_000);
    for (const size of sizes) {
      await page.setViewportSize(size);
      await shot(`manifold-default-${size.width}x${size.height}`);
    }
    await page.setViewportSize(sizes[0]);
  }, 480_000);

  it('a failed job stays shown until read, also after a reload', async () => {
    const { job } = await api<{ job: ApiJob }>(app, 'corpus.import', { source: { kind: 'path', path: path.join(downloads, 'does-not-exist.txt') } });
    await waitForJobState(page, job.id, 'failed');
    await until('the indicator to show the failure', async () => (await indicator()).tone === 'danger', 30_000);
    expect(await indicator()).toMatchObject({ text: '1 failed', open: true });
    await page.getByTestId(`job-${job.id}`).getByTestId('job-mark-read').click();
    await until('the failure to be read', async () => (await indicator()).tone === 'quiet', 10_000);
    await page.reload();
    await page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
    await until('the jobs to load', async () => /finished/.test((await indicator()).text), 30_000);
    expect(await indicator()).toMatchObject({ tone: 'quiet', open: false });
  });

  it('the notebook lists every step with its settings and exports Markdown and HTML with the figures inline', async () => {
    await page.goto(`${app.origin}/#/notebook/${relu.id}`);
    await page.getByTestId('notebook').waitFor();
    const kinds = await page.getByTestId('notebook-step').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.kind));
    expect(kinds).toEqual(['import', 'capture', 'ablation', 'projection']);
    const titles = await page.locator('[data-testid="notebook-step"] .notebook-step-title').allInnerTexts();
    await expect(page.getByTestId('notebook-figure').count()).resolves.toBe(2);
    for (const size of sizes) {
      await page.setViewportSize(size);
      await shot(`notebook-model-${size.width}x${size.height}`);
    }
    await page.setViewportSize(sizes[0]);

    const md = fs.readFileSync((await saveDownload(page, 'notebook-export-md', downloads)).file, 'utf8');
    expect(md).toMatch(/^# Study notebook: brown-gpt2-relu/);
    titles.forEach((title, i) => expect(md).toMatch(new RegExp(`^## ${i + 1}\\. \\w[\\w -]*: ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm')));
    expect(md).toMatch(/\| maxTokens \| 20000 \|/);

    const html = fs.readFileSync((await saveDownload(page, 'notebook-export-html', downloads)).file, 'utf8');
    expect(html).not.toMatch(/<(script|link)\b|src="http/);
    const figures = [...html.matchAll(/<figure><svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*aria-label="([^"]+)"/g)].map((m) => m[1]);
    expect(figures).toHaveLength(2);
    expect(figures[1]).toMatch(/^Change in loss/);
    for (const title of titles) expect(html).toContain(title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));

    // Run again: the projection step starts a projection job with the stored settings (cancelled here: the run itself is the manifold test's)
    const step = page.locator('[data-testid="notebook-step"][data-kind="projection"]');
    const first = (await api<Array<ApiJob & { kind: string; params: Record<string, unknown> }>>(app, 'jobs.list')).find((j) => j.kind === 'project')!;
    await step.getByTestId('notebook-rerun').click();
    await step.getByTestId('notebook-rerun-started').waitFor();
    const again = (await api<Array<ApiJob & { kind: string; params: Record<string, unknown> }>>(app, 'jobs.list')).find((j) => j.kind === 'project' && j.id !== first.id)!;
    // the same settings, with "all layers" written out as the run stored them (the demo model has 4)
    expect(again.params).toEqual({ ...first.params, layers: [0, 1, 2, 3] });
    await api(app, 'jobs.cancel', { id: again.id });
    await waitForJobState(page, again.id, 'cancelled');
  });

  it('next actions: from the capture, the dead set opens in the playground', async () => {
    const steps = await api<{ steps: Array<{ kind: string; id: number }> }>(app, 'notebook.get', { modelId: relu.id });
    const capture = steps.steps.find((s) => s.kind === 'capture')!;
    await page.goto(`${app.origin}/#/neurons/${capture.id}`);
    await page.getByTestId('next-actions').waitFor();
    await page.getByTestId('next-dead-playground').click();
    await page.waitForURL(new RegExp(`#/ablation/playground/${relu.id}/set/\\d+$`));
    const sets = await api<Array<{ name: string; neurons: unknown[] }>>(app, 'sets.list', { modelId: relu.id });
    const dead = sets.find((s) => s.name.startsWith('dead of '))!;
    expect(dead.neurons.length).toBeGreaterThan(0);
  });
});
