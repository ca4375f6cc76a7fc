// `npm run bench -- --neuron-table`: the Neurons view's windowed table (renderer/src/neurons/
// NeuronTable.tsx, production React, the app's styles) with a synthetic dataset of 500,000 rows in
// headless Chromium: how long the rows take to make and the table to mount, then the intervals
// between animation frames while it scrolls (a steady fling, and random jumps as when the
// scrollbar is dragged), beside the same scrolling of an empty box as tall as the table (the
// browser's own frame cadence on this machine, the baseline). Reported, not asserted.
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { NeuronTableBench, ScrollRun } from './neuron-table-page.js';

const benchDir = process.env.FFN_BENCH_DIR ?? path.dirname(new URL(import.meta.url).pathname);
const root = path.join(benchDir, '..');

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '500000' },
    frames: { type: 'string', default: '300' },
    step: { type: 'string', default: '120' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: true,
  strict: false,
});

if (args.help) {
  console.log(`npm run bench -- --neuron-table [options]
  --rows N       synthetic neuron rows (default 500000)
  --frames N     animation frames per scroll run (default 300)
  --step PX      pixels scrolled per frame in the fling run (default 120, about 7,200 px/s at 60 Hz)
  --out FILE     results JSON (default bench/results/neuron-table.json)
Chromium: /usr/bin/chromium, or FFN_LAB_CHROMIUM.`);
  process.exit(0);
}

function positive(name: string, v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: --${name} must be a positive integer, got ${String(v)}`);
  return n;
}
const rows = positive('rows', args.rows);
const frames = positive('frames', args.frames);
const step = positive('step', args.step);
const outFile = typeof args.out === 'string' ? args.out : path.join(benchDir, 'results', 'neuron-table.json');
const chromiumPath = process.env.FFN_LAB_CHROMIUM ?? '/usr/bin/chromium';
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** The page: bench/neuron-table-page.tsx and the styles it imports, bundled for production. */
async function buildPage(): Promise<string> {
  const dir = path.join(benchDir, '.cache', 'neuron-table');
  await build({
    absWorkingDir: root,
    entryPoints: { page: path.join(benchDir, 'neuron-table-page.tsx') },
    outdir: dir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const html = path.join(dir, 'index.html');
  fs.writeFileSync(html, '<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="page.css"><body><div id="root"></div><script src="page.js"></script></body>');
  return html;
}

interface Summary {
  frames: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** frames longer than 1.5x the baseline's median interval: what a user sees as a stutter */
  dropped: number;
  blank: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summarize(run: ScrollRun, budgetMs: number): Summary {
  const s = [...run.intervals].sort((a, b) => a - b);
  return { frames: s.length, medianMs: quantile(s, 0.5), p95Ms: quantile(s, 0.95), p99Ms: quantile(s, 0.99), maxMs: s[s.length - 1]!, dropped: s.filter((v) => v > budgetMs).length, blank: run.blank };
}

async function main(): Promise<void> {
  if (!fs.existsSync(chromiumPath)) throw new Error(`bench: Chromium not found at ${chromiumPath} (apt-get install chromium, or set FFN_LAB_CHROMIUM)`);
  const html = await buildPage();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(pathToFileURL(html).href);
    type Win = { bench: NeuronTableBench };
    log(`mounting the table with ${rows.toLocaleString('en-US')} synthetic rows`);
    const mount = await page.evaluate((n) => (window as unknown as Win).bench.mount(n), rows);
    const run = (what: 'plain' | 'table', px: number) =>
      page.evaluate(([w, f, s, h]) => (w === 'plain' ? (window as unknown as Win).bench.plain(f, s, h) : (window as unknown as Win).bench.table(f, s)), [what, frames, px, mount.scrollHeight] as const);
    log(`scrolling: ${frames} frames each, baseline first`);
    const baseline = { fling: await run('plain', step), jump: await run('plain', 0) };
    const table = { fling: await run('table', step), jump: await run('table', 0) };
    const budget = 1.5 * quantile([...baseline.fling.intervals].sort((a, b) => a - b), 0.5);
    const results = {
      fling: { baseline: summarize(baseline.fling, budget), table: summarize(table.fling, budget) },
      jump: { baseline: summarize(baseline.jump, budget), table: summarize(table.jump, budget) },
    };

    const ms = (v: number) => v.toFixed(1).padStart(7);
    const lines = [
      `neuron table, ${rows.toLocaleString('en-US')} rows (headless Chromium ${browser.version()}, software rendering, ${os.cpus().length} cores)`,
      `rows made in ${mount.generateMs.toFixed(0)} ms; table mounted in ${mount.mountMs.toFixed(0)} ms; JS heap ${mount.heapMB === null ? '?' : `${mount.heapMB.toFixed(0)} MB`}`,
      `scroll height ${mount.scrollHeight.toLocaleString('en-US')} px of ${mount.expectedHeight.toLocaleString('en-US')} expected${mount.scrollHeight < mount.expectedHeight ? ' (the browser caps element height: the last rows are out of reach)' : ''}`,
      '',
      `frame interval (ms)          median     p95     p99     max  dropped (> ${budget.toFixed(1)} ms)  blank frames`,
    ];
    for (const [name, r] of [
      [`fling ${step} px/frame, empty box`, results.fling.baseline],
      [`fling ${step} px/frame, table`, results.fling.table],
      ['random jumps, empty box', results.jump.baseline],
      ['random jumps, table', results.jump.table],
    ] as const) {
      lines.push(`  ${name.padEnd(26)} ${ms(r.medianMs)} ${ms(r.p95Ms)} ${ms(r.p99Ms)} ${ms(r.maxMs)}  ${`${r.dropped} / ${r.frames}`.padStart(19)}  ${name.endsWith('box') ? '' : String(r.blank).padStart(12)}`);
    }
    lines.push('', `p95 table / empty box: fling ${(results.fling.table.p95Ms / results.fling.baseline.p95Ms).toFixed(2)}x, jumps ${(results.jump.table.p95Ms / results.jump.baseline.p95Ms).toFixed(2)}x`);
    lines.push('"blank frames": frames painted before the table rendered the rows of their scroll position, showing empty space.');
    console.log(lines.join('\n'));
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), settings: { rows, frames, step }, chromium: browser.version(), mount, budgetMs: budget, results }, null, 2) + '\n');
    log(`wrote ${path.relative(process.cwd(), outFile)}`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
