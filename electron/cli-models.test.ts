// Model commands of the CLI end to end: import a real file layout, list, logits and greedy
// generation, checked against goldens from independent reference implementations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtureWithCharTokenizer, tempDir, runCli } from './jobs/test-support.js';
import { howToGet, refModel } from '../native-models/test-support/ref-models.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'native-models', 'fixtures');
const stories = refModel('stories260K.bin').path;

const run = runCli;

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

describe('ffn-lab model commands', () => {
  it('imports a Hugging Face folder and reports its shape', () => {
    const r = run(['import', path.join(fixtures, 'llama'), '--name', 'tiny-llama', '--json'], tempDir());
    expect(r.code).toBe(0);
    const golden = JSON.parse(fs.readFileSync(path.join(fixtures, 'llama', 'golden.json'), 'utf8'));
    const spec = golden.expected_spec;
    expect(JSON.parse(r.stdout)).toEqual({
      model: {
        id: 1,
        name: 'tiny-llama',
        arch: 'llama',
        architecture: 'LlamaForCausalLM',
        layers: spec.nLayers,
        d_model: spec.dModel,
        d_ff: spec.dFf,
        params: spec.params,
        activation: 'silu',
      },
    });
  });

  it('imports a single .safetensors file with the config.json beside it', () => {
    const r = run(['import', path.join(fixtures, 'gpt2-f16', 'model.safetensors'), '--json'], tempDir());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).model).toMatchObject({ name: 'gpt2-f16', arch: 'gpt2', architecture: 'GPT2LMHeadModel' });
  });

  it('prints logits that match the PyTorch golden, importing a path on the fly', () => {
    const dataDir = tempDir();
    const golden = JSON.parse(fs.readFileSync(path.join(fixtures, 'opt', 'golden.json'), 'utf8'));
    const [, T] = golden.input_ids.shape as [number, number];
    const V = golden.expected_spec.vocabSize as number;
    const ids = (golden.input_ids.data as number[]).slice(0, T); // batch row 0
    const r = run(['logits', '--model', path.join(fixtures, 'opt'), '--ids', ids.join(','), '--json'], dataDir);
    expect(r.code).toBe(0);
    const { logits } = JSON.parse(r.stdout) as { logits: number[][] };
    expect(logits).toHaveLength(T);
    expect(maxAbsDiff(logits.flat(), (golden.logits.data as number[]).slice(0, T * V))).toBeLessThanOrEqual(1e-4);
    // the model was imported once and is now listed
    expect(JSON.parse(run(['models', 'list', '--json'], dataDir).stdout).models).toHaveLength(1);
  });

  it('prints large results whole through a pipe, and reuses a model imported from the same path', () => {
    const dataDir = tempDir();
    const demo = path.join(root, 'native-models', 'demo', 'brown-gpt2-gelu');
    const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
    const first = run(['logits', '--model', demo, '--ids', ids.join(','), '--json'], dataDir);
    expect(first.code).toBe(0);
    expect(first.stdout.length).toBeGreaterThan(1 << 20); // far beyond a pipe's 64 KiB buffer
    const { logits } = JSON.parse(first.stdout) as { logits: number[][] };
    expect(logits).toHaveLength(40);
    expect(logits.every((row) => row.length === 4096)).toBe(true);
    run(['generate', '--model', demo, '--prompt-ids', '100', '--max-new', '2', '--json'], dataDir);
    expect(JSON.parse(run(['models', 'list', '--json'], dataDir).stdout).models).toHaveLength(1);
  });

  it('refuses token ids outside the vocabulary with the valid range', () => {
    const r = run(['logits', '--model', path.join(fixtures, 'gpt2'), '--ids', '1,99999'], tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/token id 99999 is outside the vocabulary; expected integers 0\.\.95/);
  });

  it('refuses a truncated checkpoint with the file and the expected size, and stores nothing', () => {
    const dir = tempDir('ffn-bad-model-');
    const src = fs.readFileSync(path.join(fixtures, 'llama2c', 'model.bin'));
    const bad = path.join(dir, 'model.bin');
    fs.writeFileSync(bad, src.subarray(0, src.length - 100));
    const dataDir = tempDir();
    const r = run(['import', bad, '--json'], dataDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(bad);
    expect(JSON.parse(run(['models', 'list', '--json'], dataDir).stdout).models).toEqual([]);
  });

  it('refuses an unknown architecture, listing the supported ones', () => {
    const dir = tempDir('ffn-unknown-');
    fs.cpSync(path.join(fixtures, 'gpt2'), dir, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, architectures: ['MambaForCausalLM'], model_type: 'mamba' }));
    const r = run(['import', dir], tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MambaForCausalLM/);
    expect(r.stderr).toMatch(/GPT2LMHeadModel/);
    expect(r.stderr).toMatch(/LlamaForCausalLM/);
  });

  it('generates from a text prompt through the folder\'s tokenizer.json, the same as from its ids', () => {
    const dir = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
    const dataDir = tempDir();
    const fromText = run(['generate', '--model', dir, '--prompt', 'cab', '--max-new', '5', '--json'], dataDir);
    expect(fromText.code).toBe(0);
    const out = JSON.parse(fromText.stdout) as { ids: number[]; text: string };
    const cab = [99, 97, 98].map((code) => code - 31);
    const fromIds = JSON.parse(run(['generate', '--model', '1', '--prompt-ids', cab.join(','), '--max-new', '5', '--json'], dataDir).stdout) as { ids: number[] };
    // an end-of-text token stops generation early
    const expected = fromIds.ids.includes(0) ? fromIds.ids.slice(0, fromIds.ids.indexOf(0) + 1) : fromIds.ids;
    expect(out.ids).toEqual(expected);
    expect(out.text).toBe(out.ids.filter((id) => id !== 0).map((id) => String.fromCharCode(id + 31)).join(''));
  });

  it('says where it looked when a text prompt has no tokenizer', () => {
    const r = run(['generate', '--model', path.join(fixtures, 'gpt2'), '--prompt', 'hello'], tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no tokenizer found for .*expected tokenizer\.json in the model folder/);
  });

  it('scans the weights at import and lists exactly the planted NaN and Inf entries by tensor and coordinate', () => {
    const dir = tempDir('ffn-nan-model-');
    fs.cpSync(path.join(fixtures, 'gpt2'), dir, { recursive: true });
    const file = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(file);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString()) as Record<string, { shape: number[]; data_offsets: [number, number] }>;
    const plant = (tensor: string, index: [number, number], value: number) => {
      const t = header[tensor]!;
      bytes.writeFloatLE(value, 8 + headerLen + t.data_offsets[0] + 4 * (index[0] * t.shape[1]! + index[1]));
    };
    plant('transformer.h.1.mlp.c_proj.weight', [5, 7], NaN);
    plant('transformer.h.1.mlp.c_proj.weight', [9, 2], Infinity);
    plant('transformer.h.0.attn.c_attn.weight', [3, 40], -Infinity);
    fs.writeFileSync(file, bytes);
    const dataDir = tempDir();
    const r = run(['scan', dir, '--json'], dataDir);
    expect(r.code).toBe(0);
    const scan = JSON.parse(r.stdout) as { tensors: Array<{ tensor: string; nan: number; inf: number }>; invalid: unknown[] };
    expect(scan.invalid).toEqual([
      { tensor: 'transformer.h.0.attn.c_attn.weight', index: [3, 40], value: '-inf' },
      { tensor: 'transformer.h.1.mlp.c_proj.weight', index: [5, 7], value: 'nan' },
      { tensor: 'transformer.h.1.mlp.c_proj.weight', index: [9, 2], value: 'inf' },
    ]);
    expect(scan.tensors.filter((t) => t.nan + t.inf > 0).map((t) => [t.tensor, t.nan, t.inf])).toEqual([
      ['transformer.h.0.attn.c_attn.weight', 0, 1],
      ['transformer.h.1.mlp.c_proj.weight', 1, 1],
    ]);
    expect(scan.tensors).toHaveLength(Object.keys(header).filter((k) => k !== '__metadata__').length);

    // --rescan reads the files again (a job) and stores the same scan
    const again = run(['scan', dir, '--rescan', '--json'], dataDir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(r.stdout));
    // files changed since import are refused, and the stored scan stays
    plant('transformer.h.0.mlp.c_fc.weight', [1, 1], NaN);
    fs.writeFileSync(file, bytes);
    const changed = run(['scan', dir, '--rescan', '--json'], dataDir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/changed since import \(sha256 differs\); import them again/);
  });

  it.skipIf(!fs.existsSync(stories))('stories260K (real llama2.c checkpoint): greedy tokens and logits match an independent NumPy run.c', () => {
    const golden = JSON.parse(fs.readFileSync(path.join(fixtures, 'stories260K', 'expected.json'), 'utf8'));
    const dataDir = tempDir();
    const gen = run(['generate', '--model', stories, '--prompt-ids', golden.greedy_prompt.join(','), '--max-new', String(golden.greedy.length), '--greedy', '--json'], dataDir);
    expect(gen.code).toBe(0);
    expect(JSON.parse(gen.stdout).ids).toEqual(golden.greedy);
    const lg = run(['logits', '--model', 'stories260K', '--ids', golden.logits_prompt.join(','), '--json'], dataDir);
    expect(maxAbsDiff(JSON.parse(lg.stdout).logits.flat(), golden.logits.flat())).toBeLessThanOrEqual(1e-4);
  });
});

if (!fs.existsSync(stories)) console.warn(`SKIPPED stories260K test: ${howToGet('stories260K.bin')}`);
