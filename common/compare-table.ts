// A comparison as tables that paste into a paper (CSV, LaTeX tabular) and the per-layer profiles
// the Compare page and the demo draw, one definition shared by the backend, the CLI and the UI.
import type { CompareResult, LayerProfile, ModelComparison } from '../electron/analysis/compare.js';

export type Cell = string | number | null;

export interface Table {
  header: string[];
  rows: Cell[][];
}

const interval = (i: { value: number; low: number | null; high: number | null } | null | undefined): Cell[] => (i ? [i.value, i.low, i.high] : [null, null, null]);

/** One row per model: shape, parameters, FLOPs, held-out loss and perplexity with intervals, speed. */
export function modelTable(r: CompareResult): Table {
  return {
    header: [
      'model',
      'layers',
      'd_model',
      'ffn_width',
      'params',
      'ffn_params',
      'ffn_share',
      'active_params',
      'flops_per_token',
      'heldout_loss',
      'heldout_loss_low',
      'heldout_loss_high',
      'heldout_ppl',
      'heldout_ppl_low',
      'heldout_ppl_high',
      'tokens_per_s',
    ],
    rows: r.models.map((m) => [
      m.model.name,
      m.model.layers,
      m.model.d_model,
      m.model.ffn_width,
      m.params.total,
      m.params.ffn,
      m.params.ffn_share,
      m.params.active,
      m.flops_per_token.total,
      ...interval(m.heldout?.loss),
      ...interval(m.heldout?.ppl),
      m.tokens_per_s,
    ]),
  };
}

/** One row per model and layer, in model order then layer order. */
export function layerTable(r: CompareResult): Table {
  return {
    header: [
      'model',
      'layer',
      'rel_depth',
      'ffn_width',
      'tokens',
      'fire_rate_mean',
      'fire_rate_q05',
      'fire_rate_median',
      'fire_rate_q95',
      'active_fraction_mean',
      'active_fraction_median',
      'active_fraction_q90',
      'dead',
      'constant',
      'never_positive',
      'rare',
      'massive_neurons',
      'massive_dims',
      'twonn',
      'pca90',
      'delta_loss_layer',
      'delta_loss_layer_low',
      'delta_loss_layer_high',
      'delta_loss_random',
      'delta_loss_random_low',
      'delta_loss_random_high',
      'random_neurons',
    ],
    rows: r.models.flatMap((m) =>
      m.layers.map((l) => [
        m.model.name,
        l.layer,
        l.rel_depth,
        l.ffn_width,
        l.tokens,
        l.fire_rate?.mean ?? null,
        l.fire_rate?.q05 ?? null,
        l.fire_rate?.q50 ?? null,
        l.fire_rate?.q95 ?? null,
        l.active_fraction?.mean ?? null,
        l.active_fraction?.q50 ?? null,
        l.active_fraction?.q90 ?? null,
        l.verdicts.dead,
        l.verdicts.constant,
        l.verdicts.never_positive,
        l.verdicts.rare,
        l.verdicts.massive,
        l.massive_dims,
        l.twonn,
        l.pca90,
        ...interval(l.sensitivity?.whole),
        ...interval(l.sensitivity?.random),
        l.sensitivity?.random.neurons ?? null,
      ]),
    ),
  };
}

/** RFC 4180 CSV with a header row; numbers at full precision, empty cells for null. */
export function tableCsv(t: Table): string {
  const cell = (c: Cell) => {
    const s = c === null ? '' : String(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIAL[ch] as string);
}

/** A number for a paper: integers as they are, others to 4 significant digits; -- for none. */
export function latexNumber(c: Cell): string {
  if (c === null) return '--';
  if (typeof c === 'string') return latexEscape(c);
  if (!Number.isFinite(c)) return c > 0 ? '$\\infty$' : c < 0 ? '$-\\infty$' : '--';
  if (Number.isInteger(c)) return String(c);
  const p = Number(c.toPrecision(4));
  if (Math.abs(p) >= 1e-3 || p === 0) return String(p);
  const [mantissa, exponent] = p.toExponential(2).split('e') as [string, string];
  return `$${mantissa} \\times 10^{${Number(exponent)}}$`;
}

/** A LaTeX tabular (booktabs rules): text columns left, number columns right. */
export function tableLatex(t: Table): string {
  const numeric = t.header.map((_, j) => t.rows.every((r) => r[j] === null || typeof r[j] === 'number'));
  const spec = numeric.map((n) => (n ? 'r' : 'l')).join('');
  const line = (cells: string[]) => `${cells.join(' & ')} \\\\`;
  return [
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    line(t.header.map(latexEscape)),
    '\\midrule',
    ...t.rows.map((r) => line(r.map(latexNumber))),
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}

/** A per-layer quantity drawn against relative depth, one line per model. */
export interface ProfileMetric {
  key: string;
  title: string;
  yLabel: string;
  value: (l: LayerProfile) => number | null;
  /** the 95% interval, where the quantity has one */
  interval?: (l: LayerProfile) => { low: number | null; high: number | null } | null;
}

export const PROFILE_METRICS: readonly ProfileMetric[] = [
  { key: 'fire-rate', title: 'Median fire rate', yLabel: 'Median fire rate of the layer’s neurons', value: (l) => l.fire_rate?.q50 ?? null },
  { key: 'active-fraction', title: 'Fraction of the layer active per token', yLabel: 'Mean fraction active per token', value: (l) => l.active_fraction?.mean ?? null },
  { key: 'dead', title: 'Dead (silent) neurons', yLabel: 'Fraction of the layer', value: (l) => l.verdicts.dead },
  { key: 'rare', title: 'Rare neurons', yLabel: 'Fraction of the layer', value: (l) => l.verdicts.rare },
  { key: 'twonn', title: 'Intrinsic dimension (TwoNN)', yLabel: 'TwoNN dimension of the residual stream', value: (l) => l.twonn },
  { key: 'pca90', title: 'Linear dimension (PCA-90)', yLabel: 'Components for 90% of variance', value: (l) => l.pca90 },
  {
    key: 'sensitivity-layer',
    title: 'Sensitivity: whole FFN zeroed',
    yLabel: 'Δ loss (nats/token)',
    value: (l) => l.sensitivity?.whole.value ?? null,
    interval: (l) => (l.sensitivity ? { low: l.sensitivity.whole.low, high: l.sensitivity.whole.high } : null),
  },
  {
    key: 'sensitivity-random',
    title: 'Sensitivity: random fraction zeroed',
    yLabel: 'Δ loss (nats/token)',
    value: (l) => l.sensitivity?.random.value ?? null,
    interval: (l) => (l.sensitivity ? { low: l.sensitivity.random.low, high: l.sensitivity.random.high } : null),
  },
];

/** The points of one metric for one model: x = relative depth. */
export function profilePoints(m: ModelComparison, metric: ProfileMetric): Array<{ x: number; y: number; low: number | null; high: number | null; layer: number }> {
  return m.layers.flatMap((l) => {
    const y = metric.value(l);
    if (y === null || !Number.isFinite(y)) return [];
    const i = metric.interval?.(l) ?? null;
    return [{ x: l.rel_depth, y, low: i?.low ?? null, high: i?.high ?? null, layer: l.layer }];
  });
}

/** The CSV behind a profile figure: one row per model and layer. */
export function profileCsv(r: CompareResult, metric: ProfileMetric): Table {
  return {
    header: ['model', 'layer', 'rel_depth', metric.key, 'low', 'high'],
    rows: r.models.flatMap((m) => profilePoints(m, metric).map((p) => [m.model.name, p.layer, p.x, p.y, p.low, p.high])),
  };
}
