// Ablation from the command line: ablate a capture's dead set against a random control, sweep,
// and generate with a set ablated, with the JSON shapes the README documents.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { optWithConstantNeurons, runCli, tempDir } from './jobs/test-support.js';

let dataDir: string;
let model: string;
let dataset: number;

function json(args: string[]): Record<string, unknown> {
  const r = runCli([...args, '--json'], dataDir);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  dataDir = tempDir();
  // two neurons that never fire (zero input weights, bias -1, ReLU: silent) and one constant (bias 0.7)
  model = optWithConstantNeurons([...[3, 9].map((neuron) => ({ layer: 1, neuron, bias: -1 })), { layer: 0, neuron: 4, bias: 0.7 }]);
  json(['corpus', 'import', 'brown']);
  const cap = json(['capture', '--model', model, '--corpus', 'brown', '--max-tokens', '3000', '--seq-len', '64']);
  dataset = (cap.dataset as { id: number }).id;
}, 300_000);

describe('ablate, sweep and generate --ablate', () => {
  it('ablate --set dead --control random --json gives the documented shape, the control in "ablated"', () => {
    const out = json(['ablate', '--model', model, '--corpus', 'brown', '--dataset', String(dataset), '--set', 'dead', '--control', 'random', '--seed', '5', '--max-tokens', '800', '--skip-documents', '30', '--seq-len', '64']);
    expect(Object.keys(out.baseline as object).sort()).toEqual(['loss', 'ppl']);
    expect(Object.keys(out.ablated as object).sort()).toEqual(['kl', 'loss', 'ppl', 'top1_agreement']);
    expect(out.neurons).toBe(2);
    expect(out.label).toBe('random control (seed 5)');
    const set = out.set as { label: string; kl: number; delta_loss: number };
    expect(set.label).toBe('dead');
    expect(set.kl).toBeLessThan(1e-7);
    expect(typeof out.delta_loss).toBe('number');
    const [low, high] = (out.ci as Record<string, [number, number]>).delta_loss!;
    expect(low).toBeLessThanOrEqual(out.delta_loss as number);
    expect(high).toBeGreaterThanOrEqual(out.delta_loss as number);
    const listed = json(['ablations', 'list']).ablations as Array<{ id: number }>;
    expect(listed.map((a) => a.id)).toContain(out.ablation);
  });

  it('neurons --constant finds the constant neuron, and ablate --set constant mean-ablates it by default, changing nothing', () => {
    const found = json(['neurons', '--dataset', String(dataset), '--constant']).neurons as Array<{ layer: number; neuron: number; verdicts: Array<{ kind: string; evidence: { mean: number; range: number } }> }>;
    expect(found.map((n) => [n.layer, n.neuron])).toEqual([[0, 4]]);
    expect(found[0]!.verdicts.find((v) => v.kind === 'constant')!.evidence).toMatchObject({ range: 0 });
    const out = json(['ablate', '--model', model, '--corpus', 'brown', '--dataset', String(dataset), '--set', 'constant', '--max-tokens', '800', '--skip-documents', '30', '--seq-len', '64']);
    expect(out.method).toBe('mean');
    expect(out.neurons).toBe(1);
    expect((out.ablated as { kl: number }).kl).toBeLessThan(1e-7);
    // zero ablation is not what the verdict licenses: it removes the constant 0.7 and moves the model
    const zeroed = json(['ablate', '--model', model, '--corpus', 'brown', '--dataset', String(dataset), '--set', 'constant', '--method', 'zero', '--max-tokens', '800', '--skip-documents', '30', '--seq-len', '64']);
    expect((zeroed.ablated as { kl: number }).kl).toBeGreaterThan(1e-6);
  });

  it('ablate --set FILE.json reads neurons; an unreadable set is a usage error', () => {
    const file = path.join(tempDir(), 'mine.json');
    fs.writeFileSync(file, JSON.stringify([{ layer: 0, neuron: 1 }, [1, 2]]));
    const out = json(['ablate', '--model', model, '--corpus', 'brown', '--set', file, '--max-tokens', '300', '--seq-len', '64']);
    expect(out.neurons).toBe(2);
    expect(out.label).toBe('mine');
    const bad = runCli(['ablate', '--model', model, '--corpus', 'brown', '--set', 'nonsense'], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--set nonsense: not a verdict \(dead, constant, never-positive, rare, massive, heavy, ngram, positional\), not set:ID, and not a readable JSON file/);
  });

  it('ablate --weight L:F:D[=V] (repeatable) sets single W_out weights beside a rank-matched control; a malformed --weight is a usage error', () => {
    const out = json(['ablate', '--model', model, '--corpus', 'brown', '--weight', '0:5:3', '--weight', '1:7:2=0.5', '--control', 'random', '--seed', '2', '--max-tokens', '300', '--skip-documents', '30', '--seq-len', '64']);
    const set = out.set as { label: string; neurons: number; kl: number; weights: Array<{ layer: number; neuron: number; dim: number; value: number; original: number }> };
    expect(set.label).toBe('W_out[0][5→3] = 0, W_out[1][7→2] = 0.5');
    expect(set.neurons).toBe(0);
    expect(set.weights.map((w) => [w.layer, w.neuron, w.dim, w.value])).toEqual([
      [0, 5, 3, 0],
      [1, 7, 2, 0.5],
    ]);
    expect(set.weights.every((w) => typeof w.original === 'number' && w.original !== 0)).toBe(true);
    expect(set.kl).toBeGreaterThan(0);
    // the control: one weight of each layer, none of the set's
    expect(out.label).toBe('random control (seed 2)');
    const control = out.weights as Array<{ layer: number; neuron: number; dim: number }>;
    expect(control.map((w) => w.layer)).toEqual([0, 1]);
    expect(control.some((w) => set.weights.some((s) => s.layer === w.layer && s.neuron === w.neuron && s.dim === w.dim))).toBe(false);
    // the weights of a neuron that never fires (dead, 1:3) do nothing; the text output names them
    const text = runCli(['ablate', '--model', model, '--corpus', 'brown', '--weight', '1:3:0', '--max-tokens', '300', '--skip-documents', '30', '--seq-len', '64'], dataDir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/W_out\[1\]\[3→0\] = 0/);
    expect(text.stdout).toMatch(/weights/);
    const listed = json(['ablations', 'list']).ablations as Array<{ id: number; name: string }>;
    expect(listed.find((a) => a.id === out.ablation)?.name).toMatch(/W_out\[0\]\[5→3\] = 0, W_out\[1\]\[7→2\] = 0\.5 vs random control/);
    const bad = runCli(['ablate', '--model', model, '--corpus', 'brown', '--weight', '1:2'], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--weight: "1:2" is not layer:neuron:dim/);
    const outside = runCli(['ablate', '--model', model, '--corpus', 'brown', '--weight', '1:2:999', '--max-tokens', '100'], dataDir);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/weight 1:2:999 is outside the model/);
  });

  it('sweep --json gives ranked and random points per fraction', () => {
    const out = json(['sweep', '--model', model, '--corpus', 'brown', '--dataset', String(dataset), '--criterion', 'fire_rate', '--fractions', '0.05,0.5', '--max-tokens', '300', '--seq-len', '64']);
    const points = out.points as Array<{ series: string; fraction: number; neurons: number; ci: number[] }>;
    expect(points.map((p) => [p.series, p.fraction])).toEqual([
      ['fire_rate', 0.05],
      ['random', 0.05],
      ['fire_rate', 0.5],
      ['random', 0.5],
    ]);
    expect(points[2]!.neurons).toBe(points[3]!.neurons);
  });

  it('evaluate gives the intact loss with its interval; --names-file picks documents by name', () => {
    const file = path.join(tempDir(), 'names.json');
    fs.writeFileSync(file, JSON.stringify({ validation: ['ca10', 'cb05'] }));
    const out = json(['evaluate', '--model', model, '--corpus', 'brown', '--names-file', file, '--seq-len', '64']);
    expect(out.documents).toBe(2);
    const [low, high] = (out.ci as { loss: [number, number] }).loss;
    expect(low).toBeLessThanOrEqual(out.loss as number);
    expect(high).toBeGreaterThanOrEqual(out.loss as number);
    expect(out.ppl).toBeCloseTo(Math.exp(out.loss as number), 6);
    // --where reads a metadata field of the corpus: Brown's documents carry their genre
    const news = json(['evaluate', '--model', model, '--corpus', 'brown', '--where', 'genre=news', '--documents', '3', '--seq-len', '64']);
    expect(news.documents).toBe(3);
    const bad = runCli(['evaluate', '--model', model, '--corpus', 'brown', '--names-file', path.join(tempDir(), 'none.json')], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--names-file .*none\.json: not a readable JSON file/);
  });

  it('generate --ablate prints the intact and the ablated continuation; a dead set changes nothing', () => {
    const out = json(['generate', '--model', model, '--prompt', 'The jury said', '--max-new', '6', '--ablate', 'dead', '--dataset', String(dataset)]);
    const ablated = out.ablated as { ids: number[]; neurons: number; set: string };
    expect(ablated.neurons).toBe(2);
    expect(ablated.ids).toEqual(out.ids);
    const file = path.join(tempDir(), 'many.json');
    fs.writeFileSync(file, JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ layer: i % 2, neuron: i }))));
    const many = json(['generate', '--model', model, '--prompt', 'The jury said', '--max-new', '6', '--ablate', file]);
    expect((many.ablated as { ids: number[] }).ids).toHaveLength(6);
  });
});
