// `npm run demo --quick` on the ReLU demo model, as a user runs it (the built bundle): the files it
// promises, figures whose PNG is the SVG at 2x, and a summary consistent with its tables.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../electron/jobs/test-support.js';
import type { DemoSummary } from './summary.js';
import { appSection, withAppSection } from './model-card.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  expect(b.subarray(1, 4).toString()).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('npm run demo', () => {
  it('--quick writes summary.json, SVG + PNG figures and CSVs, and prints the table', () => {
    const out = tempDir();
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'electron', 'demo.js'), '--quick', '--models', 'brown-gpt2-relu', '--out', out], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/brown-gpt2-relu: capture on 20,000 training tokens/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^model\s+tokens seen\s+dead/);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as DemoSummary;
    const [m] = s.models;
    expect(m!.capture.tokens_seen).toBe(20_000);
    expect(m!.totals.dead).toBe(m!.per_layer.reduce((n, l) => n + l.dead, 0));
    const [dead, control] = m!.ablation.conditions;
    expect(dead!.neurons).toBe(m!.totals.dead);
    expect(control!.per_layer).toEqual(dead!.per_layer);
    // dead ReLU neurons output exactly 0 wherever they stay dead, so on held-out text they cost
    // (almost) nothing, unlike the same number of random neurons
    expect(dead!.kl.value).toBeLessThan(control!.kl.value / 10);
    expect(m!.validation.loss.ci95[0]).toBeLessThanOrEqual(m!.validation.loss.value);
    for (const f of s.figures) {
      const svg = fs.readFileSync(f.svg, 'utf8');
      const [, w, h] = /<svg[^>]*width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
      expect(pngSize(f.png)).toEqual({ width: 2 * Number(w), height: 2 * Number(h) });
      expect(fs.readFileSync(f.csv, 'utf8').split('\n').length).toBeGreaterThan(2);
    }
    expect(s.figures.map((f) => f.name).sort()).toEqual(['ablation-comparison', 'dead-neurons-per-layer', 'fire-rate-distribution-brown-gpt2-relu']);
  }, 300_000);

  it('--quick on the mixture-of-experts demo model adds its router statistics to the summary and the card section', () => {
    const out = tempDir();
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'electron', 'demo.js'), '--quick', '--models', 'brown-mixtral-moe', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as DemoSummary;
    const [m] = s.models;
    const x = m!.experts!;
    expect([x.experts, x.top_k, x.expert_ff]).toEqual([8, 2, 128]);
    expect(x.per_layer).toHaveLength(m!.per_layer.length);
    for (const l of x.per_layer) {
      // each token is routed to top-k experts: the shares of the tokens add up to k
      expect(l.topk_rate.reduce<number>((a, v) => a + (v ?? 0), 0)).toBeCloseTo(2, 9);
      expect(l.entropy_mean!).toBeGreaterThan(0);
      expect(l.entropy_mean!).toBeLessThanOrEqual(l.entropy_max);
    }
    const section = appSection(m!, s);
    expect(section).toMatch(/Router statistics over the same tokens \(8 experts of 128 units, top-2;/);
    expect(section).toContain(`| 0 | ${x.per_layer[0]!.load_cv!.toFixed(3)} | ${x.per_layer[0]!.entropy_mean!.toFixed(3)} (${Math.log(8).toFixed(3)}) |`);
  }, 300_000);

  it('replaces only the model card\'s "Measured by the app" section', () => {
    const card = '# M\n\n## Validation\n\nx\n\n## Measured by the app\n\nold\n\n## Intended use\n\ny\n';
    expect(withAppSection(card, '## Measured by the app\n\nnew\n')).toBe('# M\n\n## Validation\n\nx\n\n## Measured by the app\n\nnew\n\n## Intended use\n\ny\n');
    expect(() => withAppSection('# M\n', 'x')).toThrow(/no "## Measured by the app" section/);
  });
});
