// `npm run bench`: bundles the TypeScript benches (bench/capture.ts, bench/reductions.ts and what
// they import from the project) with esbuild into bench/.cache/dist/, npm packages left external,
// and runs one here: the capture bench, with --reductions the micro-bench of the statistics
// head's reductions, with --capture-job the capture job end to end beside the head alone, with
// --neuron-table the Neurons table's scroll frame times at 500k rows in headless Chromium.
// --manifold PCA of 100k x 768, UMAP of 20k points and the viewer's frame time with 1M points;
// --manifold-maths PCA of 1M x 768 streamed from SQLite and UMAP of 100k points through onnxruntime, GFLOP/s beside the MatMul rate;
// --ablation the condition axis against one condition at a time, and the playground's update time.
// --memory peak RSS and capture tokens/s of a 1.1B Llama-shaped checkpoint (F16 as fp32, F16 kept, Q4_K GGUF).
// --moe a mixture-of-experts graph against dense models of the same active and of the same total FFN width.
// --generation 16 greedy tokens with the KV cache (intact and ablated side by side) against one prompt forward.
// Arguments pass through: `npm run bench -- --help`.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const outdir = path.join(benchDir, '.cache', 'dist');
const flags = ['reductions', 'capture-job', 'neuron-table', 'manifold', 'ablation', 'memory', 'moe', 'generation', 'manifold-maths'];
const entry = flags.find((f) => process.argv.includes(`--${f}`)) ?? 'capture';

await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(['capture', ...flags].map((f) => [f, path.join(benchDir, `${f}.ts`)])),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  // ESM bundles of CommonJS-using code need a require of their own.
  banner: { js: "import { createRequire as __ffnCreateRequire } from 'node:module'; const require = __ffnCreateRequire(import.meta.url);" },
});

process.env.FFN_BENCH_DIR = benchDir;
await import(pathToFileURL(path.join(outdir, `${entry}.mjs`)).href);
