// The manifold bench: PCA of 100,000 x 768 by the randomized route beside the exact route on a
// 10,000-row subsample (the exact route on all rows is O(n d^2) = 6e10 multiply-adds), with how
// far the randomized variances are from the exact ones; UMAP of 20,000 points (on 50 principal
// components, as the project job runs it); the viewer's frame time with 1,000,000 points in the
// suite's headless Chromium (--disable-gpu: SwiftShader renders on the CPU, so this is a floor):
// the first frame after setPoints with the points streamed in chunks beside all at once, the
// frame time and picking. Prints figures; asserts nothing. Run through `npm run bench --
// --manifold` (bench/run.mjs); `--viewer-only` skips PCA and UMAP.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { pca, project } from '../electron/analysis/pca.js';
import { pickRows, seededSubset } from '../electron/analysis/intrinsic.js';
import { umapFit } from '../electron/analysis/umap.js';
import { linearSubspace } from '../electron/analysis/synthetic.js';

const { values } = parseArgs({
  options: {
    manifold: { type: 'boolean' },
    rows: { type: 'string', default: '100000' },
    'umap-points': { type: 'string', default: '20000' },
    points: { type: 'string', default: '1000000' },
    frames: { type: 'string', default: '30' },
    repeats: { type: 'string', default: '5' },
    'viewer-only': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('npm run bench -- --manifold [--viewer-only] [--rows 100000] [--umap-points 20000] [--points 1000000] [--frames 30] [--repeats 5]');
  process.exit(0);
}

const benchDir = process.env.FFN_BENCH_DIR ?? path.join(process.cwd(), 'bench');
const D = 768;
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function pcaBench(): void {
  const n = Number(values.rows);
  console.error(`[bench] generating ${n} x ${D} (a 20-D subspace with noise) ...`);
  const x = linearSubspace(n, 20, D, 0.05, 1);
  const [fast, tFast] = time(() => pca(x, n, D, 3, { method: 'randomized', seed: 1 }));
  const m = Math.min(n, 10_000);
  const sub = pickRows(x, D, seededSubset(n, m, 2));
  const [exact, tExact] = time(() => pca(sub, m, D, 3, { method: 'exact' }));
  const [, tProject] = time(() => project(fast, x, n));
  const rel = fast.variances.map((v, i) => Math.abs(v / (exact.variances[i] as number) - 1));
  console.log(`PCA ${n} x ${D}, 3 components`);
  console.log(`  randomized (all ${n} rows):       ${tFast.toFixed(2)} s  (+ projecting the rows ${tProject.toFixed(2)} s)`);
  console.log(`  exact (covariance + eigen, ${m} rows): ${tExact.toFixed(2)} s  -> ${(((tExact * n) / m) ).toFixed(1)} s extrapolated to ${n} rows (O(n d^2))`);
  console.log(`  variance ratio randomized / exact-on-subsample - 1: ${rel.map((r) => r.toExponential(1)).join(', ')} (subsample noise included)`);
}

function umapBench(): void {
  const n = Number(values['umap-points']);
  const x = linearSubspace(n, 10, D, 0.05, 3);
  const [pre, tPre] = time(() => pca(x, n, D, 50, { seed: 1 }));
  const z = project(pre, x, n);
  const [, tUmap] = time(() => umapFit(z, n, 50, { dims: 3, neighbors: 15, minDist: 0.1, seed: 1 }));
  console.log(`UMAP ${n} points, 768 -> 50 (PCA, ${tPre.toFixed(2)} s) -> 3: ${tUmap.toFixed(1)} s`);
}

async function viewerBench(): Promise<void> {
  const n = Number(values.points);
  const frames = Number(values.frames);
  const out = path.join(benchDir, '.cache', 'manifold-page');
  fs.mkdirSync(out, { recursive: true });
  // a classic script: Chromium refuses module scripts from file:// URLs
  await build({ entryPoints: [path.join(benchDir, 'manifold-page.ts')], outfile: path.join(out, 'page.js'), bundle: true, platform: 'browser', format: 'iife', logLevel: 'warning' });
  fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html><html><body style="margin:0"><canvas id="view" style="width:1280px;height:720px;display:block"></canvas><script src="page.js"></script></body></html>');
  const browser = await chromium.launch({
    executablePath: process.env.FFN_LAB_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    await page.waitForFunction(() => typeof window.benchSetup === 'function');
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl ? String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'none';
    });
    const chunk = await page.evaluate((count) => window.benchSetup(count), n);
    console.log(`viewer, ${n.toLocaleString()} points at 1280 x 720 in headless Chromium (WebGL: ${renderer})`);
    const repeats = Number(values.repeats);
    const range = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
    // one load first: the shader compiles on the first frame; then the two ways taken in turn
    await page.evaluate((k) => window.benchLoad(k), chunk);
    const chunked: { firstFrame: number[]; loaded: number[] } = { firstFrame: [], loaded: [] };
    const whole: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const c = await page.evaluate((k) => window.benchLoad(k), chunk);
      chunked.firstFrame.push(c.firstFrame);
      chunked.loaded.push(c.loaded);
      whole.push((await page.evaluate((k) => window.benchLoad(k), n)).firstFrame);
    }
    console.log(`  setPoints to the first frame read back, over ${repeats} loads: streamed in chunks of ${chunk.toLocaleString()} points ${range(chunked.firstFrame)}, all points ${range(chunked.loaded)}; all at once ${range(whole)}`);
    await page.evaluate(() => window.benchFrames(3)); // warm-up
    const times = await page.evaluate((f) => window.benchFrames(f), frames);
    const ms = median(times);
    console.log(`  frame (orbit + draw + read back 1 pixel): median ${ms.toFixed(1)} ms (${(1000 / ms).toFixed(1)} fps), min ${Math.min(...times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${frames} frames`);
    const views = 9;
    const pick = await page.evaluate((v) => window.benchPicking(v), views);
    const fig = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
    console.log(`  picking over ${views} views (target < 50 ms each): screen grid after a view change ${fig(pick.grid)}; a click ${fig(pick.pick)}; a 64-vertex lasso ${fig(pick.lasso)} (${median(pick.selected).toLocaleString()} points selected; testing every point ${fig(pick.lassoAllPoints)})`);
  } finally {
    await browser.close();
  }
}

if (!values['viewer-only']) {
  pcaBench();
  umapBench();
}
await viewerBench();
