// The demo's figures: the app's own chart components rendered to SVG in Node, and PNG at 2x
// through resvg (no browser needed), each with the CSV of the data behind it.
import fs from 'node:fs';
import path from 'node:path';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Resvg } from '@resvg/resvg-js';
import { GroupedBarChart } from '../renderer/src/charts/GroupedBarChart';
import { GroupedIntervalChart } from '../renderer/src/charts/GroupedIntervalChart';
import { Histogram } from '../renderer/src/charts/Histogram';
import { seriesColors } from '../renderer/src/charts/style';
import { fireRateBins } from '../renderer/src/neurons/layerStats';
import { VerdictKind } from '../electron/api.js';
import type { ModelOutcome } from './pipeline.js';

export interface WrittenFigure {
  name: string;
  svg: string;
  png: string;
  csv: string;
  pngSize: { width: number; height: number };
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function write(out: string, name: string, chart: ReactElement, csv: string): WrittenFigure {
  const svg = `<?xml version="1.0" encoding="UTF-8"?>\n${renderToStaticMarkup(chart)}\n`;
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  const files = { svg: path.join(out, `${name}.svg`), png: path.join(out, `${name}.png`), csv: path.join(out, `${name}.csv`) };
  fs.writeFileSync(files.svg, svg);
  fs.writeFileSync(files.png, png.asPng());
  fs.writeFileSync(files.csv, csv);
  return { name, ...files, pngSize: { width: png.width, height: png.height } };
}

export function writeFigures(out: string, outcomes: readonly ModelOutcome[]): WrittenFigure[] {
  const figures: WrittenFigure[] = [];
  const layers = Math.max(...outcomes.map((o) => o.layers.length));
  figures.push(
    write(
      out,
      'dead-neurons-per-layer',
      <GroupedBarChart
        label="Dead (silent) neurons per layer"
        categories={Array.from({ length: layers }, (_, l) => String(l))}
        series={outcomes.map((o, k) => ({ name: o.model.name, color: seriesColors[k % seriesColors.length] as string, values: o.layers.map((l) => l.dead) }))}
        xLabel="Layer"
        yLabel="Silent neurons (count)"
      />,
      toCsv([
        ['model', 'layer', 'tokens', ...VerdictKind.options],
        ...outcomes.flatMap((o) => o.layers.map((l) => [o.model.name, l.layer, l.tokens, ...VerdictKind.options.map((k) => l[k])])),
      ]),
    ),
  );
  for (const o of outcomes) {
    const { bins, edges } = fireRateBins(o.fireRates.map((r) => r.fire_rate));
    figures.push(
      write(
        out,
        `fire-rate-distribution-${o.model.name}`,
        <Histogram label={`Fire-rate distribution, ${o.model.name}`} bins={bins} edges={edges} separateFirst="0" xLabel="Fire rate (fraction of tokens, log scale)" yLabel="Neurons (count)" />,
        toCsv([['model', 'layer', 'neuron', 'fire_rate'], ...o.fireRates.map((r) => [o.model.name, r.layer, r.neuron, r.fire_rate])]),
      ),
    );
  }
  const conditionNames = ['quiet set (silent, else never-positive)', 'random control'];
  const pointOf = (o: ModelOutcome, k: number) => {
    const r = o.ablation.results[k];
    return r && r.neurons > 0 ? r.metrics.delta_loss : null;
  };
  figures.push(
    write(
      out,
      'ablation-comparison',
      <GroupedIntervalChart
        label="Change in validation loss when the quiet set or a matched random set is zeroed"
        groups={outcomes.map((o) => o.model.name)}
        series={conditionNames.map((name, k) => ({ name, points: outcomes.map((o) => pointOf(o, k)) }))}
        xLabel="Model"
        yLabel="Δ loss (nats/token, 95% CI)"
      />,
      toCsv([
        ['model', 'condition', 'neurons', 'loss', 'delta_loss', 'delta_loss_low', 'delta_loss_high', 'kl', 'kl_low', 'kl_high', 'top1_agreement', 'top1_low', 'top1_high'],
        ...outcomes.flatMap((o) =>
          o.ablation.results.map((r) => {
            const m = r.metrics;
            return [o.model.name, r.label, r.neurons, m.loss.value, m.delta_loss.value, m.delta_loss.low, m.delta_loss.high, m.kl.value, m.kl.low, m.kl.high, m.top1_agreement.value, m.top1_agreement.low, m.top1_agreement.high];
          }),
        ),
      ]),
    ),
  );
  return figures;
}
