// summary.json of a demo run and the short table printed at the end.
import { VerdictKind } from '../electron/api.js';
import type { Budget, ModelOutcome } from './pipeline.js';
import type { WrittenFigure } from './figures.js';

type Interval = { value: number; low: number | null; high: number | null };

export function summarize(outcomes: readonly ModelOutcome[], run: { budget: Budget; quick: boolean; appVersion: string; seconds: number; figures: readonly WrittenFigure[] }) {
  const interval = (m: Interval) => ({ value: m.value, ci95: [m.low, m.high] });
  return {
    app_version: run.appVersion,
    quick: run.quick,
    seconds: Math.round(run.seconds),
    budget: run.budget,
    models: outcomes.map((o) => ({
      name: o.model.name,
      sha256: o.model.sha256,
      activation: o.model.activation,
      capture: { dataset: o.datasetId, tokens_seen: o.tokensSeen, split: 'train' },
      thresholds: o.thresholds,
      per_layer: o.layers,
      totals: {
        neurons: o.model.layers * o.model.dFf,
        ...(Object.fromEntries(VerdictKind.options.map((k) => [k, o.layers.reduce((n, l) => n + l[k], 0)])) as Record<VerdictKind, number>),
      },
      validation: {
        split: 'validation',
        documents: o.ablation.documents,
        predictions: o.ablation.tokens,
        loss: interval(o.ablation.baseline.loss),
        ppl: interval(o.ablation.baseline.ppl),
      },
      // mixture of experts: per layer, how evenly the router spreads tokens and which experts it never or rarely uses
      experts:
        o.experts === null
          ? null
          : {
              experts: o.experts.experts,
              top_k: o.experts.topK,
              expert_ff: o.experts.expertFf,
              per_layer: o.experts.layers.map((l) => ({
                layer: l.layer,
                tokens: l.tokens,
                load_cv: l.load_cv,
                entropy_mean: l.entropy_mean,
                entropy_max: l.entropy_max,
                topk_rate: l.experts.map((e) => e.topk_rate),
                dead: l.experts.filter((e) => e.verdict === 'dead').map((e) => e.expert),
                rare: l.experts.filter((e) => e.verdict === 'rare').map((e) => e.expert),
              })),
            },
      ablation: {
        id: o.ablation.id,
        method: o.ablation.method,
        intervals: 'percentile bootstrap over documents, 95%',
        conditions: o.ablation.results.map((r) => ({
          label: r.label,
          neurons: r.neurons,
          per_layer: r.perLayer,
          loss: interval(r.metrics.loss),
          delta_loss: interval(r.metrics.delta_loss),
          kl: interval(r.metrics.kl),
          top1_agreement: interval(r.metrics.top1_agreement),
        })),
      },
    })),
    figures: run.figures.map((f) => ({ name: f.name, svg: f.svg, png: f.png, csv: f.csv, png_size: f.pngSize })),
  };
}

export type DemoSummary = ReturnType<typeof summarize>;

/** "5.159 [5.112, 5.202]": a value with its 95% interval. */
export const withInterval = (m: { value: number; ci95: (number | null)[] }, digits: number) => `${m.value.toFixed(digits)} [${m.ci95[0]?.toFixed(digits) ?? '?'}, ${m.ci95[1]?.toFixed(digits) ?? '?'}]`;

export function summaryTable(s: DemoSummary): string {
  const rows: string[][] = [['model', 'tokens seen', 'dead', 'constant', 'never +', 'rare', 'massive', 'val. loss', 'ppl', 'ablated set', 'Δ loss [95% CI]', 'KL']];
  for (const m of s.models) {
    const t = m.totals;
    const first = [m.name, m.capture.tokens_seen.toLocaleString('en-US'), ...[t.dead, t.constant, t.never_positive, t.rare, t.massive].map(String), withInterval(m.validation.loss, 3), m.validation.ppl.value.toFixed(1)];
    const conds = m.ablation.conditions.filter((c) => c.neurons > 0);
    if (conds.length === 0) rows.push([...first, 'none (no silent or never-positive neurons)', '', '']);
    conds.forEach((c, i) => rows.push([...(i === 0 ? first : first.map(() => '')), `${c.label} (${c.neurons})`, withInterval(c.delta_loss, 4), c.kl.value.toFixed(5)]));
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
