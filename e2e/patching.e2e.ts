// The Activation patching view in Chromium against the real backend: the planted copy fixture
// (native-models/fixtures/patching, make_patching.py), a clean/corrupted pair typed into the form;
// the layer × position heat map has a cell per layer and position whose values are the stored
// run's (patch.get) and the PyTorch reference's; the planted neuron ranks first; SVG and CSV export;
// Re-run stores a second, identical run.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cliJson, projectRoot, startApp, tempDir, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, saveDownload, screenshot } from './support/browser.js';

const fixture = path.join(projectRoot, 'native-models', 'fixtures', 'patching');
const golden = JSON.parse(fs.readFileSync(path.join(fixture, 'patching.json'), 'utf8')) as {
  tolerance: { atol: number; rtol: number };
  planted: { layer: number; neuron: number };
  pairs: { clean: string; corrupt: string; target: string; foil: string; metrics: Record<string, { layers: Record<string, number[][]> }> }[];
};
const near = (a: number, b: number) => Math.abs(a - b) <= golden.tolerance.atol + golden.tolerance.rtol * Math.abs(b);

interface Run {
  id: number;
  layers: { denoise: { positions: ({ effect: number } | null)[] }[] };
  neurons: { layer: number; neuron: number }[];
}

let app: RunningApp;
let browser: Browser;
let page: Page;
const saved = tempDir('ffn-e2e-patching-');

beforeAll(async () => {
  app = await startApp();
  await cliJson(app.dataDir, ['import', fixture, '--name', 'copy']);
  browser = await launchBrowser();
  page = await openApp(browser, app);
}, 300_000);

afterAll(() => closeAll(browser));

describe('activation patching view', () => {
  it('runs a pair from the form: heat map, ranked neurons, export, re-run', async () => {
    const g = golden.pairs[0]!;
    await page.goto(`${app.origin}/#/ablation`);
    await page.getByTestId('open-patching').click();
    await page.getByTestId('patch-form').waitFor();
    await page.getByTestId('patch-clean-prompt').fill(g.clean);
    await page.getByTestId('patch-corrupt-prompt').fill(g.corrupt);
    await page.getByTestId('patch-target').fill(g.target);
    await page.getByTestId('patch-foil').fill(g.foil);
    await page.getByTestId('patch-top').fill('5');
    await page.getByTestId('patch-run').click();
    const result = page.getByTestId('patch-result');
    await result.waitFor({ timeout: 120_000 });
    const id = Number(await result.getAttribute('data-run'));
    expect(page.url()).toMatch(new RegExp(`#/ablation/patching/${id}$`));
    const stored = await api<Run>(app, 'patch.get', { id });

    const ref = g.metrics['logit-diff']!.layers['denoise']!;
    const cells = page.getByTestId('chart-patch-heatmap').locator('svg rect[data-layer][data-position]');
    const T = ref[0]!.length - 1;
    await expect(cells.count()).resolves.toBe(ref.length * T);
    const drawn = await cells.evaluateAll((rects) => rects.map((r) => ({ layer: Number(r.getAttribute('data-layer')), position: Number(r.getAttribute('data-position')), value: Number(r.getAttribute('data-value')) })));
    for (const c of drawn) {
      expect(c.value).toBe(stored.layers.denoise[c.layer]!.positions[c.position]!.effect);
      expect(near(c.value, ref[c.layer]![c.position]!), `layer ${c.layer} position ${c.position}`).toBe(true);
    }
    await screenshot(page, 'patching-result');
    const first = page.getByTestId('patch-neuron-table').locator('tbody tr').first();
    await expect(first.getAttribute('data-layer')).resolves.toBe(String(golden.planted.layer));
    await expect(first.getAttribute('data-neuron')).resolves.toBe(String(golden.planted.neuron));

    const svg = fs.readFileSync((await saveDownload(page, 'export-patch-heatmap-svg', saved)).file, 'utf8');
    expect(svg).toMatch(/^<\?xml|^<svg/);
    expect((svg.match(/data-position=/g) ?? []).length).toBe(ref.length * T);
    const csv = fs.readFileSync((await saveDownload(page, 'export-patch-neurons-csv', saved)).file, 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('layer,neuron,denoise,denoise_low,denoise_high,noise,noise_low,noise_high');
    expect(csv[1]!.split(',').slice(0, 2)).toEqual([String(golden.planted.layer), String(golden.planted.neuron)]);
    expect(csv).toHaveLength(1 + stored.neurons.length);

    await page.getByTestId('patch-rerun').click();
    await page.waitForURL((u) => !u.hash.endsWith(`/${id}`), { timeout: 120_000 });
    const again = page.getByTestId('patch-result');
    await again.and(page.locator(`[data-run]:not([data-run="${id}"])`)).waitFor({ timeout: 120_000 });
    const id2 = Number(await again.getAttribute('data-run'));
    const rerun = await api<Run>(app, 'patch.get', { id: id2 });
    expect(rerun.layers).toEqual(stored.layers);
    expect(rerun.neurons).toEqual(stored.neurons);
    await page.getByTestId(`patch-run-${id}`).waitFor();
    // a deleted run leaves the list and can no longer be read
    await expect(api(app, 'patch.delete', { id })).resolves.toEqual({ deleted: true });
    await page.getByTestId(`patch-run-${id}`).waitFor({ state: 'detached' });
    await expect(api(app, 'patch.get', { id })).rejects.toThrow(/404.*patching run \d+ does not exist/);
  }, 300_000);

  it('runs a pasted dataset of pairs: the mean effects with intervals, no position map for pairs of two lengths', async () => {
    await page.goto(`${app.origin}/#/ablation/patching`);
    await page.getByTestId('patch-pairs').fill(golden.pairs.map((p) => JSON.stringify({ clean: p.clean, corrupt: p.corrupt, target: p.target, foil: p.foil })).join('\n'));
    await page.getByTestId('patch-run').click();
    await page.waitForURL(/#\/ablation\/patching\/\d+$/, { timeout: 120_000 });
    const id = Number(/(\d+)$/.exec(page.url())![1]);
    await page.locator(`[data-testid="patch-result"][data-run="${id}"]`).waitFor();
    const stored = await api<Run & { pairs: unknown[] }>(app, 'patch.get', { id });
    expect(stored.pairs).toHaveLength(2);
    await page.getByTestId('chart-patch-layers').waitFor();
    await expect(page.getByTestId('chart-patch-heatmap').count()).resolves.toBe(0);
    const first = page.getByTestId('patch-neuron-table').locator('tbody tr').first();
    await expect(first.getAttribute('data-neuron')).resolves.toBe(String(golden.planted.neuron));
    const csv = fs.readFileSync((await saveDownload(page, 'export-patch-layers-csv', saved)).file, 'utf8').trim().split(/\r?\n/);
    const refs = golden.pairs.map((p) => p.metrics['logit-diff']!.layers['denoise']!);
    csv.slice(1).forEach((line, l) => {
      const [layer, effect, low, high] = line.split(',').map(Number);
      expect(layer).toBe(l);
      expect(near(effect!, (refs[0]![l]!.at(-1)! + refs[1]![l]!.at(-1)!) / 2)).toBe(true);
      expect(low!).toBeLessThan(high!);
    });
  }, 300_000);

  it('reads the logit lens of a prompt: the target rank per layer and position is the PyTorch reference’s', async () => {
    const lens = (JSON.parse(fs.readFileSync(path.join(fixture, 'patching.json'), 'utf8')) as { lens: { prompt: string; layers: { target_rank: number }[][] } }).lens;
    await page.goto(`${app.origin}/#/ablation/patching`);
    await page.getByTestId('lens-prompt').fill(lens.prompt);
    await page.getByTestId('lens-target').fill('A');
    await page.getByTestId('lens-run').click();
    await page.getByTestId('lens-result').waitFor({ timeout: 120_000 });
    await page.getByTestId('lens-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'patching-lens');
    const cells = page.getByTestId('chart-lens-target').locator('svg rect[data-layer][data-position]');
    await expect(cells.count()).resolves.toBe(lens.layers.length * lens.layers[0]!.length);
    const ranks = await page
      .getByTestId('lens-table')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td[data-rank]'), (td) => Number(td.getAttribute('data-rank')))));
    expect(ranks).toEqual(lens.layers.map((l) => l.map((p) => p.target_rank)));
    const csv = fs.readFileSync((await saveDownload(page, 'export-lens-target-csv', saved)).file, 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('layer,position,token,top1,top1_prob,target_rank,target_prob');
    expect(csv).toHaveLength(1 + lens.layers.length * lens.layers[0]!.length);
  }, 120_000);

  it('says why a pair of different lengths cannot be patched', async () => {
    await page.goto(`${app.origin}/#/ablation/patching`);
    await page.getByTestId('patch-pairs').fill(''); // the pasted pairs of the test before would replace the prompts
    await page.getByTestId('patch-clean-prompt').fill('the cat A');
    await page.getByTestId('patch-corrupt-prompt').fill('the cats B');
    await page.getByTestId('patch-target').fill('A');
    await page.getByTestId('patch-foil').fill('B');
    await page.getByTestId('patch-run').click();
    await expect(page.getByTestId('patch-error').textContent()).resolves.toMatch(/9 tokens and the corrupted one 10/);
  }, 120_000);
});
