// Builds the app into dist/: the Node side with esbuild (one bundle per entry, npm packages
// left external), the renderer with Vite. `--node-only` skips the renderer (used by the CLI).
import { build as esbuild } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const log = (m) => quiet || console.error(m);

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

const t0 = Date.now();
await Promise.all([
  esbuild({
    ...common,
    format: 'esm',
    entryPoints: {
      start: 'electron/start.ts',
      cli: 'electron/cli.ts',
      'job-worker': 'electron/jobs/worker.ts',
      'umap-layout-worker': 'electron/jobs/project/layout-worker.ts',
      'sample-reader': 'db/sample-reader-worker.ts',
      'wal-checkpointer': 'db/wal-checkpointer-worker.ts',
      main: 'electron/main.ts',
      demo: 'demo/run.ts',
    },
    outdir: 'dist/electron',
    // ESM bundles of CommonJS-using code need a require of their own.
    banner: { js: "import { createRequire as __ffnCreateRequire } from 'node:module'; const require = __ffnCreateRequire(import.meta.url);" },
  }),
  // A sandboxed preload must be CommonJS.
  esbuild({ ...common, format: 'cjs', entryPoints: { preload: 'electron/preload.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
]);
log(`built dist/electron in ${Date.now() - t0} ms`);

if (!args.has('--node-only')) {
  const { build: vite } = await import('vite');
  const t1 = Date.now();
  await vite({ root: path.join(root, 'renderer'), configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
  log(`built dist/renderer in ${Date.now() - t1} ms`);
}
