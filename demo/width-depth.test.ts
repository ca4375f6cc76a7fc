// The headless profile figures of a comparison: per quantity an SVG, a PNG at 2x the SVG, a vector
// PDF and the CSV behind it, one line per model.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompareResult } from '../electron/analysis/compare.js';
import { tempDir } from '../electron/jobs/test-support.js';
import { writeProfileFigures } from './width-depth.js';

const iv = (value: number) => ({ value, low: value - 0.1, high: value + 0.1 });

function model(name: string, layers: number): CompareResult['models'][number] {
  return {
    dataset: { id: layers, name, tokens: 100 },
    model: { id: layers, name, architecture: 'GPT2LMHeadModel', activation: 'relu', layers, d_model: 8, heads: 2, ffn_width: 16, gated: false, moe: false },
    params: { total: 1000, embedding: 500, attention: 200, ffn: 290, other: 10, ffn_share: 0.29, ffn_per_layer: 290 / layers, active: 1000, ffn_active: 290 },
    flops_per_token: { context: 16, ffn: 580, attention_projections: 400, attention_scores: 100, unembedding: 800, total: 1880 },
    heldout: null,
    tokens_per_s: null,
    sensitivity: null,
    layers: Array.from({ length: layers }, (_, l) => ({
      layer: l,
      rel_depth: l / (layers - 1),
      ffn_width: 16,
      ffn_params: 0,
      tokens: 100,
      fire_rate: { mean: 0.1, q05: 0, q25: 0.05, q50: 0.1 + l / 100, q75: 0.2, q95: 0.3 },
      active_fraction: { mean: 0.1, q50: 0.1, q90: 0.2 },
      verdicts: { dead: 0, constant: 0, never_positive: 0, rare: 0, massive: 0 },
      massive_dims: null,
      twonn: null,
      pca90: null,
      intrinsic_points: null,
      sensitivity: { whole: iv(1 / (l + 1)), random: { ...iv(0.01), neurons: 4, fraction: 0.25, seed: 0 } },
    })),
    notes: [],
  };
}

describe('width-vs-depth figures', () => {
  it('writes SVG, PNG (2x), PDF and CSV per quantity that has values, one line per model', () => {
    const out = tempDir();
    const r: CompareResult = { text: { corpus: { id: 1, name: 'c' }, documents: 1, cut_after_tokens: null, fire: 'a > 0' }, models: [model('wide', 2), model('deep', 8)], refused: [], aligned: [], definitions: {} };
    const files = writeProfileFigures(r, out);
    const names = [...new Set(files.map((f) => path.basename(f).replace(/\.\w+$/, '')))];
    // twonn and pca90 have no values here: no figure
    expect(names).toEqual(['compare-fire-rate', 'compare-active-fraction', 'compare-dead', 'compare-rare', 'compare-sensitivity-layer', 'compare-sensitivity-random']);
    const base = path.join(out, 'compare-sensitivity-layer');
    const svg = fs.readFileSync(`${base}.svg`, 'utf8');
    const [, w, h] = /<svg[^>]*width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    const png = fs.readFileSync(`${base}.png`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * Number(w), 2 * Number(h)]);
    expect(fs.readFileSync(`${base}.pdf`).subarray(0, 8).toString()).toBe('%PDF-1.4');
    expect(svg).toContain('>wide<');
    expect(svg).toContain('>deep<');
    const csv = fs.readFileSync(`${base}.csv`, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('model,layer,rel_depth,sensitivity-layer,low,high');
    expect(csv).toHaveLength(1 + 2 + 8);
  });
});
