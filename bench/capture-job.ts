// `npm run bench -- --capture-job`: the capture job end to end (worker process, tokenization,
// windows, the stats head, float64 folding, top examples, SQLite commits) on the GPT-2-small-shaped
// random checkpoint, beside the capture head alone (the job's graph) run in this process on batches
// of the same shape. Prints both rates and their ratio (what the job adds around the graph: its
// sampled batches' hidden states and losses, folding, commits), and the job's phase times; writes
// the rates to bench/results/capture-job.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backend } from '../electron/backend.js';
import type { Job } from '../electron/api.js';
import { nodeWorkerSpawner } from '../electron/jobs/spawn-node.js';
import { loadModel } from '../native-models/load.js';
import { FfnSession } from '../native-models/runtime/session.js';
import { float32, int64 } from '../native-models/runtime/tensors.js';
import { ensureCheckpoint } from './checkpoint.js';
import { writeCharTokenizer } from '../electron/jobs/test-support.js';
import { RESID_TOP_K } from '../electron/analysis/resid-top.js';

const benchDir = process.env.FFN_BENCH_DIR ?? path.dirname(new URL(import.meta.url).pathname);
const root = path.join(benchDir, '..');
const B = 4;
const T = 256;
// 64 batches: long enough for the job's spaced commits to be in the steady state
const TOKENS = Number(process.env.FFN_BENCH_CAPTURE_TOKENS ?? 64 * B * T);

/**
 * The bench checkpoint plus a character-level tokenizer.json (ids 1..95 = printable ASCII), its
 * files hard-linked (the importer follows no symbolic link out of a model folder).
 */
function modelWithTokenizer(): string {
  const base = path.join(benchDir, '.cache', 'gpt2-small-random');
  ensureCheckpoint(base);
  const dir = path.join(benchDir, '.cache', 'gpt2-small-random-chartok');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['config.json', 'model.safetensors']) {
    const at = path.join(dir, f);
    if (fs.lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(at); // made by an older bench
    if (!fs.existsSync(at)) fs.linkSync(path.join(base, f), at);
  }
  writeCharTokenizer(dir);
  return dir;
}

async function headOnly(dir: string, batches: number): Promise<number> {
  const model = loadModel(dir);
  // the job's own graph (electron/jobs/capture/run.ts) for its default parameters
  const session = await FfnSession.create(model, { stats: true, moments: true, fireOnMagnitude: false, tokenMask: true, topK: 16, residTopK: RESID_TOP_K, maxSeqLen: T });
  const ids = int64(Array.from({ length: B * T }, (_, i) => 1 + ((i * 7) % 95)), [B, T]);
  const feeds = { input_ids: ids, token_mask: float32(new Float32Array(B * T).fill(1), [B, T]), threshold: float32([0], []) };
  await session.run(feeds); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await session.run(feeds);
  const seconds = (performance.now() - t0) / 1000;
  await session.release();
  return (batches * B * T) / seconds;
}

async function main(): Promise<void> {
  // the job's worker prints where its time went (electron/jobs/capture/phase-times.ts)
  process.env.FFN_LAB_CAPTURE_PROFILE = '1';
  const dir = modelWithTokenizer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-bench-capture-'));
  const backend = new Backend({ dataDir, shell: 'cli', spawnWorker: nodeWorkerSpawner(path.join(root, 'dist', 'electron', 'job-worker.js')) });
  try {
    const wait = async (p: Promise<unknown>) => backend.jobs.waitFor(((await p) as { job: Job }).job.id);
    console.error('[bench] importing the model (with its weight scan) and the Brown corpus ...');
    const model = await wait(backend.handle('model.import', { path: dir }));
    const corpus = await wait(backend.handle('corpus.import', { source: { kind: 'brown' } }));
    if (model.state !== 'done' || corpus.state !== 'done') throw new Error(`setup failed: ${model.error ?? corpus.error}`);
    const samples: Array<{ at: number; done: number }> = [];
    backend.onEvent((e) => {
      if (e.type === 'job' && e.job.kind === 'capture' && e.job.progress.done > 0) samples.push({ at: performance.now(), done: e.job.progress.done });
    });
    // the head alone before and after the job: the machine's pace drifts (a shared VM), so the job is compared with both
    const headRuns = Math.max(4, Math.round(TOKENS / (B * T) / 4));
    console.error('[bench] capture head alone, same batch shape, in this process (before the job) ...');
    const headBefore = await headOnly(dir, headRuns);
    console.error(`[bench] capture job: ${TOKENS} tokens, batch ${B} x ${T} ...`);
    const t0 = performance.now();
    const cap = await wait(
      backend.handle('capture.start', {
        modelId: (model.result as { model: { id: number } }).model.id,
        corpusId: (corpus.result as { corpus: { id: number } }).corpus.id,
        seqLen: T,
        batch: B,
        maxTokens: TOKENS,
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    if (cap.state !== 'done') throw new Error(`capture ${cap.state}: ${cap.error}`);
    // from the first batch's progress to the last (which follows the final commit)
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const steady = ((last.done - first.done) * 1000) / (last.at - first.at);
    console.error('[bench] capture head alone (after the job) ...');
    const headAfter = await headOnly(dir, headRuns);
    const head = (headBefore + headAfter) / 2;
    const rows: Array<[string, string]> = [
      ['capture head alone (stats + moments + mask + top-16 + resid top-4)', `${head.toFixed(0)} tokens/s  (before the job ${headBefore.toFixed(0)}, after ${headAfter.toFixed(0)})`],
      ['capture job, steady state (batches and commits, the final one included)', `${steady.toFixed(0)} tokens/s  (${((steady / head) * 100).toFixed(0)}% of the head alone)`],
      ['capture job, whole (model load, tokenization, graph, commits)', `${(TOKENS / wall).toFixed(0)} tokens/s over ${wall.toFixed(1)} s`],
    ];
    console.log(`FFN Lab capture job bench: GPT-2-small-shaped random checkpoint, ${TOKENS} tokens of Brown, batch ${B} x ${T}, ${os.availableParallelism()} cores`);
    for (const [what, figure] of rows) console.log(`  ${what.padEnd(70)} ${figure}`);
    const out = path.join(benchDir, 'results', 'capture-job.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const figures = { headTokensPerSecond: { before: headBefore, after: headAfter }, jobSteadyTokensPerSecond: steady, ofHeadAlone: steady / head, jobWholeSeconds: wall };
    fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), load: os.loadavg(), tokens: TOKENS, batch: [B, T], ...figures }, null, 2)}\n`);
    console.log(`  written to bench/results/capture-job.json`);
  } finally {
    backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
