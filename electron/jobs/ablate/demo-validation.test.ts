// The app measures a shipped demo model's validation loss with the protocol of its recipe (each
// held-out document cut into windows of its context, 256 or 128, each window on its own, n - 1 predictions per
// window) and gets what the recipe's independent PyTorch forward got on the same weights.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult } from '../../api.js';
import type { Backend } from '../../backend.js';
import { importBrown, importModel, testBackend } from '../test-support.js';

const demo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native-models', 'demo');
const split = JSON.parse(fs.readFileSync(path.join(demo, 'recipe', 'split.json'), 'utf8')) as { validation: string[] };
let b: Backend;
let corpusId: number;

beforeAll(async () => {
  b = testBackend();
  corpusId = await importBrown(b);
}, 120_000);
afterAll(() => b.close());

/**
 * The demo model `name` measured by the app on the validation split, windows of `seqLen`, against
 * its recipe.json: the same documents and predictions, and the loss within float32 summation noise.
 */
async function expectRecipeLoss(name: string, seqLen: (recipe: Recipe) => number): Promise<void> {
  const dir = path.join(demo, name);
  const recipe = JSON.parse(fs.readFileSync(path.join(dir, 'recipe.json'), 'utf8')) as Recipe;
  const params = { modelId: await importModel(b, dir), corpusId, filter: { names: split.validation }, seqLen: seqLen(recipe), batch: 8, resamples: 0, method: 'zero', kind: 'compare', conditions: [] };
  const job = await b.jobs.waitFor(b.jobs.start('ablate', params).id);
  expect(job.error).toBeNull();
  const r = (await b.handle('ablation.get', { id: (job.result as { ablation: { id: number } }).ablation.id })) as AblationResult;
  expect(r.documents).toBe(recipe.validation.documents);
  expect(r.tokens).toBe(recipe.validation.predictions);
  // float32 on both sides, different summation orders: agreement to a few units in the 4th decimal
  expect(Math.abs(r.baseline.loss.value - recipe.validation.loss)).toBeLessThan(2e-3);
}

interface Recipe {
  shape?: { max_position_embeddings: number };
  validation: { predictions: number; loss: number; documents: number };
}

describe('demo model validation loss', () => {
  it('brown-gpt2-gelu: the app matches the recipe\'s PyTorch figure on the validation split', async () => {
    await expectRecipeLoss('brown-gpt2-gelu', () => 256);
  }, 400_000);

  // the dense-vs-MoE pair (Llama and Mixtral layouts, windows of 128): the recipe measured the shipped
  // weights with the fixtures' independent reference forwards (recipe/export_llama.py)
  it.each(['brown-llama-dense', 'brown-mixtral-moe'])('%s: the app matches the recipe\'s PyTorch figure on the validation split', async (name) => {
    await expectRecipeLoss(name, (recipe) => {
      if (!recipe.shape) throw new Error(`${name}/recipe.json has no shape`);
      return recipe.shape.max_position_embeddings;
    });
  }, 600_000);
});
