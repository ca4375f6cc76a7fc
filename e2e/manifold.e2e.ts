// The manifold view in the real app: a capture with sampled hidden states on a tiny GPT-2, a
// projection started from the UI (progress in the Jobs drawer (status bar, j)), the 3D view drawn by WebGL
// (SwiftShader under --disable-gpu), coloured by genre with its legend, a point picked on the
// canvas where it is drawn (its context shown), a box selection ranked into neurons and saved as
// a neuron set, the intrinsic-dimension charts, and the view exported as PNG 2x and CSV.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, charModel, cliJson, startApp, tempDir, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll, saveDownload } from './support/browser.js';
import { startJob, waitForJobState } from './support/jobs-ui.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let datasetId: number;
let modelId: number;
const saved = tempDir('ffn-e2e-manifold-');

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', charModel(), '--name', 'char-gpt2']);
  modelId = (await api<{ id: number }[]>(app, 'model.list'))[0]!.id;
  await cliJson(app.dataDir, ['corpus', 'import', genreCorpus()]);
  const corpus = (await api<{ id: number }[]>(app, 'corpus.list'))[0]!.id;
  await cliJson(app.dataDir, ['capture', '--model', String(modelId), '--corpus', String(corpus), '--max-tokens', '8000', '--seq-len', '64', '--top-k', '0', '--samples', '400', '--name', 'sampled']);
  datasetId = (await api<{ id: number }[]>(app, 'dataset.list'))[0]!.id;
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

/** Twelve short documents in four genres (a JSONL corpus), so that colouring by genre has something to show. */
function genreCorpus(): string {
  const words: Record<string, string[]> = {
    news: 'the council voted on the budget and the mayor said taxes would rise next year'.split(' '),
    fiction: 'she opened the door slowly and the old house whispered in the dark'.split(' '),
    science: 'the sample was heated to four hundred degrees and the spectrum measured'.split(' '),
    sports: 'the striker scored twice in the second half and the crowd cheered'.split(' '),
  };
  const lines = Object.entries(words).flatMap(([genre, w], g) =>
    [0, 1, 2].map((d) => JSON.stringify({ genre, text: Array.from({ length: 120 }, (_, i) => w[(i * (d + 3) + g) % w.length]).join(' ') })),
  );
  const file = path.join(saved, 'genres.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const exportFile = (testId: string) => saveDownload(page, testId, saved);

/** A pixel of the canvas that a point was drawn on (not the background), in CSS pixels, or null. */
async function drawnPoint(): Promise<{ x: number; y: number } | null> {
  return page.getByTestId('manifold-canvas').evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, copy.width, copy.height);
    const bg = [0x14, 0x16, 0x1a];
    // scan from the centre outwards in rings, so the pick is not at an edge
    for (let r = 0; r < Math.max(width, height) / 2; r += 2) {
      for (let a = 0; a < 64; a++) {
        const x = Math.round(width / 2 + r * Math.cos((a / 64) * 2 * Math.PI));
        const y = Math.round(height / 2 + r * Math.sin((a / 64) * 2 * Math.PI));
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const i = (y * width + x) * 4;
        if (Math.abs(data[i]! - bg[0]!) + Math.abs(data[i + 1]! - bg[1]!) + Math.abs(data[i + 2]! - bg[2]!) > 60) {
          const scale = canvas.clientWidth / width;
          return { x: x * scale, y: y * scale };
        }
      }
    }
    return null;
  });
}

describe('manifold in the UI', () => {
  it('has WebGL 2 in the suite\'s Chromium (SwiftShader under --disable-gpu)', async () => {
    const gl = await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
    expect(gl).toBe(true);
  });

  it('starts a PCA projection from the UI and shows the points coloured by genre', async () => {
    await page.getByTestId('nav-manifold').click();
    await page.getByTestId('manifold-dataset').first().click();
    await page.waitForURL(new RegExp(`#/manifold/${datasetId}$`));
    await page.getByTestId('projections-empty').waitFor();
    const id = await startJob(page, () => page.getByTestId('projection-start').click());
    await page.getByTestId('projection-started').waitFor();
    await waitForJobState(page, id, 'done');
    const view = page.getByTestId('manifold-view');
    await view.waitFor();
    await expect(view.getAttribute('data-points')).resolves.toBe('400');
    await page.getByTestId('manifold-colour').selectOption('field:genre');
    const legend = page.getByTestId('manifold-legend');
    await expect(legend.textContent()).resolves.toContain('genre');
    const entries = await legend.getByTestId('legend-entry').allTextContents();
    expect(entries.length).toBeGreaterThan(1);
    // each entry is a Brown genre with its count; the counts cover every point
    expect(entries.reduce((s, e) => s + Number(/\((\d+)\)\s*$/.exec(e)![1]), 0)).toBe(400);
    await page.getByTestId('intrinsic-charts').waitFor();
    await screenshot(page, 'manifold-genre');
  });

  it('picks a drawn point and shows its token in context', async () => {
    await page.getByTestId('manifold-canvas').scrollIntoViewIfNeeded();
    const p = await drawnPoint();
    expect(p).not.toBeNull();
    const box = (await page.getByTestId('manifold-canvas').boundingBox())!;
    await page.mouse.move(box.x + p!.x, box.y + p!.y);
    await page.getByTestId('manifold-tooltip').waitFor();
    await page.mouse.down();
    await page.mouse.up();
    const panel = page.getByTestId('manifold-context');
    await panel.waitFor();
    const text = panel.getByTestId('manifold-context-text');
    await text.waitFor();
    await expect(text.locator('mark').count()).resolves.toBe(1);
    const token = JSON.parse((await panel.getByTestId('manifold-context-token').textContent())!) as string;
    await expect(text.locator('mark').textContent()).resolves.toBe(token);
    await expect(panel.textContent()).resolves.toMatch(/genre/);
    await page.getByTestId('manifold-canvas').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(process.env.FFN_LAB_E2E_SCREENSHOTS ?? path.join(process.env.TMPDIR ?? '/tmp', 'ffn-lab-e2e-screenshots'), 'manifold-pick.png') });
  });

  it('selects a box of points, ranks the neurons that fire on them and saves them as a neuron set', async () => {
    await page.getByTestId('manifold-canvas').scrollIntoViewIfNeeded();
    const box = (await page.getByTestId('manifold-canvas').boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.8, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const panel = page.getByTestId('manifold-selection');
    await panel.getByTestId('selection-neurons').waitFor();
    await expect(panel.locator('tbody tr').count()).resolves.toBe(20);
    await panel.getByTestId('selection-set-name').fill('e2e selection');
    await panel.getByTestId('selection-save-set').click();
    await panel.getByTestId('selection-saved').waitFor();
    const sets = await api<Array<{ name: string; neurons: unknown[]; origin: { kind: string; datasetId: number } }>>(app, 'sets.list', { modelId });
    const set = sets.find((s) => s.name === 'e2e selection')!;
    expect(set.neurons).toHaveLength(20);
    expect(set.origin).toMatchObject({ kind: 'manifold-selection', datasetId });
  });

  it('selects points with a lasso (alt-drag)', async () => {
    const canvas = page.getByTestId('manifold-canvas');
    await canvas.focus();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('manifold-selection').count()).resolves.toBe(0);
    const box = (await canvas.boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    await page.keyboard.down('Alt');
    await page.mouse.move(...at(0.15, 0.15));
    await page.mouse.down();
    for (const [fx, fy] of [[0.85, 0.15], [0.85, 0.85], [0.15, 0.85], [0.15, 0.2]] as const) await page.mouse.move(...at(fx, fy), { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Alt');
    await page.getByTestId('manifold-selection').getByTestId('selection-neurons').waitFor();
  });

  it('exports the view as PNG at twice the canvas size and the coordinates as CSV, listed in Figures', async () => {
    const canvasBox = (await page.getByTestId('manifold-canvas').boundingBox())!;
    const png = await exportFile('manifold-export-png-2x');
    const bytes = fs.readFileSync(png.file);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.readUInt32BE(16)).toBe(Math.round(canvasBox.width * 2));
    expect(bytes.readUInt32BE(20)).toBe(Math.round(canvasBox.height * 2));
    const csv = await exportFile('manifold-export-csv');
    const lines = fs.readFileSync(csv.file, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(401);
    expect(lines[0]).toMatch(/^sample_id,token,document,position,loss,.*genre.*,layer,x,y,z$/);
    await page.getByTestId('nav-figures').click();
    const listed = await page.getByTestId('figures-list').textContent();
    expect(listed).toContain(png.name);
    expect(listed).toContain(csv.name);
  });
});
