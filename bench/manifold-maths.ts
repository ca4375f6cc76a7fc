// `npm run bench -- --manifold-maths`: the manifold maths through onnxruntime at real sizes.
// (1) PCA of 1,000,000 x 768 sampled hidden states streamed from SQLite in blocks (float16 bits
// cast in the graph; a 1.5 GB sample store written once into bench/.cache/), by the randomized
// route (2 passes of C Z) and by the exact route (one pass of X^T X), against the exact JS PCA of
// a 20,000-row subsample for the explained variance per axis; plus one pass that only reads the
// rows, to show what SQLite costs. (2) UMAP of 100,000 points (768 -> 50 principal components ->
// 3-D), split into PCA, exact kNN and layout; trustworthiness (k = 10) of ours and umap-js's on a
// 5,000-point subsample. Achieved GFLOP/s beside this machine's fp32 MatMul rate, measured in the
// same run on the capture bench's reference shape [2048x768]x[768x3072]. Repeats give median and
// spread. Prints figures and writes bench/results/manifold-maths.json; asserts nothing.
import fs from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { toHalf } from '../common/half.js';
import { gaussian, prng } from '../common/prng.js';
import { openDatabase } from '../db/database.js';
import { sampleIds, sampleSlices } from '../db/samples.js';
import { pickRows, seededSubset } from '../electron/analysis/intrinsic.js';
import { pca } from '../electron/analysis/pca.js';
import { linearSubspace, randomOrthonormal } from '../electron/analysis/synthetic.js';
import { trustworthiness } from '../electron/analysis/trustworthiness.js';
import { umapFit } from '../electron/analysis/umap.js';
import { fastUmap, leadingColumnsInit } from '../electron/jobs/project/fast-umap.js';
import { layoutInParallel } from '../electron/jobs/project/parallel-layout.js';
import { UmapLayout } from '../electron/analysis/umap-layout.js';
import { exactKnn } from '../electron/jobs/project/knn.js';
import { arraySource, sampleSource } from '../electron/jobs/project/row-source.js';
import { RANDOMIZED_PASSES, randomizedWidth, streamedPca, streamedProject } from '../electron/jobs/project/streamed-pca.js';
import { Graph } from '../native-models/graph/graph.js';
import { join as joinEncoded } from '../native-models/graph/protobuf.js';
import { BlockProducts, panelCuts } from '../native-models/runtime/dense-linalg.js';
import { createWithFallback } from '../native-models/runtime/providers.js';

const { values } = parseArgs({
  options: {
    'manifold-maths': { type: 'boolean' },
    rows: { type: 'string', default: '1000000' },
    'umap-points': { type: 'string', default: '100000' },
    'check-points': { type: 'string', default: '5000' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string' },
    'skip-umap-js': { type: 'boolean' },
    'skip-pca': { type: 'boolean' },
    'skip-umap': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('npm run bench -- --manifold-maths [--rows 1000000] [--umap-points 100000] [--check-points 5000] [--repeats 3] [--threads N] [--skip-pca] [--skip-umap] [--skip-umap-js]');
  process.exit(0);
}

const benchDir = process.env.FFN_BENCH_DIR ?? path.join(process.cwd(), 'bench');
const D = 768;
const threads = values.threads ? Number(values.threads) : availableParallelism();
/** the layout worker's bundle (`npm run bench` builds it) */
const layoutWorker = path.join(benchDir, '..', 'dist', 'electron', 'umap-layout-worker.js');
const repeats = Math.max(1, Number(values.repeats));
const log = (m: string) => console.error(`[bench] ${m}`);
const now = () => performance.now() / 1000;
async function time<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = now();
  const r = await f();
  return [r, now() - t0];
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const spread = (xs: number[]) => `median ${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}, ${xs.length} runs)`;

/** fp32 MatMul [2048x768]x[768x3072] through onnxruntime (the capture bench's reference shape): median GFLOP/s over ~3 s. */
async function matmulRate(): Promise<{ median: number; best: number }> {
  const [m, k, n] = [2048, 768, 3072];
  const g = new Graph('matmul reference');
  const w = Float32Array.from({ length: k * n }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  g.output(g.op('MatMul', [g.input('a', 'float32', [m, k]), g.initF32('w', w, [k, n])]), 'y', 'float32', [m, n]);
  const { session } = await createWithFallback(joinEncoded(g.encode({ mode: 'never', location: 'unused' }).model), { providers: ['cpu'], threads, optimization: 'all' });
  const feeds = { a: new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, i) => ((i * 40503) % 997) / 997 - 0.5), [m, k]) };
  await session.run(feeds);
  const rates: number[] = [];
  const end = now() + 3;
  while (now() < end || rates.length < 5) {
    const [, s] = await time(() => session.run(feeds));
    rates.push((2 * m * k * n) / s / 1e9);
  }
  await session.release();
  return { median: median(rates), best: Math.max(...rates) };
}

/** The sample store of the PCA bench: `rows` samples of one layer of 768, a 20-D subspace + noise, offset; written once. */
function sampleStore(rows: number): string {
  const file = path.join(benchDir, '.cache', `manifold-maths-${rows}x${D}.sqlite`);
  if (fs.existsSync(file)) return file;
  log(`writing ${rows.toLocaleString()} samples of ${D} float16 values into ${path.relative(process.cwd(), file)} (once) ...`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true });
  const db = openDatabase(tmp);
  db.prepare("INSERT INTO corpora (id, name, source, status, created_at) VALUES (1, 'bench', 'bench', 'ready', 'now')").run();
  db.prepare("INSERT INTO documents (id, corpus_id, ordinal, name, text, bytes) VALUES (1, 1, 0, 'bench', '', 0)").run();
  db.prepare("INSERT INTO models (id, name, path, format, architecture, family, sha256, spec, params, created_at) VALUES (1, 'bench', '/bench', 'hf', 'gpt2', 'gpt2', 'x', '{}', 0, 'now')").run();
  db.prepare("INSERT INTO datasets (id, name, model_id, corpus_id, status, params, created_at) VALUES (1, 'bench', 1, 1, 'ready', '{}', 'now')").run();
  const k = 20;
  const basis = randomOrthonormal(k, D, 5);
  const sd = Array.from({ length: k }, (_, c) => 4 / (1 + c));
  const offset = Float64Array.from({ length: D }, (_, j) => (j % 97 === 0 ? 300 : 1)); // a few massive dims
  const g = gaussian(prng(6));
  const insert = db.prepare("INSERT INTO samples (dataset_id, document_id, position, token_id, token, metadata, loss, residual, ffn) VALUES (1, 1, ?, 0, '', '{}', NULL, ?, X'')");
  const row = new Float64Array(D);
  const z = new Float64Array(k);
  const chunk = 20_000;
  for (let start = 0; start < rows; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(rows, start + chunk); i++) {
        for (let c = 0; c < k; c++) z[c] = g() * (sd[c] as number);
        for (let j = 0; j < D; j++) {
          let s = (offset[j] as number) + 0.1 * g();
          for (let c = 0; c < k; c++) s += (z[c] as number) * (basis[c * D + j] as number);
          row[j] = s;
        }
        const half = Buffer.alloc(2 * D);
        for (let j = 0; j < D; j++) half.writeUInt16LE(toHalf(row[j] as number), 2 * j);
        insert.run(i, half);
      }
    })();
    if (start % 200_000 === 0) log(`  ${start.toLocaleString()} rows`);
  }
  db.close();
  fs.renameSync(tmp, file);
  return file;
}

/** The share of the full d x d product the Gram's panels on and above the diagonal compute. */
function gramShare(d: number): number {
  const cuts = panelCuts(d);
  let done = 0;
  for (let i = 0; i + 1 < cuts.length; i++) for (let j = i; j + 1 < cuts.length; j++) done += ((cuts[i + 1] as number) - (cuts[i] as number)) * ((cuts[j + 1] as number) - (cuts[j] as number));
  return done / (d * d);
}

interface PcaFigures {
  rows: number;
  readOnlySeconds: number[];
  /** the reading in the products' thread (`seconds`) or by a worker thread a block ahead while the products have the other cores (`readAheadSeconds`, the projection job's way) */
  randomized: { seconds: number[]; readAheadSeconds: number[]; gflop: number; explainedRatio: number[]; relErrorVsExactSubsample: number[]; projectSeconds: number };
  exact: { seconds: number[]; readAheadSeconds: number[]; gflop: number; explainedRatio: number[] };
  subsample: { rows: number; explainedRatio: number[]; seconds: number };
}

async function pcaBench(): Promise<PcaFigures> {
  const rows = Number(values.rows);
  const db = openDatabase(sampleStore(rows));
  try {
    const ids = sampleIds(db, 1);
    const src = sampleSource(db, 1, 'residual', 0, D, ids);
    const products = new BlockProducts(D, { threads });
    // the projection job's way: a worker thread reads the next block while the products, left the other cores, run
    const ahead = sampleSource(db, 1, 'residual', 0, D, ids, { reader: path.join(benchDir, '..', 'dist', 'electron', 'sample-reader.js') });
    const aheadProducts = new BlockProducts(D, { threads: Math.max(1, threads - 1) });
    log(`PCA of ${rows.toLocaleString()} x ${D} streamed from SQLite, ${repeats} repeats ...`);
    const readOnly: number[] = [];
    const randomized: number[] = [];
    const exactTimes: number[] = [];
    const exactAhead: number[] = [];
    const randomizedAhead: number[] = [];
    let fast = null;
    let exact = null;
    for (let r = 0; r < repeats; r++) {
      readOnly.push((await time(async () => { for await (const b of src.blocks()) void b; }))[1]);
      const [p, t] = await time(() => streamedPca(src, 3, products, { method: 'randomized', seed: 1 }));
      fast = p;
      randomized.push(t);
      const [e, te] = await time(() => streamedPca(src, 3, products, { method: 'exact' }));
      exact = e;
      exactTimes.push(te);
      const [, ta] = await time(() => streamedPca(ahead, 3, aheadProducts, { method: 'exact' }));
      exactAhead.push(ta);
      const [, ra] = await time(() => streamedPca(ahead, 3, aheadProducts, { method: 'randomized', seed: 1 }));
      randomizedAhead.push(ra);
      log(`  repeat ${r + 1}: read-only pass ${readOnly.at(-1)!.toFixed(2)} s; in one thread: randomized ${t.toFixed(2)} s, exact ${te.toFixed(2)} s; read ahead: exact ${ta.toFixed(2)} s, randomized ${ra.toFixed(2)} s`);
    }
    const [, projectSeconds] = await time(() => streamedProject(src, fast!, products));
    await products.release();
    await aheadProducts.release();
    const m = Math.min(rows, 20_000);
    const subIds = seededSubset(ids.length, m, 2).map((i) => ids[i] as number);
    const sub = sampleSlices(db, 1, 'residual', 0, D, subIds);
    const [subPca, subSeconds] = await time(() => pca(sub, m, D, 3, { method: 'exact' }));
    const l = randomizedWidth(3, D, rows);
    return {
      rows,
      readOnlySeconds: readOnly,
      randomized: {
        seconds: randomized,
        readAheadSeconds: randomizedAhead,
        gflop: (RANDOMIZED_PASSES * 4 * rows * D * l) / 1e9,
        explainedRatio: fast!.explainedRatio,
        relErrorVsExactSubsample: fast!.explainedRatio.map((v, i) => v / (subPca.explainedRatio[i] as number) - 1),
        projectSeconds,
      },
      // the Gram's products on and above the diagonal only (dense-linalg.ts's panels)
      exact: { seconds: exactTimes, readAheadSeconds: exactAhead, gflop: (2 * rows * D * D * gramShare(D)) / 1e9, explainedRatio: exact!.explainedRatio },
      subsample: { rows: m, explainedRatio: subPca.explainedRatio, seconds: subSeconds },
    };
  } finally {
    db.close();
  }
}

interface UmapFigures {
  points: number;
  pcaSeconds: number;
  knnSeconds: number;
  knnGflop: number;
  layoutThreads: number;
  layoutSeconds: number;
  layoutOneThreadSeconds: number;
  totalSeconds: number;
  check?: { points: number; ours: number; oursParallel: number; umapJs: number | null; oursSeconds: number; umapJsSeconds: number | null };
}

async function umapBench(): Promise<UmapFigures> {
  const n = Number(values['umap-points']);
  log(`UMAP of ${n.toLocaleString()} points: generating ${n.toLocaleString()} x ${D} (a 10-D subspace with noise) ...`);
  const x = linearSubspace(n, 10, D, 0.05, 3);
  const products = new BlockProducts(D, { threads });
  const t0 = now();
  const pre = await streamedPca(arraySource(x, n, D), 50, products, { seed: 1 });
  const z = await streamedProject(arraySource(x, n, D), pre, products);
  await products.release();
  const pcaSeconds = now() - t0;
  // the kNN alone (fastUmap repeats it inside: timed here to split the total)
  const [, knnSeconds] = await time(() => exactKnn(z, n, 50, 14, { threads }));
  // the job's way: the layout on `threads` worker threads (from PARALLEL_LAYOUT_MIN_POINTS points)
  const [, umapSeconds] = await time(() => fastUmap(z, n, 50, { dims: 3, neighbors: 15, minDist: 0.1, seed: 1, threads, layoutThreads: threads, layoutWorker }));
  log('the same layout on one thread ...');
  const [, oneThreadSeconds] = await time(() => fastUmap(z, n, 50, { dims: 3, neighbors: 15, minDist: 0.1, seed: 1, threads, layoutThreads: 1 }));
  const figures: UmapFigures = {
    points: n,
    pcaSeconds,
    knnSeconds,
    knnGflop: (2 * n * n * 50) / 1e9,
    layoutThreads: threads,
    layoutSeconds: umapSeconds - knnSeconds,
    layoutOneThreadSeconds: oneThreadSeconds - knnSeconds,
    totalSeconds: pcaSeconds + umapSeconds,
  };
  const m = Math.min(n, Number(values['check-points']));
  if (m >= 100) {
    log(`trustworthiness on a ${m.toLocaleString()}-point subsample: ours${values['skip-umap-js'] ? '' : ' and umap-js'} ...`);
    const sub = pickRows(z, 50, seededSubset(n, m, 4));
    const [ours, oursSeconds] = await time(() => fastUmap(sub, m, 50, { dims: 3, neighbors: 15, minDist: 0.1, seed: 1, threads }));
    const tOurs = trustworthiness(sub, ours.coords, m, 50, 3, 10);
    // the parallel layout at this size too (the job uses it from PARALLEL_LAYOUT_MIN_POINTS points)
    const layout = new UmapLayout(await exactKnn(sub, m, 50, 14, { threads }), { dims: 3, minDist: 0.1, seed: 1, init: leadingColumnsInit(sub, m, 50, 3, 1) });
    await layoutInParallel(layout, threads, layoutWorker);
    const tParallel = trustworthiness(sub, layout.coords, m, 50, 3, 10);
    let tTheirs: number | null = null;
    let theirsSeconds: number | null = null;
    if (!values['skip-umap-js']) {
      const [theirs, s] = await time(() => umapFit(sub, m, 50, { dims: 3, neighbors: 15, minDist: 0.1, seed: 1 }));
      tTheirs = trustworthiness(sub, theirs.coords, m, 50, 3, 10);
      theirsSeconds = s;
    }
    figures.check = { points: m, ours: tOurs, oursParallel: tParallel, umapJs: tTheirs, oursSeconds, umapJsSeconds: theirsSeconds };
  }
  return figures;
}

const load0 = loadavg()[0] ?? 0;
log(`measuring the fp32 MatMul rate (${threads} threads) ...`);
const limit = await matmulRate();
const pcaFigures = values['skip-pca'] ? null : await pcaBench();
const umapFigures = values['skip-umap'] ? null : await umapBench();
const limitAfter = await matmulRate();
const load1 = loadavg()[0] ?? 0;

const rate = (gflop: number, seconds: number) => gflop / seconds;
const ofLimit = (g: number) => `${((100 * g) / limit.median).toFixed(0)}% of the MatMul rate`;
console.log(`fp32 MatMul [2048x768]x[768x3072] through onnxruntime, ${threads} threads: ${limit.median.toFixed(1)} GFLOP/s median (best ${limit.best.toFixed(1)}); after the bench ${limitAfter.median.toFixed(1)}`);
if (pcaFigures) {
  const p = pcaFigures;
  const rt = median(p.randomized.seconds);
  const et = median(p.exact.seconds);
  console.log(`PCA of ${p.rows.toLocaleString()} x ${D}, 3 components, streamed from SQLite in blocks (float16 cast in the graph)`);
  console.log(`  one pass reading the rows only: ${spread(p.readOnlySeconds)}`);
  const ra = median(p.randomized.readAheadSeconds);
  const ea = median(p.exact.readAheadSeconds);
  console.log(`  randomized (${RANDOMIZED_PASSES} passes of C Z, l = ${randomizedWidth(3, D, p.rows)}), reading in the products' thread: ${spread(p.randomized.seconds)}; ${p.randomized.gflop.toFixed(0)} GFLOP, ${rate(p.randomized.gflop, rt).toFixed(1)} GFLOP/s (${ofLimit(rate(p.randomized.gflop, rt))}); + projecting every row ${p.randomized.projectSeconds.toFixed(2)} s`);
  console.log(`    read ahead by a worker thread, the products on ${Math.max(1, threads - 1)} thread(s): ${spread(p.randomized.readAheadSeconds)}; ${rate(p.randomized.gflop, ra).toFixed(1)} GFLOP/s`);
  console.log(`  exact (one pass of X^T X as panels on and above the diagonal, then the leading eigenpairs of the 768 x 768 covariance), reading in the products' thread: ${spread(p.exact.seconds)}; ${p.exact.gflop.toFixed(0)} GFLOP, ${rate(p.exact.gflop, et).toFixed(1)} GFLOP/s (${ofLimit(rate(p.exact.gflop, et))})`);
  console.log(`    read ahead by a worker thread, the products on ${Math.max(1, threads - 1)} thread(s) (the projection job's way): ${spread(p.exact.readAheadSeconds)}; ${rate(p.exact.gflop, ea).toFixed(1)} GFLOP/s (${ofLimit(rate(p.exact.gflop, ea))})`);
  console.log(`  explained variance: randomized ${p.randomized.explainedRatio.map((v) => v.toFixed(4)).join(', ')}; exact ${p.exact.explainedRatio.map((v) => v.toFixed(4)).join(', ')}; exact JS on a ${p.subsample.rows.toLocaleString()}-row subsample ${p.subsample.explainedRatio.map((v) => v.toFixed(4)).join(', ')} (${p.subsample.seconds.toFixed(1)} s)`);
  console.log(`  randomized / subsample - 1: ${p.randomized.relErrorVsExactSubsample.map((v) => `${(100 * v).toFixed(2)}%`).join(', ')}`);
}
if (umapFigures) {
  const u = umapFigures;
  console.log(`UMAP of ${u.points.toLocaleString()} points, 768 -> 50 (PCA) -> 3: ${u.totalSeconds.toFixed(1)} s = PCA ${u.pcaSeconds.toFixed(1)} s + exact kNN ${u.knnSeconds.toFixed(1)} s (${rate(u.knnGflop, u.knnSeconds).toFixed(1)} GFLOP/s, ${ofLimit(rate(u.knnGflop, u.knnSeconds))}) + graph and layout ${u.layoutSeconds.toFixed(1)} s on ${u.layoutThreads} threads (one thread: ${u.layoutOneThreadSeconds.toFixed(1)} s, ${(u.layoutOneThreadSeconds / u.layoutSeconds).toFixed(2)}x)`);
  if (u.check) console.log(`  trustworthiness (k = 10) on ${u.check.points.toLocaleString()} points: ours ${u.check.ours.toFixed(4)} (${u.check.oursSeconds.toFixed(1)} s), ours with the layout on ${u.layoutThreads} threads ${u.check.oursParallel.toFixed(4)}${u.check.umapJs !== null ? `, umap-js ${u.check.umapJs.toFixed(4)} (${u.check.umapJsSeconds!.toFixed(1)} s), differences ${(u.check.ours - u.check.umapJs).toFixed(4)} and ${(u.check.oursParallel - u.check.umapJs).toFixed(4)}` : ''}`);
}
console.log(`load average (1 min) ${load0.toFixed(1)} before, ${load1.toFixed(1)} after, on ${availableParallelism()} cores`);
const out = path.join(benchDir, 'results', 'manifold-maths.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), threads, load: [load0, load1], matmulGflops: limit, matmulGflopsAfter: limitAfter, pca: pcaFigures, umap: umapFigures }, null, 2));
console.log(`written ${path.relative(process.cwd(), out)}`);
