// Start here, the pair studies: on a fresh data folder (the first start registers the two activation
// demo models and the Brown corpus) both pair studies ("Width vs depth", "Dense vs MoE") show as
// cards; one click on "Width vs depth" imports the width-vs-depth pair,
// captures both on the same training tokens and measures each one's layer sensitivity on held-out
// text, step after step by itself; the result page says in words what was measured, with the
// numbers the comparison API gives, beside the profile figures.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startApp, tempDir, until, type ApiJob, type RunningApp } from './support/app.js';
import { closeAll, launchBrowser, openApp, screenshot } from './support/browser.js';

interface Status {
  datasets: number[] | null;
}
interface Comparison {
  models: Array<{ model: { name: string }; heldout: { loss: { value: number } } | null; layers: Array<{ sensitivity: { whole: { value: number } } | null }> }>;
}

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp(tempDir('ffn-e2e-width-depth-'), { demo: true });
  await until('the first-run imports', async () => {
    const jobs = await api<ApiJob[]>(app, 'jobs.list');
    return jobs.length === 3 && jobs.every((j) => j.state === 'done');
  }, 300_000);
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

describe('width vs depth study', () => {
  it('Start here shows both pair studies as cards, each ready to run', async () => {
    await page.getByTestId('nav-start').click();
    for (const [key, title, models] of [
      ['width-depth', 'Width vs depth', 'brown-gpt2-wide and brown-gpt2-deep'],
      ['dense-moe', 'Dense vs MoE', 'brown-llama-dense and brown-mixtral-moe'],
    ] as const) {
      const card = page.getByTestId(`start-card-${key}`);
      expect(await card.getByRole('heading').innerText()).toBe(title);
      expect(await card.innerText()).toContain(models);
      expect(await card.getByTestId(`${key}-run`).isEnabled()).toBe(true);
    }
  }, 120_000);

  it('one click runs the six steps, and the result says what was measured', async () => {
    await page.getByTestId('nav-start').click();
    const card = page.getByTestId('start-card-width-depth');
    await card.getByTestId('width-depth-run').click();
    await card.getByTestId('width-depth-running').waitFor();
    await screenshot(page, 'width-depth-running');
    await card.getByTestId('width-depth-result-link').waitFor({ timeout: 600_000 });
    const status = await api<Status>(app, 'start.pairStatus', { study: 'width-depth' });
    expect(status.datasets).toHaveLength(2);
    await card.getByTestId('width-depth-result-link').click();
    await page.waitForURL(/#\/start\/width-depth$/);
    const text = await page.getByTestId('width-depth-explanation').innerText();
    const r = await api<Comparison>(app, 'compare.run', { datasets: status.datasets });
    const [wide, deep] = r.models;
    expect(text).toMatch(/brown-gpt2-wide has 2 layers with 1,290 FFN neurons each/);
    expect(text).toMatch(/brown-gpt2-deep has 8 layers with 128 FFN neurons each/);
    // the loss sentence carries the API's numbers
    expect(text).toContain(`the loss is ${wide!.heldout!.loss.value.toFixed(3)}`);
    expect(text).toContain(`for brown-gpt2-wide and ${deep!.heldout!.loss.value.toFixed(3)} (95% CI`);
    const most = Math.max(...deep!.layers.map((l) => l.sensitivity!.whole.value));
    expect(text).toContain(`to ${most.toFixed(3)}`);
    await page.getByTestId('chart-compare-sensitivity-layer').waitFor();
    await page.getByTestId('compare-models').waitFor();
    await screenshot(page, 'width-depth-result');
  }, 900_000);

  it('Dense vs MoE: one click runs its six steps, and the result describes the router with the API\'s numbers', async () => {
    await page.getByTestId('nav-start').click();
    const card = page.getByTestId('start-card-dense-moe');
    await card.getByTestId('dense-moe-run').click();
    await card.getByTestId('dense-moe-result-link').waitFor({ timeout: 600_000 });
    const status = await api<Status>(app, 'start.pairStatus', { study: 'dense-moe' });
    expect(status.datasets).toHaveLength(2);
    await card.getByTestId('dense-moe-result-link').click();
    await page.waitForURL(/#\/start\/dense-moe$/);
    const text = await page.getByTestId('dense-moe-explanation').innerText();
    const r = await api<Comparison>(app, 'compare.run', { datasets: status.datasets });
    const x = await api<{ layers: Array<{ load_cv: number | null }> }>(app, 'experts.get', { datasetId: status.datasets![1] });
    expect(text).toMatch(/brown-llama-dense has 4 layers with one FFN of 256 neurons each/);
    expect(text).toMatch(/brown-mixtral-moe has 4 layers whose FFN is 8 experts of 128 neurons \(1,024 in all\), of which a router picks 2 per token/);
    expect(text).toContain(`the loss is ${r.models[0]!.heldout!.loss.value.toFixed(3)}`);
    expect(text).toContain(`coefficient of variation is ${x.layers.map((l) => l.load_cv!.toFixed(3)).join(', ')} by layer`);
    await page.getByTestId('compare-models').waitFor();
    await screenshot(page, 'dense-moe-result');
  }, 900_000);
});
