// Model import through the UI of the real app: a Hugging Face folder fixture and a truncated
// llama2.c file; the list, the detail page, and the refusal that names the file; a quantized GGUF
// with its metadata, tensor types and per-block scales; a GGUF file dropped on the page (uploaded
// in browser mode) and a file that cannot be dropped.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, startApp, tempDir, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, closeAll } from './support/browser.js';
import { job, startJob, waitForJobState } from './support/jobs-ui.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  page = await openApp(browser, app);
});

afterAll(() => closeAll(browser));

describe('model import in the UI', () => {
  it('imports a GPT-2 folder and shows its shape in the list and on its page', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-empty').waitFor();
    const folder = path.join(projectRoot, 'native-models', 'fixtures', 'gpt2');
    const spec = JSON.parse(fs.readFileSync(path.join(folder, 'golden.json'), 'utf8')).expected_spec as { nLayers: number; dFf: number };
    await page.getByTestId('model-path').fill(folder);
    await page.getByTestId('model-name').fill('tiny-gpt2');
    const id = await startJob(page, () => page.getByTestId('model-import').click());
    await waitForJobState(page, id, 'done');
    const row = page.getByTestId('model-row');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('tiny-gpt2');
    await row.click();
    await page.getByTestId('model-detail').waitFor();
    await expect(page.getByTestId('model-architecture').textContent()).resolves.toContain('GPT2LMHeadModel');
    await expect(page.getByTestId('model-layers').textContent()).resolves.toContain(String(spec.nLayers));
    await expect(page.getByTestId('model-neurons').textContent()).resolves.toContain(String(spec.nLayers * spec.dFf));
    await expect(page.getByTestId('model-sha256').textContent()).resolves.toMatch(/[0-9a-f]{64}/);
  });

  it('refuses a truncated checkpoint with a job error that names the file and the expected size', async () => {
    const bad = path.join(tempDir('ffn-e2e-model-'), 'model.bin');
    const src = fs.readFileSync(path.join(projectRoot, 'native-models', 'fixtures', 'llama2c', 'model.bin'));
    fs.writeFileSync(bad, src.subarray(0, 1000));
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-path').fill(bad);
    const id = await startJob(page, () => page.getByTestId('model-import').click());
    await waitForJobState(page, id, 'failed');
    const error = await job(page, id).getByTestId('job-error').textContent();
    expect(error).toContain(bad);
    expect(error).toMatch(/bytes short \(truncated\?\)/);
    await expect(page.getByTestId('model-row').count()).resolves.toBe(1);
  });

  it('imports a quantized GGUF and shows its metadata, tensor types and per-block scales', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-path').fill(path.join(projectRoot, 'native-models', 'fixtures', 'gguf-models', 'llama-q4_k', 'model.gguf'));
    await page.getByTestId('model-name').fill('tiny-q4k');
    const id = await startJob(page, () => page.getByTestId('model-import').click());
    await waitForJobState(page, id, 'done');
    await page.getByTestId('model-row').filter({ hasText: 'tiny-q4k' }).click();
    await page.getByTestId('checkpoint-metadata-table').waitFor();
    await expect(page.getByTestId('tensor-types').textContent()).resolves.toBe('Tensor types: Q4_K: 7 tensors, F32: 3, Q8_0: 1.');
    const arch = page.locator('[data-testid="metadata-row"][data-key="general.architecture"]');
    await expect(arch.textContent()).resolves.toContain('llama');
    const tokens = page.locator('[data-testid="metadata-row"][data-key="tokenizer.ggml.tokens"]');
    await expect(tokens.textContent()).resolves.toContain('array of 303 strings: "<unk>", "<s>"');
    await page.getByTestId('block-scales-table').waitFor();
    await expect(page.getByTestId('block-scales-row').count()).resolves.toBe(8);
    await expect(page.getByTestId('block-scales-note').textContent()).resolves.toContain('not known without the original weights');
    const gate = page.locator('[data-testid="block-scales-row"][data-tensor="blk.0.ffn_gate.weight"]');
    await expect(gate.textContent()).resolves.toMatch(/64 × 256/);
  });

  /** Drops files built from `files` (name -> bytes) on the Models page, as a drag from the desktop does. */
  async function drop(files: Record<string, Buffer>): Promise<void> {
    const dataTransfer = await page.evaluateHandle((entries) => {
      const dt = new DataTransfer();
      for (const [name, bytes] of entries) dt.items.add(new File([new Uint8Array(bytes)], name));
      return dt;
    }, Object.entries(files).map(([name, bytes]) => [name, Array.from(bytes)] as [string, number[]]));
    await page.dispatchEvent('[data-testid="model-drop"]', 'dragenter', { dataTransfer });
    await page.dispatchEvent('[data-testid="model-drop"]', 'drop', { dataTransfer });
  }

  it('imports a GGUF file dropped on the page (browser mode uploads it into the data folder)', async () => {
    await page.getByTestId('nav-models').click();
    const bytes = fs.readFileSync(path.join(projectRoot, 'native-models', 'fixtures', 'gguf-models', 'gpt2-q8_0', 'model.gguf'));
    const id = await startJob(page, () => drop({ 'dropped-gpt2.gguf': bytes }));
    await waitForJobState(page, id, 'done');
    await page.getByTestId('model-drop-started').waitFor();
    const row = page.getByTestId('model-row').filter({ hasText: 'dropped-gpt2' });
    await row.click();
    await expect(page.getByTestId('model-architecture').textContent()).resolves.toContain('gpt2');
    const kept = path.join(app.dataDir, 'uploads', 'dropped-gpt2.gguf');
    expect(fs.readFileSync(kept).equals(bytes)).toBe(true);
  });

  it('says which files can be dropped when the wrong one is', async () => {
    await page.getByTestId('nav-models').click();
    // the earlier tests imported models: wait for the list before counting it
    await page.getByTestId('model-row').first().waitFor();
    const rows = await page.getByTestId('model-row').count();
    await drop({ 'model.safetensors': Buffer.from('not a gguf') });
    await expect(page.getByTestId('model-drop-error').textContent()).resolves.toMatch(/drop a \.gguf or \.bin file .*type its path instead/);
    await drop({ 'a.gguf': Buffer.from('x'), 'b.gguf': Buffer.from('y') });
    await expect(page.getByTestId('model-drop-error').textContent()).resolves.toContain('Drop one checkpoint file at a time (this was 2)');
    await expect(page.getByTestId('model-row').count()).resolves.toBe(rows);
  });
});
