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
    `Neurons by the app's detectors over ${count(m.capture.tokens_seen)} tokens of the training split (firing = activation > ${t.fire}; dead = never fired, 95% upper bound on the true fire rate 3/N = ${t.dead_upper95.toExponential(1)}; rare = fire rate below ${t.rare.bound}; massive = peak |act| at least ${t.massive.minRatio}x the layer's median peak and at least ${t.massive.minPeak}; heavy-tailed = excess kurtosis above ${t.heavyTailed.threshold}, which every sparse neuron is):`,
    '',
    '| layer | dead | rare | massive | heavy-tailed |',
    '|---|---|---|---|---|',
    ...m.per_layer.map((l) => `| ${l.layer} | ${l.dead} | ${l.rare} | ${l.massive} | ${l.heavy_tailed} |`),
    `| all ${count(m.totals.neurons)} | ${m.totals.dead} | ${m.totals.rare} | ${m.totals.massive} | ${m.totals.heavy_tailed} |`,
    '',
  ];
  const conds = m.ablation.conditions.filter((c) => c.neurons > 0);
  if (conds.length > 0) {
    lines.push(
      `Zero-ablating the dead set against a random set matched in size and per-layer counts (seed 0), on the validation documents:`,
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
