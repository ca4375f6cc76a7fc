// Patching and the residual lens from the command line (the built CLI, a real database): the JSON
// result equals the PyTorch reference (native-models/fixtures/patching/patching.json) and finds the
// planted neuron; the run is stored and --rerun repeats it exactly; a JSONL of pairs; the refusals.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './jobs/test-support.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures', 'patching');
const golden = JSON.parse(fs.readFileSync(path.join(fixture, 'patching.json'), 'utf8')) as {
  tolerance: { atol: number; rtol: number };
  planted: { layer: number; neuron: number };
  pairs: { clean: string; corrupt: string; target: string; foil: string; metrics: Record<string, { clean: number; layers: Record<string, number[][]>; neurons: Record<string, number[][]> }> }[];
  lens: { layers: { top: number[]; target_rank: number }[][] };
};
const near = (a: number, b: number) => Math.abs(a - b) <= golden.tolerance.atol + golden.tolerance.rtol * Math.abs(b);

let dataDir: string;
function json(args: string[]): Record<string, unknown> {
  const r = runCli([...args, '--json'], dataDir);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

interface Run {
  id: number;
  clean: number;
  layers: { denoise: { all: { effect: number } | null; positions: ({ effect: number } | null)[] | null }[] };
  neurons: { layer: number; neuron: number; denoise: { effect: number } }[];
  searchedLayers: number[];
}

beforeAll(() => {
  dataDir = tempDir();
  json(['import', fixture, '--name', 'copy']);
}, 300_000);

describe('ffn-lab patch and lens', () => {
  it('patch --clean --corrupt --target --foil: the reference effects, the planted neuron first, stored and re-run exactly', () => {
    const g = golden.pairs[0]!;
    const ref = g.metrics['logit-diff']!;
    const out = json(['patch', '--model', 'copy', '--clean', g.clean, '--corrupt', g.corrupt, '--target', g.target, '--foil', g.foil, '--top', '3']) as unknown as Run;
    expect(near(out.clean, ref.clean)).toBe(true);
    out.layers.denoise.forEach((e, l) => {
      const row = ref.layers.denoise![l]!;
      expect(near(e.all!.effect, row.at(-1)!), `layer ${l}`).toBe(true);
      e.positions!.forEach((p, t) => expect(near(p!.effect, row[t]!), `layer ${l} position ${t}`).toBe(true));
    });
    expect(out.neurons).toHaveLength(3);
    expect([out.neurons[0]!.layer, out.neurons[0]!.neuron]).toEqual([golden.planted.layer, golden.planted.neuron]);

    const again = json(['patch', '--rerun', String(out.id)]) as unknown as Run;
    expect(again.id).not.toBe(out.id);
    expect(again.layers).toEqual(out.layers);
    expect(again.neurons).toEqual(out.neurons);
    const list = json(['patch', 'list']) as { patches: { id: number; metric: string }[] };
    expect(list.patches.map((p) => p.id)).toEqual([again.id, out.id]);
    // the ablation list does not show patching runs
    expect((json(['ablations', 'list']) as { ablations: unknown[] }).ablations).toEqual([]);
  }, 300_000);

  it('patch --pairs F.jsonl --metric loss: the mean over pairs', () => {
    const file = path.join(dataDir, 'pairs.jsonl');
    fs.writeFileSync(file, golden.pairs.map((p) => JSON.stringify({ clean: p.clean, corrupt: p.corrupt, target: p.target })).join('\n') + '\n');
    const out = json(['patch', '--model', 'copy', '--pairs', file, '--metric', 'loss', '--search-layers', '1']) as unknown as Run;
    const refs = golden.pairs.map((p) => p.metrics['loss']!);
    out.layers.denoise.forEach((e, l) => {
      expect(e.positions).toBeNull();
      expect(near(e.all!.effect, refs.reduce((a, r) => a + r.layers.denoise![l]!.at(-1)!, 0) / refs.length)).toBe(true);
    });
    expect(out.searchedLayers).toEqual([golden.planted.layer]);
    expect([out.neurons[0]!.layer, out.neurons[0]!.neuron]).toEqual([golden.planted.layer, golden.planted.neuron]);
  }, 300_000);

  it('refuses unequal lengths, a target of several tokens, and a bad JSONL line, saying what was expected', () => {
    const unequal = runCli(['patch', '--model', 'copy', '--clean', 'the cat A', '--corrupt', 'the cats B', '--target', 'A', '--foil', 'B'], dataDir);
    expect(unequal.code).not.toBe(0);
    expect(unequal.stderr).toMatch(/clean prompt has 9 tokens and the corrupted one 10/);
    const multi = runCli(['patch', '--model', 'copy', '--clean', 'the cat A', '--corrupt', 'the cat B', '--target', 'AB', '--foil', 'B'], dataDir);
    expect(multi.stderr).toMatch(/target "AB" is 2 tokens .*exactly one token/);
    const file = path.join(dataDir, 'bad.jsonl');
    fs.writeFileSync(file, '{"clean":"a A","corrupt":"a B","target":"A","foil":"B"}\n{"clean":"x"}\n');
    const bad = runCli(['patch', '--model', 'copy', '--pairs', file], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.jsonl line 2: corrupt/);
  }, 300_000);

  it('lens --prompt --target: the reference top tokens and target ranks per layer and position', () => {
    const out = json(['lens', '--model', 'copy', '--prompt', 'the cat A', '--target', 'A', '--top', '5']) as { layers: { positions: { top: { token: number }[]; target: { rank: number } }[] }[] };
    expect(out.layers.map((l) => l.positions.map((p) => p.top.map((x) => x.token)))).toEqual(golden.lens.layers.map((l) => l.map((p) => p.top)));
    expect(out.layers.map((l) => l.positions.map((p) => p.target.rank))).toEqual(golden.lens.layers.map((l) => l.map((p) => p.target_rank)));
  }, 300_000);
});
