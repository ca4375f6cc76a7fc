// The "Measured by the app" section of each demo model's MODEL_CARD.md, written from a full demo
// run (npm run demo -- --update-model-cards), so the card's figures are the app's own.
import fs from 'node:fs';
import path from 'node:path';
import { withInterval, type DemoSummary } from './summary.js';

const HEADING = '## Measured by the app';

type ModelSummary = DemoSummary['models'][number];

const count = (n: number) => n.toLocaleString('en-US');

export function appSection(m: ModelSummary, s: Pick<DemoSummary, 'app_version'>): string {
  const t = m.thresholds;
  const lines = [
    HEADING,
    '',
    `FFN Lab ${s.app_version}, \`npm run demo\` (full budget), on the same validation documents and with the same protocol as above:`,
    '',
    '| | |',
    '|---|---|',
    `| documents / predictions | ${m.validation.documents} / ${count(m.validation.predictions)} |`,
    `| loss (nats/token, 95% bootstrap CI over documents) | ${withInterval(m.validation.loss, 4)} |`,
    `| perplexity | ${withInterval(m.validation.ppl, 2)} |`,
    '',
    `Neurons by the app's detectors over ${count(m.capture.tokens_seen)} tokens of the training split (firing = activation > ${t.fire}; dead = silent, |output| ≤ ${t.dead.relEps} × the layer's typical |activation| on every token, 95% upper bound on the share of tokens above it 3/N = ${t.dead_upper95.toExponential(1)}; constant = output range ≤ ${t.constant.relEps} × that scale; never positive = output ≤ 0 throughout, neither silent nor constant; rare = fire rate below ${t.rare.bound}; massive = peak |act| at least ${t.massive.minRatio}x the layer's median peak and at least ${t.massive.minPeak}; heavy-tailed = excess kurtosis above ${t.heavyTailed.threshold}, which every sparse neuron is):`,
    '',
    '| layer | dead | constant | never positive | rare | massive | heavy-tailed | token-specific | positional |',
    '|---|---|---|---|---|---|---|---|---|',
    ...m.per_layer.map((l) => `| ${l.layer} | ${l.dead} | ${l.constant} | ${l.never_positive} | ${l.rare} | ${l.massive} | ${l.heavy_tailed} | ${l.token_specific} | ${l.positional} |`),
    `| all ${count(m.totals.neurons)} | ${m.totals.dead} | ${m.totals.constant} | ${m.totals.never_positive} | ${m.totals.rare} | ${m.totals.massive} | ${m.totals.heavy_tailed} | ${m.totals.token_specific} | ${m.totals.positional} |`,
    '',
  ];
  if (m.experts) {
    const x = m.experts;
    const share = (v: number | null) => (v === null ? '?' : `${(100 * v).toFixed(1)}%`);
    const list = (es: number[]) => (es.length ? es.join(', ') : 'none');
    lines.push(
      `Router statistics over the same tokens (${x.experts} experts of ${x.expert_ff} units, top-${x.top_k}; an expert's units count only the tokens routed to it; share = tokens for which the expert is among the top ${x.top_k}, ${share(x.top_k / x.experts)} each if even; dead = never routed, 95% upper bound 3/N; rare = routed on fewer than ${t.rare.bound} of the tokens):`,
      '',
      '| layer | load CV | router entropy (nats, max) | least / most used expert share | dead experts | rare experts |',
      '|---|---|---|---|---|---|',
      ...x.per_layer.map((l) => {
        const shares = l.topk_rate.filter((v): v is number => v !== null);
        const range = shares.length ? `${share(Math.min(...shares))} / ${share(Math.max(...shares))}` : '?';
        return `| ${l.layer} | ${l.load_cv?.toFixed(3) ?? '?'} | ${l.entropy_mean?.toFixed(3) ?? '?'} (${l.entropy_max.toFixed(3)}) | ${range} | ${list(l.dead)} | ${list(l.rare)} |`;
      }),
      '',
    );
  }
  const conds = m.ablation.conditions.filter((c) => c.neurons > 0);
  if (conds.length > 0) {
    lines.push(
      `Zero-ablating the ${conds[0]!.label === 'dead' ? 'silent (dead)' : conds[0]!.label} set against a random set matched in size and per-layer counts (seed 0), on the validation documents:`,
      '',
      '| ablated | neurons | Δ loss | KL(intact ‖ ablated) | top-1 agreement |',
      '|---|---|---|---|---|',
      ...conds.map((c) => `| ${c.label} | ${c.neurons} | ${withInterval(c.delta_loss, 4)} | ${withInterval(c.kl, 5)} | ${withInterval(c.top1_agreement, 3)} |`),
      '',
    );
  }
  return lines.join('\n');
}

/** Replaces the card's "Measured by the app" section (up to the next "## " heading). */
export function withAppSection(card: string, section: string): string {
  const start = card.indexOf(HEADING);
  if (start < 0) throw new Error(`the model card has no "${HEADING}" section`);
  const next = card.indexOf('\n## ', start + HEADING.length);
  return `${card.slice(0, start)}${section}${next < 0 ? '\n' : card.slice(next)}`;
}

export function updateModelCards(summary: DemoSummary, demoDir: string): string[] {
  return summary.models.map((m) => {
    const file = path.join(demoDir, m.name, 'MODEL_CARD.md');
    fs.writeFileSync(file, withAppSection(fs.readFileSync(file, 'utf8'), appSection(m, summary)));
    return file;
  });
}
