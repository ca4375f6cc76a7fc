// The capture commands as a user runs them: datasets list / rename / delete and export, on the
// built CLI against a real capture of the OPT fixture.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../native-models/formats/safetensors.js';
import { optWithConstantNeurons, runCli, tempDir } from './jobs/test-support.js';

const dataDir = tempDir('ffn-cli-datasets-');
const json = (args: string[]) => {
  const r = runCli([...args, '--json'], dataDir);
  return { ...r, value: JSON.parse(r.stdout.trim() || 'null') as { datasets: Array<{ id: number }>; files: string[]; dataset: unknown } };
};
let id: number;

beforeAll(() => {
  expect(json(['import', optWithConstantNeurons([]), '--name', 'opt']).code).toBe(0);
  expect(json(['corpus', 'import', 'brown']).code).toBe(0);
  const cap = json(['capture', '--model', 'opt', '--corpus', 'brown', '--max-tokens', '1000', '--seq-len', '64', '--samples', '8', '--name', 'first']);
  expect(cap.code, cap.stderr).toBe(0);
  id = (json(['datasets', 'list']).value.datasets as Array<{ id: number }>)[0]!.id;
}, 300_000);

describe('ffn-lab datasets and export', () => {
  it('lists captures with model and corpus names', () => {
    const r = runCli(['datasets', 'list'], dataDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^id\\s+name\\s+model\\s+corpus\\s+tokens\\s+created\\n${id}\\s+first\\s+opt\\s+brown\\s+1000\\s`));
  });

  it('exports safetensors and CSV into --out', () => {
    const out = tempDir('ffn-cli-export-');
    const r = json(['export', '--dataset', String(id), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.value.files).toEqual([path.join(out, 'capture.safetensors'), path.join(out, 'capture.json')]);
    expect(openSafetensors(path.join(out, 'capture.safetensors')).tensors.get('samples.residual')!.shape[0]).toBe(8);
    const csv = json(['export', '--dataset', String(id), '--format', 'csv', '--out', out]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'neurons.csv'), 'utf8').split('\n')[0]).toMatch(/^layer,neuron,tokens,mean,/);
    const bad = runCli(['export', '--dataset', String(id), '--format', 'npz', '--out', out], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be safetensors or csv; got "npz"');
  });

  it('renames and deletes a capture', () => {
    expect(json(['datasets', 'rename', String(id), '--name', 'renamed']).value).toEqual({ dataset: { id, name: 'renamed' } });
    const del = runCli(['datasets', 'delete', String(id)], dataDir);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain(`capture ${id} deleted with its statistics, 8 sampled tokens and 0 projection runs`);
    expect(runCli(['datasets', 'list'], dataDir).stdout.trim()).toBe('no captures yet: ffn-lab capture --model M --corpus C');
    const again = runCli(['datasets', 'delete', String(id)], dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`capture ${id} does not exist`);
  });
});
