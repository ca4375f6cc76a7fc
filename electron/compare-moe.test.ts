// The comparison with a mixture of experts in it, through the real pipeline: the tiny Mixtral
// fixture (4 experts of 16 units, top-2, a character tokenizer) beside the dense wide demo model
// (a GPT-2 tokenizer) on the same Brown documents read whole (the same text whatever the
// tokenizer), and Mixtral beside OLMoE (the same tokenizer.json) on the same token budget, where the
// dense model's budget of another tokenizer is refused. Parameters of every MoE fixture (Mixtral,
// Qwen2-MoE with its shared expert, Qwen3-MoE, OLMoE): total and FFN as the checkpoint's tensors
// add up, active (the top-k experts, the shared expert, the router and shared gate) from config.json.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from './api.js';
import type { Backend } from './backend.js';
import { ffnActiveParamsPerLayer, flopsPerToken, paramAccounting, type CompareResult } from './analysis/compare.js';
import { tempDir, testBackend } from './jobs/test-support.js';
import { loadModel } from '../native-models/load.js';

const root = path.join(import.meta.dirname, '..');
const fixture = (name: string) => path.join(root, 'native-models', 'fixtures', name);
const wideDir = path.join(root, 'native-models', 'demo', 'brown-gpt2-wide');
const split = JSON.parse(fs.readFileSync(path.join(root, 'native-models', 'demo', 'recipe', 'split.json'), 'utf8')) as { train: string[] };
const docs = { names: split.train.slice(0, 2) };
const BUDGET = 1500;

let b: Backend;
let corpusId: number;
const ids = { mixtral: 0, olmoe: 0, wide: 0 };
const caps = { mixtral: 0, wide: 0, mixtralCut: 0, olmoeCut: 0, wideCut: 0 };

async function finish(method: string, params: unknown): Promise<Job> {
  const { job } = (await b.handle(method, params)) as { job: Job };
  const done = await b.jobs.waitFor(job.id);
  expect(done.error).toBeNull();
  return done;
}
const modelOf = async (dir: string, name: string) => ((await finish('model.import', { path: dir, name })).result as { model: { id: number } }).model.id;
const capture = async (modelId: number, extra: object = {}) =>
  ((await finish('capture.start', { modelId, corpusId, filter: docs, seqLen: 64, batch: 8, samples: 50, topK: 4, ...extra })).result as { dataset: { id: number } }).dataset.id;

beforeAll(async () => {
  b = testBackend(tempDir());
  corpusId = ((await finish('corpus.import', { source: { kind: 'brown' } })).result as { corpus: { id: number } }).corpus.id;
  ids.mixtral = await modelOf(fixture('mixtral'), 'mixtral fixture');
  ids.olmoe = await modelOf(fixture('olmoe'), 'olmoe fixture');
  ids.wide = await modelOf(wideDir, 'wide');
  caps.mixtral = await capture(ids.mixtral);
  caps.wide = await capture(ids.wide);
  caps.mixtralCut = await capture(ids.mixtral, { maxTokens: BUDGET });
  caps.olmoeCut = await capture(ids.olmoe, { maxTokens: BUDGET });
  caps.wideCut = await capture(ids.wide, { maxTokens: BUDGET });
}, 600_000);
afterAll(() => b.close());

/** Element counts of a safetensors file's tensors, from its header. */
function tensorSizes(file: string): Array<[string, number]> {
  const bytes = fs.readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { shape?: number[] }>;
  return Object.entries(header).filter(([k]) => k !== '__metadata__').map(([k, t]) => [k, (t.shape ?? []).reduce((a, c) => a * c, 1)]);
}

describe('parameters and FLOPs of the mixture-of-experts fixtures', () => {
  for (const name of ['mixtral', 'qwen2-moe', 'qwen3-moe', 'olmoe']) {
    it(`${name}: total and FFN as the checkpoint's tensors add up; active from config.json`, () => {
      const dir = fixture(name);
      const spec = loadModel(dir).spec;
      expect(spec.moe).toBeDefined();
      const sizes = new Map(tensorSizes(path.join(dir, 'model.safetensors')));
      // the FFN: every expert's gate/up/down, the shared expert's and its gate, the router
      // (Mixtral: block_sparse_moe.{gate, experts.j.w1/w2/w3}; the others: mlp.{gate, experts.j.*, shared_expert.*, shared_expert_gate})
      const ffnTensor = (k: string) => /\.(block_sparse_moe|mlp)\./.test(k);
      let ffn = 0;
      let total = 0;
      for (const [k, n] of sizes) {
        total += n;
        if (ffnTensor(k)) ffn += n;
      }
      const p = paramAccounting(spec);
      expect(p.total).toBe(total);
      expect(p.ffn).toBe(ffn);
      expect(p.ffn_per_layer * spec.nLayers).toBe(ffn);
      expect(p.other).toBe(total - p.embedding - p.attention - ffn);
      expect(p.other).toBeGreaterThan(0); // the norms

      // active, from the config's own numbers
      const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
      const D = c.hidden_size!;
      const E = (c.num_local_experts ?? c.num_experts)!;
      const ff = (c.moe_intermediate_size ?? c.intermediate_size)!;
      const shared = c.shared_expert_intermediate_size ?? 0;
      const k = c.num_experts_per_tok!;
      const activeFfnLayer = 3 * D * (k * ff + shared) + E * D + (shared > 0 ? D : 0);
      expect(ffnActiveParamsPerLayer(spec)).toBe(activeFfnLayer);
      expect(p.ffn_active).toBe(activeFfnLayer * c.num_hidden_layers!);
      expect(p.active).toBe(total - ffn + activeFfnLayer * c.num_hidden_layers!);
      expect(p.active).toBeLessThan(p.total);
      // 2 FLOPs per active FFN matrix weight (these FFNs have no biases)
      expect(flopsPerToken(spec, 64).ffn).toBe(2 * p.ffn_active);
    });
  }
});

describe('compare with a mixture of experts', () => {
  it('compares the Mixtral fixture beside a dense model on the same documents read whole', async () => {
    const r = (await b.handle('compare.run', { datasets: [caps.mixtral, caps.wide] })) as CompareResult;
    expect(r.refused).toEqual([]);
    expect(r.models.map((m) => m.dataset.id)).toEqual([caps.mixtral, caps.wide]);
    const [mix, wide] = r.models as [CompareResult['models'][number], CompareResult['models'][number]];
    expect(mix.model).toMatchObject({ architecture: 'MixtralForCausalLM', layers: 2, ffn_width: 64, moe: true });
    expect(wide.model.moe).toBe(false);

    // parameters: the checkpoint's tensors; the FFN = every expert's w1/w2/w3 and the router (block_sparse_moe.*)
    const sizes = tensorSizes(path.join(fixture('mixtral'), 'model.safetensors'));
    const total = sizes.reduce((a, [, n]) => a + n, 0);
    const ffn = sizes.filter(([k]) => k.includes('.block_sparse_moe.')).reduce((a, [, n]) => a + n, 0);
    expect(mix.params.total).toBe(total);
    expect(mix.params.total).toBe(loadModel(fixture('mixtral')).spec.params);
    expect(mix.params.ffn).toBe(ffn);
    // config.json: d 32, 4 experts of 16, top-2, 2 layers: per layer 3 x 32 x (2 x 16) + router 4 x 32
    const ffnActive = 2 * (3 * 32 * 2 * 16 + 4 * 32);
    expect(mix.params.ffn_active).toBe(ffnActive);
    expect(mix.params.active).toBe(total - ffn + ffnActive);
    expect(mix.flops_per_token.ffn).toBe(2 * ffnActive);
    expect(wide.params.active).toBe(wide.params.total);
    expect(wide.params.ffn_active).toBe(wide.params.ffn);

    expect(mix.notes.some((n) => /mixture of experts \(4 experts of 16 units, top-2\).*fire rate and verdicts count only the tokens routed to its expert.*active fraction per token is over all the layer's units.*at most 32 of 64 units/.test(n))).toBe(true);
    expect(wide.notes.some((n) => /mixture of experts/.test(n))).toBe(false);
    expect(mix.layers.map((l) => l.rel_depth)).toEqual([0, 1]);
    for (const l of mix.layers) {
      expect(l.ffn_width).toBe(64);
      expect(l.ffn_params).toBe(mix.params.ffn_per_layer);
      expect(l.tokens).toBe(mix.dataset.tokens);
      expect(l.fire_rate!.q05).toBeLessThanOrEqual(l.fire_rate!.q95);
      // a token reaches 2 of the 4 experts: at most half the layer's units fire for it
      expect(l.active_fraction!.mean).toBeGreaterThan(0);
      expect(l.active_fraction!.mean).toBeLessThanOrEqual(0.5);
      expect(l.active_fraction!.q90).toBeLessThanOrEqual(0.5);
    }
    // the dense model: every token meets all units, the mean fire rate is the mean active fraction
    for (const l of wide.layers) expect(l.active_fraction!.mean).toBeCloseTo(l.fire_rate!.mean, 9);
    // the same character count, different tokenizers: the character-level Mixtral counts more tokens
    expect(mix.dataset.tokens).toBeGreaterThan(wide.dataset.tokens);
  });

  it('on a token budget, Mixtral and OLMoE (one tokenizer.json) compare; the dense model of another tokenizer is refused with the reason', async () => {
    const r = (await b.handle('compare.run', { datasets: [caps.mixtralCut, caps.olmoeCut, caps.wideCut] })) as CompareResult;
    expect(r.models.map((m) => m.dataset.id)).toEqual([caps.mixtralCut, caps.olmoeCut]);
    expect(r.models.map((m) => m.dataset.tokens)).toEqual([BUDGET, BUDGET]);
    expect(r.text.cut_after_tokens).toBe(BUDGET);
    expect(r.refused.map((x) => x.dataset)).toEqual([caps.wideCut]);
    expect(r.refused[0]!.reason).toMatch(/different tokenizers/);
    const olmoe = r.models[1]!;
    // OLMoE: 6 experts of 8, top-2, tied embeddings; per layer 3 x 32 x (2 x 8) + router 6 x 32
    expect(olmoe.model.moe).toBe(true);
    expect(olmoe.params.total).toBe(tensorSizes(path.join(fixture('olmoe'), 'model.safetensors')).reduce((a, [, n]) => a + n, 0));
    expect(olmoe.params.ffn_active).toBe(2 * (3 * 32 * 2 * 8 + 6 * 32));
    expect(olmoe.notes.some((n) => /mixture of experts \(6 experts of 8 units, top-2\).*at most 16 of 48 units/.test(n))).toBe(true);
  });
});
