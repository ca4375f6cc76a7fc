// `npm run demo -- --width-depth` / `--dense-moe`: a Start-here pair study ("Width vs depth", "Dense
// vs MoE") headless. It runs the study's steps (import the pair, capture both, layer sensitivity of
// both) as the app does, then writes the comparison: compare.json, the tables (CSV and LaTeX tabular), and every profile figure
// against relative depth as SVG, PNG (2x, resvg), PDF (the app's own SVG-to-PDF) and CSV, drawn by
// the app's chart components.
import fs from 'node:fs';
import path from 'node:path';
import { renderToStaticMarkup } from 'react-dom/server';
import { Resvg } from '@resvg/resvg-js';
import { PROFILE_METRICS, profileCsv, profilePoints, tableCsv } from '../common/compare-table.js';
import type { Job } from '../electron/api.js';
import type { Backend } from '../electron/backend.js';
import type { CompareResult } from '../electron/analysis/compare.js';
import { writeCompareFiles } from '../electron/cli-compare.js';
import { compareDatasets } from '../electron/compare.js';
import { expertsSummary } from '../electron/experts.js';
import { finished, runToEnd } from '../electron/run-to-end.js';
import { PAIR_STUDIES, type PairStudyKey, type PairStudyStatus } from '../electron/width-depth.js';
import { CurveChart } from '../renderer/src/charts/CurveChart';
import { svgToPdf } from '../renderer/src/charts/pdf';
import { seriesColors } from '../renderer/src/charts/style';

/** The profile figures of a comparison: for each, the paths of its SVG, PNG, PDF and CSV. */
export function writeProfileFigures(r: CompareResult, out: string): string[] {
  const files: string[] = [];
  for (const metric of PROFILE_METRICS) {
    const series = r.models.map((m, k) => ({ name: m.model.name, color: seriesColors[k % seriesColors.length] as string, points: profilePoints(m, metric) }));
    if (series.every((s) => s.points.length === 0)) continue;
    const svg = `<?xml version="1.0" encoding="UTF-8"?>\n${renderToStaticMarkup(
      <CurveChart label={`${metric.title} against relative depth`} series={series} xLabel="Relative depth (layer / (layers − 1))" yLabel={metric.yLabel} formatX={(v) => v.toFixed(2)} />,
    )}\n`;
    const base = path.join(out, `compare-${metric.key}`);
    fs.writeFileSync(`${base}.svg`, svg);
    fs.writeFileSync(`${base}.png`, new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng());
    fs.writeFileSync(`${base}.pdf`, svgToPdf(svg));
    fs.writeFileSync(`${base}.csv`, tableCsv(profileCsv(r, metric)));
    files.push(...['svg', 'png', 'pdf', 'csv'].map((ext) => `${base}.${ext}`));
  }
  return files;
}

/** Runs whatever is left of the study, then writes the comparison into `out`; returns it. */
export async function runPairStudy(b: Backend, study: PairStudyKey, out: string, log: (line: string) => void): Promise<CompareResult> {
  const title = PAIR_STUDIES[study].title.toLowerCase();
  for (;;) {
    const { job } = (await b.handle('start.pair', { study })) as { job: Job | null };
    if (!job) break;
    log(`${title}: ${job.title}`);
    finished(await runToEnd(b, job));
  }
  const status = (await b.handle('start.pairStatus', { study })) as PairStudyStatus;
  if (!status.datasets) throw new Error(`the ${title} study did not finish: see the jobs above`);
  const r = compareDatasets(b.db, { datasets: status.datasets, measure: 'all' });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'compare.json'), `${JSON.stringify(r, null, 2)}\n`);
  const tables = writeCompareFiles(r, out);
  const figures = writeProfileFigures(r, out);
  // a mixture of experts' router statistics (load, entropy, dead and rare experts), which the comparison does not carry
  const experts = r.models.filter((m) => m.model.moe).map((m) => {
    const file = path.join(out, `experts-${m.model.name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(expertsSummary(b.db, m.dataset.id), null, 2)}\n`);
    return file;
  });
  log(`${title}: wrote compare.json, ${tables.length} tables, ${figures.length / 4} figures (SVG, PNG, PDF, CSV)${experts.length ? ` and ${experts.length} experts-<model>.json` : ''} into ${out}`);
  return r;
}
