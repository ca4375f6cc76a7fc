// A mixture-of-experts model from the command line: the tiny Mixtral fixture (make_moe.py, with its
// character tokenizer) imports, captures over the Brown corpus, and ablates units inside experts
// (neuron = expert * expertFf + unit) against a matched random control.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { methods } from './api.js';
import { runCli, tempDir, testBackend } from './jobs/test-support.js';
import { encodeExperts, readSamples } from '../db/samples.js';

const mixtral = path.join(import.meta.dirname, '..', 'native-models', 'fixtures', 'mixtral');
let dataDir: string;
let dataset: number;

function json(args: string[]): Record<string, unknown> {
  const r = runCli([...args, '--json'], dataDir);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  dataDir = tempDir();
  json(['corpus', 'import', 'brown']);
  const cap = json(['capture', '--model', mixtral, '--corpus', 'brown', '--max-tokens', '2000', '--seq-len', '64']);
  dataset = (cap.dataset as { id: number }).id;
}, 300_000);

describe('mixtral fixture: capture and ablate', () => {
  it('captures every unit of every expert on the flat neuron axis (4 experts x 16 units per layer)', () => {
    const models = json(['models', 'list']).models as Array<{ architecture: string; dFf: number }>;
    expect(models.map((m) => [m.architecture, m.dFf])).toEqual([['MixtralForCausalLM', 64]]);
    const cap = json(['neurons', '--dataset', String(dataset), '--limit', '200']);
    const rows = cap.neurons as Array<{ layer: number; neuron: number; tokens: number }>;
    expect(rows.length).toBe(2 * 64);
    // a unit counts only the tokens routed to its expert: each token goes to 2 of the 4 experts
    const layers = json(['layers', '--dataset', String(dataset)]).layers as Array<{ layer: number; tokens: number }>;
    for (const { layer, tokens } of layers) {
      const perExpert = [0, 1, 2, 3].map((e) => rows.find((r) => r.layer === layer && r.neuron === e * 16)!.tokens);
      expect(perExpert.every((t) => t > 0 && t < tokens)).toBe(true);
      expect(perExpert.reduce((a, b) => a + b, 0)).toBe(2 * tokens);
      for (const r of rows.filter((x) => x.layer === layer)) expect(r.tokens).toBe(perExpert[Math.floor(r.neuron / 16)]);
    }
  });

  it('neurons --expert: exactly that expert’s units, each row with its expert and unit; the API the same', async () => {
    for (const e of [0, 3]) {
      const out = json(['neurons', '--dataset', String(dataset), '--expert', String(e)]);
      const rows = out.neurons as Array<{ layer: number; neuron: number; expert: number; unit: number }>;
      expect(out.total).toBe(2 * 16);
      expect(rows.map((r) => [r.layer, r.neuron])).toEqual([0, 1].flatMap((l) => Array.from({ length: 16 }, (_, u) => [l, e * 16 + u])));
      expect(rows.every((r, i) => r.expert === e && r.unit === i % 16)).toBe(true);
    }
    const all = json(['neurons', '--dataset', String(dataset), '--layer', '1']).neurons as Array<{ neuron: number; expert: number; unit: number }>;
    expect(all.map((r) => r.expert * 16 + r.unit)).toEqual(all.map((r) => r.neuron));
    const text = runCli(['neurons', '--dataset', String(dataset), '--expert', '2', '--layer', '0', '--limit', '2'], dataDir).stdout;
    expect(text).toMatch(/^layer\s+neuron\s+expert\s+unit\s+tokens/);
    expect(text).toMatch(/^0\s+33\s+2\s+1\s/m);
    expect(runCli(['neurons', '--dataset', String(dataset), '--expert', 'x'], dataDir).stderr).toMatch(/--expert must be an expert index or "shared"/);
    expect(runCli(['neurons', '--dataset', String(dataset), '--expert', '4'], dataDir).stderr).toMatch(/expert 4 is not in 0\.\.3/);
    expect(runCli(['neurons', '--dataset', String(dataset), '--expert', 'shared'], dataDir).stderr).toMatch(/no shared expert/);
    const backend = testBackend(dataDir);
    try {
      const viaApi = methods['neurons.list'].result.parse(await backend.handle('neurons.list', { datasetId: dataset, expert: 1, layer: 1 }));
      expect(viaApi.neurons.map((r) => [r.neuron, r.expert, r.unit])).toEqual(Array.from({ length: 16 }, (_, u) => [16 + u, 1, u]));
      const detail = (await backend.handle('neuron.get', { datasetId: dataset, layer: 1, neuron: 37 })) as { stats: { expert: number; unit: number } };
      expect(detail.stats).toMatchObject({ expert: 2, unit: 5 });
    } finally {
      backend.close();
    }
  });

  it('stores each sampled token’s routed experts; the manifold colours by the top-1 expert at a layer (null before: re-capture needed)', async () => {
    const backend = testBackend(dataDir);
    try {
      const samples = readSamples(backend.db, dataset, 2, { blobs: true });
      expect(samples.length).toBeGreaterThan(50);
      for (const s of samples) {
        const chosen = s.experts!;
        expect(chosen.length).toBe(2 * 2);
        for (let l = 0; l < 2; l++) {
          const pair = [chosen[l * 2]!, chosen[l * 2 + 1]!];
          expect(pair[0]).not.toBe(pair[1]);
          // exact against the sampled activations: a unit is 0 exactly where its expert is not routed
          const routed = [0, 1, 2, 3].filter((e) => s.ffn[l]!.subarray(e * 16, (e + 1) * 16).some((v) => v !== 0));
          expect(routed).toEqual([...pair].sort((a, b) => a - b));
        }
      }
      json(['project', '--dataset', String(dataset), '--method', 'pca', '--dims', '2']);
      const run = ((await backend.handle('projection.list', { datasetId: dataset })) as Array<{ id: number }>)[0]!;
      const data = methods['projection.get'].result.parse(await backend.handle('projection.get', { id: run.id }));
      const top = data.points.topExpert!;
      expect(top.length).toBe(2);
      const byId = new Map(samples.map((x) => [x.id, x.experts!]));
      data.points.sampleId.forEach((id, i) => {
        for (let l = 0; l < 2; l++) expect(top[l]![i]).toBe(byId.get(id)![l * 2]);
      });
      // more than one expert comes first at each layer
      for (let l = 0; l < 2; l++) expect(new Set(top[l]).size).toBeGreaterThan(1);
      // a capture from before the choices were stored: no colouring by expert
      backend.db.prepare('UPDATE samples SET experts = NULL WHERE dataset_id = ?').run(dataset);
      expect(methods['projection.get'].result.parse(await backend.handle('projection.get', { id: run.id })).points.topExpert).toBeNull();
      const restore = backend.db.prepare('UPDATE samples SET experts = ? WHERE id = ?');
      for (const x of samples) restore.run(encodeExperts(x.experts!), x.id);
    } finally {
      backend.close();
    }
  });

  it('merge keeps each sample’s routed experts', () => {
    const half = (extra: string[]) => (json(['capture', '--model', '1', '--corpus', 'brown', '--max-tokens', '300', '--seq-len', '64', '--samples', '20', ...extra]).dataset as { id: number }).id;
    const a = half(['--documents', '3']);
    const b = half(['--skip-documents', '3', '--documents', '3']);
    const merged = (json(['merge', '--name', 'moe halves', String(a), String(b)]).dataset as { id: number }).id;
    const backend = testBackend(dataDir);
    try {
      const chosen = (id: number) => readSamples(backend.db, id, 2, { blobs: false }).map((x) => [x.position, Array.from(x.experts!)]);
      expect(chosen(a).length).toBeGreaterThan(0);
      expect(chosen(merged)).toEqual([...chosen(a), ...chosen(b)]);
    } finally {
      backend.close();
    }
  });

  it('experts: router statistics per layer and expert, stored with the capture', async () => {
    const out = json(['experts', '--dataset', String(dataset), '--limit', '6']);
    expect(out).toMatchObject({ experts: 4, topK: 2, expertFf: 16, shared: null });
    const layers = out.layers as Array<{ tokens: number; entropy_mean: number; entropy_max: number; load_cv: number; experts: Array<{ load: number; topk_rate: number; top1_rate: number; mean_weight: number }>; pairs: Array<{ count: number }> }>;
    const neuronLayers = json(['layers', '--dataset', String(dataset)]).layers as Array<{ tokens: number }>;
    expect(layers.map((l) => l.tokens)).toEqual(neuronLayers.map((l) => l.tokens));
    for (const l of layers) {
      expect(l.experts.reduce((a, e) => a + e.load, 0)).toBe(2 * l.tokens);
      expect(l.experts.reduce((a, e) => a + e.top1_rate, 0)).toBeCloseTo(1, 9);
      // Mixtral renormalises the top-2 weights: the first choice weighs at least half
      expect(l.experts.every((e) => e.mean_weight > 0 && e.mean_weight < 1)).toBe(true);
      expect(l.entropy_mean).toBeGreaterThan(0);
      expect(l.entropy_mean).toBeLessThan(l.entropy_max);
      // 6 pairs of 4 experts, each token adds one
      expect(l.pairs.reduce((a, p) => a + p.count, 0)).toBe(l.tokens);
    }
    // the same through the API (for the Experts view), checked against its schema
    const backend = testBackend(dataDir);
    try {
      const viaApi = (await backend.handle('experts.get', { datasetId: dataset, pairs: 6 })) as unknown;
      expect(methods['experts.get'].result.parse(viaApi)).toEqual(JSON.parse(JSON.stringify(out)));
      await expect(backend.handle('experts.get', { datasetId: 999 })).rejects.toThrow(/dataset 999 does not exist/);
    } finally {
      backend.close();
    }
    const text = runCli(['experts', '--dataset', String(dataset), '--layer', '1'], dataDir);
    expect(text.stdout).toMatch(/^layer 1: \d+ tokens, router entropy [\d.]+ of 1.386 nats, load CV [\d.]+, dead experts 0/);
    expect(text.stdout).not.toMatch(/^layer 0/m);
  });

  it('ablate --experts: whole experts unrouted or zeroed, each beside as many random experts of the same layers', () => {
    const args = ['ablate', '--model', '1', '--corpus', 'brown', '--control', 'random', '--seed', '4', '--max-tokens', '400', '--skip-documents', '20', '--seq-len', '64'];
    for (const mode of ['unrouted', 'zeroed'] as const) {
      const out = json([...args, '--experts', '0:1,1:2,1:3', '--expert-mode', mode]);
      const set = out.set as { label: string; neurons: number; kl: number; experts: { mode: string; list: Array<{ layer: number; expert: number }> } };
      expect(set.label).toBe(`experts ${mode} 0:1, 1:2, 1:3`);
      expect(set.neurons).toBe(0);
      expect(set.kl).toBeGreaterThan(1e-4);
      const control = out.experts as { mode: string; list: Array<{ layer: number; expert: number }> };
      expect(control.mode).toBe(mode);
      expect(control.list.map((x) => x.layer)).toEqual([0, 1, 1]);
      expect(control.list.some((x) => set.experts.list.some((y) => y.layer === x.layer && y.expert === x.expert))).toBe(false);
    }
    // routing needs top-2 of the experts left; a dense model has none
    const tooMany = runCli(['ablate', '--model', '1', '--corpus', 'brown', '--experts', '0:0,0:1,0:2', '--max-tokens', '100'], dataDir);
    expect(tooMany.stderr).toMatch(/layer 0: removing 3 of 4 experts from routing leaves fewer than the 2 each token is routed to/);
    const outside = runCli(['ablate', '--model', '1', '--corpus', 'brown', '--experts', '0:4', '--max-tokens', '100'], dataDir);
    expect(outside.stderr).toMatch(/expert 0:4: expert 4 is not in 0..3/);
    const bad = runCli(['ablate', '--model', '1', '--corpus', 'brown', '--experts', '0-4'], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--experts: "0-4" is not layer:expert/);
  });

  it('ablates units inside experts against a random control of the same size and layer mix', () => {
    const file = path.join(tempDir(), 'experts.json');
    // expert 1 unit 1 of layer 0, expert 2 unit 8 of layer 1
    fs.writeFileSync(file, JSON.stringify([{ layer: 0, neuron: 17 }, { layer: 1, neuron: 40 }]));
    const out = json(['ablate', '--model', '1', '--corpus', 'brown', '--set', file, '--control', 'random', '--seed', '3', '--max-tokens', '600', '--skip-documents', '20', '--seq-len', '64']);
    expect(out.neurons).toBe(2);
    const set = out.set as { neurons: number; kl: number };
    expect(set.neurons).toBe(2);
    expect(set.kl).toBeGreaterThan(1e-4);
  });
});
