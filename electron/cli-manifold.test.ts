// The manifold commands of the CLI on a real capture with samples: project prints the stored
// coordinates with explained variance and per-point metadata; intrinsic-dim prints TwoNN and
// PCA-90 per layer; a dataset without samples is refused with what to do.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureWithCharTokenizer, tempDir } from './jobs/test-support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'electron', 'cli.js');
const dataDir = tempDir();

function json(args: string[]): { code: number | null; out: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { env: { ...process.env, FFN_LAB_DATA: dataDir }, encoding: 'utf8' });
  return { code: r.status, out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

beforeAll(() => {
  const model = fixtureWithCharTokenizer(path.join(here, '..', 'native-models', 'fixtures', 'gpt2'));
  expect(json(['import', model, '--name', 'tiny']).code).toBe(0);
  expect(json(['corpus', 'import', 'brown']).code).toBe(0);
  const base = ['capture', '--model', 'tiny', '--corpus', '1', '--documents', '4', '--max-tokens', '3000', '--seq-len', '48', '--top-k', '0'];
  expect(json([...base, '--samples', '50', '--name', 'sampled']).code).toBe(0);
  expect(json([...base, '--samples', '0', '--name', 'bare']).code).toBe(0);
}, 120_000);

describe('ffn-lab project / intrinsic-dim', () => {
  it('projects one layer with PCA: coords [[x, y, z]], explained variance, metadata per point', () => {
    const r = json(['project', '--dataset', '1', '--layer', '1', '--method', 'pca', '--dims', '3']);
    expect(r.code).toBe(0);
    const out = r.out as { coords: number[][]; explained_variance: number[]; meta: Array<Record<string, unknown>> };
    expect(out.coords).toHaveLength(50);
    expect(out.coords.every((c) => c.length === 3 && c.every(Number.isFinite))).toBe(true);
    expect(out.explained_variance).toHaveLength(3);
    expect(out.meta).toHaveLength(50);
    expect(out.meta[0]).toMatchObject({ token: expect.any(String), document: expect.any(String), position: expect.any(Number), genre: expect.any(String) });
    // PCA coordinates are centred
    for (let c = 0; c < 3; c++) expect(Math.abs(out.coords.reduce((s, p) => s + p[c]!, 0) / 50)).toBeLessThan(1e-3);
  });

  it('projects with UMAP in 2-D (no explained variance)', () => {
    const r = json(['project', '--dataset', '1', '--layer', '0', '--method', 'umap', '--dims', '2']);
    expect(r.code).toBe(0);
    const out = r.out as { coords: number[][]; explained_variance?: number[] };
    expect(out.coords.every((c) => c.length === 2)).toBe(true);
    expect(out.explained_variance).toBeUndefined();
  });

  it('measures the intrinsic dimension of every layer', () => {
    const r = json(['intrinsic-dim', '--dataset', '1']);
    expect(r.code).toBe(0);
    const layers = (r.out as { layers: Array<{ layer: number; twonn: number; pca90: number }> }).layers;
    expect(layers.map((l) => l.layer)).toEqual([0, 1]);
    for (const l of layers) {
      expect(l.twonn).toBeGreaterThan(0);
      expect(l.pca90).toBeGreaterThanOrEqual(1);
      expect(l.pca90).toBeLessThanOrEqual(32);
    }
  });

  it('refuses a dataset without samples and says how to make them', () => {
    for (const args of [['project', '--dataset', '2'], ['intrinsic-dim', '--dataset', '2']]) {
      const r = json(args);
      expect(r.code).not.toBe(0);
      expect((r.out as { error: { message: string } }).error.message).toMatch(/--samples N/);
    }
  });
});
