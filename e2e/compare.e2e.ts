// The Compare page of the real app, driven by keyboard in Chromium: the width-vs-depth demo pair
// captured on the same documents (and one capture of other documents) and their layer sensitivity
// measured through the CLI; on the page, Alt+8 opens Compare, the captures are ticked with Space
// and compared with Enter; the capture of other text is left out with its reason, the 2 + 8 layers
// are listed with their relative depth and sensitivity; the page's own form measures the layer
// sensitivity of both models again on other documents, and the comparison shows the new runs; the
// tables and a profile figure export as files that parse.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cliJson, projectRoot, startApp, tempDir, until, type ApiJob, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, saveDownload, screenshot } from './support/browser.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
const ids = { wide: 0, deep: 0, other: 0 };

beforeAll(async () => {
  app = await startApp();
  const demo = path.join(projectRoot, 'native-models', 'demo');
  const split = JSON.parse(fs.readFileSync(path.join(demo, 'recipe', 'split.json'), 'utf8')) as { train: string[]; validation: string[] };
  const files = tempDir('ffn-e2e-names-');
  const names = (file: string, list: string[]) => {
    fs.writeFileSync(path.join(files, file), JSON.stringify(list));
    return path.join(files, file);
  };
  const train = names('train.json', split.train.slice(0, 2));
  const other = names('other.json', split.train.slice(2, 4));
  const heldout = names('heldout.json', split.validation.slice(0, 2));
  await cliJson(app.dataDir, ['import', path.join(demo, 'brown-gpt2-wide'), '--name', 'wide']);
  await cliJson(app.dataDir, ['import', path.join(demo, 'brown-gpt2-deep'), '--name', 'deep']);
  await cliJson(app.dataDir, ['corpus', 'import', 'brown']);
  const capture = async (model: string, file: string, name: string) =>
    (await cliJson<{ dataset: { id: number } }>(app.dataDir, ['capture', '--model', model, '--corpus', 'brown', '--names-file', file, '--seq-len', '128', '--samples', '200', '--name', name])).dataset.id;
  ids.wide = await capture('wide', train, 'wide on 2 documents');
  ids.deep = await capture('deep', train, 'deep on 2 documents');
  ids.other = await capture('deep', other, 'deep on 2 other documents');
  for (const model of ['wide', 'deep']) {
    await cliJson(app.dataDir, ['sensitivity', '--model', model, '--corpus', 'brown', '--names-file', heldout, '--seq-len', '128', '--max-tokens', '4000', '--resamples', '100']);
  }
  browser = await launchBrowser();
  page = await openApp(browser, app);
}, 600_000);

afterAll(() => closeAll(browser));

describe('compare page', () => {
  it('opens with Alt+8, picks captures with the keyboard, and compares them', async () => {
    await page.keyboard.press('Alt+8');
    await page.getByTestId('page-compare').waitFor();
    const pick = (id: number) => page.locator(`[data-testid="compare-pick"][data-dataset-id="${id}"]`);
    for (const id of [ids.wide, ids.deep, ids.other]) {
      await pick(id).focus();
      await page.keyboard.press('Space');
      await expect(pick(id).isChecked()).resolves.toBe(true);
    }
    await page.getByTestId('compare-run').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/compare/${ids.wide}/${ids.deep}/${ids.other}$`));
    await page.getByTestId('compare-result').waitFor({ timeout: 120_000 });
    // focus moves to the result's heading, so a keyboard user continues from there
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('wide vs deep');

    const refused = page.getByTestId('compare-refused');
    await expect(refused.textContent()).resolves.toMatch(/deep on 2 other documents" covers other documents than/);
    await expect(page.getByTestId('compare-model-row').count()).resolves.toBe(2);
    const layers = page.getByTestId('compare-layer-row');
    await expect(layers.count()).resolves.toBe(2 + 8);
    const depth = (model: string, layer: number) => page.locator(`[data-testid="compare-layer-row"][data-model="${model}"][data-layer="${layer}"] td:nth-of-type(2)`).textContent();
    await expect(depth('wide', 1)).resolves.toBe('1.00');
    await expect(depth('deep', 7)).resolves.toBe('1.00');
    await expect(depth('deep', 3)).resolves.toBe((3 / 7).toFixed(2));
    // every layer has its sensitivity with an interval, and each model its held-out loss
    const cells = await page.getByTestId('compare-sensitivity').allTextContents();
    expect(cells).toHaveLength(10);
    expect(cells.every((c) => /^-?\d+\.\d{4} \[-?\d+\.\d{4}, -?\d+\.\d{4}\]$/.test(c))).toBe(true);
    const heldout = await page.getByTestId('compare-heldout').allTextContents();
    expect(heldout.every((c) => /^\d+\.\d{4} \[/.test(c))).toBe(true);
    await page.getByTestId('chart-compare-sensitivity-layer').waitFor();
    await screenshot(page, 'compare');
  });

  it('measures layer sensitivity of both models from the page, and the comparison then reads the new runs', async () => {
    const before = await api<{ models: Array<{ heldout: { ablation: number } }> }>(app, 'compare.run', { datasets: [ids.wide, ids.deep] });
    await page.getByTestId('sensitivity-skip').fill('400');
    await page.getByTestId('sensitivity-take').fill('2');
    await page.getByTestId('sensitivity-tokens').fill('3000');
    await page.getByTestId('sensitivity-start').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('sensitivity-started').waitFor();
    const runs = await until(
      'both sensitivity runs',
      async () => {
        const jobs = await api<Array<ApiJob & { kind: string }>>(app, 'jobs.list');
        const ablate = jobs.filter((j) => j.kind === 'ablate');
        return ablate.length === 4 && ablate.every((j) => j.state === 'done') && ablate;
      },
      300_000,
    );
    expect(runs.every((j) => j.error === null)).toBe(true);
    const after = await api<{ models: Array<{ heldout: { ablation: number; loss: { value: number; low: number; high: number } } }> }>(app, 'compare.run', { datasets: [ids.wide, ids.deep] });
    after.models.forEach((m, k) => expect(m.heldout.ablation).toBeGreaterThan(before.models[k]!.heldout.ablation));
    // the page reloads as each run ends (between the two, the model whose newest run read other
    // documents has its held-out columns left out, with a note) and ends showing both new runs
    const shown = (m: (typeof after.models)[number]) => `${m.heldout.loss.value.toFixed(4)} [${m.heldout.loss.low.toFixed(4)}, ${m.heldout.loss.high.toFixed(4)}]`;
    const expected = after.models.map(shown);
    await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('[data-testid="compare-heldout"]')].map((c) => c.textContent)) === JSON.stringify(want), expected);
    await expect(page.getByTestId('compare-heldout').allTextContents()).resolves.toEqual(expected);
  });

  it('exports the layer table as CSV and LaTeX, and a profile figure as SVG and CSV', async () => {
    const dir = tempDir('ffn-e2e-compare-export-');
    const csv = await saveDownload(page, 'compare-layers-export-csv', dir);
    expect(csv.name).toBe('compare-layers.csv');
    const rows = fs.readFileSync(csv.file, 'utf8').trimEnd().split('\n').map((r) => r.split(','));
    expect(rows).toHaveLength(1 + 10);
    expect(rows[0]!.slice(0, 3)).toEqual(['model', 'layer', 'rel_depth']);
    expect(rows.every((r) => r.length === rows[0]!.length)).toBe(true);
    expect(rows.slice(1).map((r) => r[0])).toEqual([...Array(2).fill('wide'), ...Array(8).fill('deep')]);
    const tex = fs.readFileSync((await saveDownload(page, 'compare-layers-export-latex', dir)).file, 'utf8');
    expect(tex).toMatch(/^\\begin\{tabular\}\{l[lr]+\}\n\\toprule\n/);
    expect(tex.trimEnd().endsWith('\\end{tabular}')).toBe(true);
    expect(tex.split('\n').filter((l) => l.endsWith('\\\\'))).toHaveLength(1 + 10);
    const svg = fs.readFileSync((await saveDownload(page, 'export-compare-sensitivity-layer-svg', dir)).file, 'utf8');
    expect(svg).toMatch(/<svg[^>]*width="\d+"/);
    expect(svg).toContain('Relative depth');
    // one line per model in the legend
    expect(svg).toContain('>wide<');
    expect(svg).toContain('>deep<');
    const data = fs.readFileSync((await saveDownload(page, 'export-compare-sensitivity-layer-csv', dir)).file, 'utf8').trim().split(/\r?\n/);
    expect(data[0]).toBe('model,layer,rel_depth,sensitivity-layer,low,high');
    expect(data).toHaveLength(1 + 10);
  });
});
