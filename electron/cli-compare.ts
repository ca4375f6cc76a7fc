// What `ffn-lab compare` and `ffn-lab sensitivity` print and write: the comparison as text, its
// tables as CSV and LaTeX files, and a sensitivity run as per-layer JSON.
import fs from 'node:fs';
import path from 'node:path';
import { layerTable, modelTable, tableCsv, tableLatex } from '../common/compare-table.js';
import type { CompareResult } from './analysis/compare.js';
import { isSensitivityOrigin, sensitivityByLayer } from './analysis/layer-sensitivity.js';
import type { AblationResult } from './api.js';

const ci = (m: { low: number | null; high: number | null }) => [m.low, m.high];
const pm = (m: { value: number; low: number | null; high: number | null }, digits = 4) => `${m.value.toFixed(digits)} [${m.low?.toFixed(digits) ?? '?'}, ${m.high?.toFixed(digits) ?? '?'}]`;

export interface SensitivityJson {
  ablation: number;
  baseline: { loss: number; ppl: number; ci: { loss: Array<number | null>; ppl: Array<number | null> } };
  fraction: number;
  seed: number;
  predictions: number;
  documents: number;
  layers: Array<{ layer: number; whole: { delta_loss: number; ci: Array<number | null> }; random: { delta_loss: number; ci: Array<number | null>; neurons: number } }>;
}

export function sensitivityJson(r: AblationResult, layers: number): SensitivityJson {
  const conditions = (r.params as { conditions: Array<{ origin?: unknown; neurons: unknown[] }> }).conditions;
  const byLayer = sensitivityByLayer(layers, conditions, r.results);
  const random = conditions.map((c) => c.origin).find((o) => isSensitivityOrigin(o) && o.part === 'random');
  return {
    ablation: r.id,
    baseline: { loss: r.baseline.loss.value, ppl: r.baseline.ppl.value, ci: { loss: ci(r.baseline.loss), ppl: ci(r.baseline.ppl) } },
    fraction: isSensitivityOrigin(random) ? random.fraction : 1,
    seed: isSensitivityOrigin(random) ? random.seed : 0,
    predictions: r.tokens,
    documents: r.documents,
    layers: byLayer.flatMap((s, layer) =>
      s ? [{ layer, whole: { delta_loss: s.whole.value, ci: ci(s.whole) }, random: { delta_loss: s.random.value, ci: ci(s.random), neurons: s.random.neurons } }] : [],
    ),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function sensitivityText(s: SensitivityJson, model: string): string {
  const interval = (v: number, c: Array<number | null>) => pm({ value: v, low: c[0] ?? null, high: c[1] ?? null });
  return [
    `layer sensitivity of ${model} (run ${s.ablation}): intact loss ${s.baseline.loss.toFixed(4)}, ${s.predictions} predictions in ${s.documents} documents`,
    table([
      ['layer', 'whole FFN zeroed: Δ loss [95% CI]', `random ${Math.round(s.fraction * 1000) / 10}% zeroed: Δ loss [95% CI]`, 'neurons'],
      ...s.layers.map((l) => [String(l.layer), interval(l.whole.delta_loss, l.whole.ci), interval(l.random.delta_loss, l.random.ci), String(l.random.neurons)]),
    ]),
  ].join('\n');
}

/** models.csv, models.tex, layers.csv, layers.tex in `dir` (created); returns the paths. */
export function writeCompareFiles(r: CompareResult, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['models.csv', tableCsv(modelTable(r))],
    ['models.tex', tableLatex(modelTable(r))],
    ['layers.csv', tableCsv(layerTable(r))],
    ['layers.tex', tableLatex(layerTable(r))],
  ];
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
    return file;
  });
}

const g = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '-' : Number(v.toPrecision(digits)).toString());
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);

export function compareText(r: CompareResult, written: readonly string[]): string {
  const lines: string[] = [];
  lines.push(`${r.models.length} models on the same text: corpus "${r.text.corpus.name}", ${r.text.documents} documents${r.text.cut_after_tokens === null ? '' : `, the first ${r.text.cut_after_tokens} tokens`}; firing: ${r.text.fire}`);
  for (const x of r.refused) lines.push(`refused capture ${x.dataset} "${x.name}": ${x.reason}`);
  lines.push(
    '',
    table([
      ['model', 'layers', 'd_model', 'FFN width', 'params', 'FFN share', 'FLOPs/token', 'held-out loss [95% CI]', 'tokens/s'],
      ...r.models.map((m) => [
        m.model.name,
        String(m.model.layers),
        String(m.model.d_model),
        String(m.model.ffn_width),
        m.params.total.toLocaleString('en-US'),
        pct(m.params.ffn_share),
        m.flops_per_token.total.toExponential(3),
        m.heldout ? pm(m.heldout.loss) : '-',
        m.tokens_per_s === null ? '-' : Math.round(m.tokens_per_s).toString(),
      ]),
    ]),
    '',
    table([
      ['model', 'layer', 'depth', 'fire rate (median)', 'active/token', 'dead', 'rare', 'massive dims', 'TwoNN', 'PCA-90', 'Δ loss whole FFN', 'Δ loss random'],
      ...r.models.flatMap((m) =>
        m.layers.map((l) => [
          m.model.name,
          String(l.layer),
          l.rel_depth.toFixed(2),
          g(l.fire_rate?.q50),
          pct(l.active_fraction?.mean),
          pct(l.verdicts.dead),
          pct(l.verdicts.rare),
          l.massive_dims === null ? '-' : String(l.massive_dims),
          g(l.twonn),
          l.pca90 === null ? '-' : String(l.pca90),
          l.sensitivity ? pm(l.sensitivity.whole) : '-',
          l.sensitivity ? pm(l.sensitivity.random) : '-',
        ]),
      ),
    ]),
  );
  for (const m of r.models) for (const n of m.notes) lines.push(`note (${m.model.name}): ${n}`);
  if (written.length > 0) lines.push('', `wrote ${written.join(', ')}`);
  return lines.join('\n');
}
