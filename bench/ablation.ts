// `npm run bench -- --ablation`, on the shipped ReLU demo model (4 layers, 1,024 neurons each,
// vocabulary 4,096), CPU:
// 1. conditions along the graph's condition axis: the intact model and C ablated sets in one run
//    against C runs of one condition each (intact + that set, as a one-at-a-time study must run
//    them to get KL and top-1 agreement), on the same windows. Prints both rates and the speed-up.
// 2. the playground's update for a 64-token prompt: the two-condition forward pass and the greedy
//    continuations, through the backend and its serving worker, as the UI calls it. Reported, never
//    asserted (the machines are shared).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backend } from '../electron/backend.js';
import type { Job, PlaygroundResult } from '../electron/api.js';
import { nodeWorkerSpawner } from '../electron/jobs/spawn-node.js';
import { ablationEdit, identityEdit, stackEdits } from '../electron/analysis/ablation-edit.js';
import { matchedControl } from '../electron/analysis/neuron-sets.js';
import { loadModel } from '../native-models/load.js';
import { FfnSession } from '../native-models/runtime/session.js';
import { float32, int64 } from '../native-models/runtime/tensors.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';

const benchDir = process.env.FFN_BENCH_DIR ?? path.dirname(new URL(import.meta.url).pathname);
const root = path.join(benchDir, '..');
const demo = path.join(root, 'native-models', 'demo', 'brown-gpt2-relu');
const B = 2;
const T = 256;
const C = Number(process.env.FFN_BENCH_CONDITIONS ?? 8);
const REPEATS = Number(process.env.FFN_BENCH_REPEATS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function conditionAxis(): Promise<void> {
  const model = loadModel(demo);
  const { nLayers: L, dFf: F } = model.spec;
  const shape = { layers: L, neurons: F };
  const sets = Array.from({ length: C }, (_, i) => matchedControl([{ layer: i % L, neuron: 0 }, ...Array.from({ length: 63 }, (_, k) => ({ layer: k % L, neuron: 1 + k }))], shape, i));
  const edits = sets.map((s) => ablationEdit(shape, s, 'zero'));
  const session = await FfnSession.create(model, { conditions: true, nll: true, kl: true, top1: true, maxSeqLen: T });
  const text = fs.readFileSync(path.join(demo, 'MODEL_CARD.md'), 'utf8').repeat(20);
  const ids = loadTokenizer(demo)!.encode(text).slice(0, B * T);
  const feeds = (e: ReturnType<typeof stackEdits>, rows: number) => ({
    input_ids: int64(ids, [B, T]),
    targets: int64(ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number))), [B, T]),
    scale: float32(e.scale, [rows, L, F]),
    shift: float32(e.shift, [rows, L, F]),
  });
  const together = feeds(stackEdits([identityEdit(shape), ...edits]), C + 1);
  const apart = edits.map((e) => feeds(stackEdits([identityEdit(shape), e]), 2));
  await session.run(together); // warm-up
  await session.run(apart[0]!);
  const one: number[] = [];
  const many: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let t0 = performance.now();
    await session.run(together);
    one.push(performance.now() - t0);
    t0 = performance.now();
    for (const f of apart) await session.run(f);
    many.push(performance.now() - t0);
  }
  await session.release();
  const tokens = C * B * T;
  console.log(`condition axis, ${C} ablated sets of 64 neurons + intact, ${B} x ${T} tokens, median of ${REPEATS}:`);
  console.log(`  one run of ${C + 1} conditions:       ${median(one).toFixed(0)} ms  (${((tokens / median(one)) * 1000).toFixed(0)} ablated token-conditions/s)`);
  console.log(`  ${C} runs of intact + 1 condition:  ${median(many).toFixed(0)} ms  (${((tokens / median(many)) * 1000).toFixed(0)} ablated token-conditions/s)`);
  console.log(`  speed-up of the condition axis: ${(median(many) / median(one)).toFixed(2)}x`);
}

async function playground(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-bench-playground-'));
  const b = new Backend({ dataDir, shell: 'cli', spawnWorker: nodeWorkerSpawner(path.join(root, 'dist', 'electron', 'job-worker.js')) });
  try {
    const m = await b.jobs.waitFor(((await b.handle('model.import', { path: demo })) as { job: Job }).job.id);
    const modelId = (m.result as { model: { id: number } }).model.id;
    const tokenizer = loadTokenizer(demo)!;
    const words = 'The jury said it did find that many of the city reports were handled well and that the election was conducted fairly in every ward of the county'.split(' ');
    let prompt = '';
    for (let i = 0; tokenizer.encode(prompt).length < 64; i++) prompt += `${i ? ' ' : ''}${words[i % words.length]}`;
    const neurons = Array.from({ length: 200 }, (_, i) => ({ layer: 1 + (i % 3), neuron: (i * 37) % 1024 }));
    const run = (maxNew: number, k: number) => b.handle('playground.run', { modelId, prompt, neurons: neurons.slice(0, k), maxNew }) as Promise<PlaygroundResult>;
    await run(16, 10); // starts the worker and warms the sessions
    for (const maxNew of [0, 16]) {
      const wall: number[] = [];
      const forward: number[] = [];
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        const res = await run(maxNew, 20 + r * 30); // a different set each time, as toggling does
        wall.push(performance.now() - t0);
        forward.push(res.timing.forwardMs);
      }
      console.log(`playground, ${tokenizer.encode(prompt).length}-token prompt, ${maxNew} new tokens per side: update ${median(wall).toFixed(0)} ms (median of 5; forward pass ${median(forward).toFixed(0)} ms)`);
    }
  } finally {
    b.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await conditionAxis();
await playground();
