// `npm run bench -- --generation`: greedy generation with the KV cache against one forward pass
// of the prompt, on the shipped ReLU demo model (4 layers, 1,024 neurons, vocabulary 4,096; or
// FFN_BENCH_GEN_MODEL), CPU,
// in this process, 16 greedy tokens per side, intact and ablated (200 neurons off) side by side:
// - the prompt forward as the playground runs it: intact and ablated as two rows of the KV-cache
//   graph with the loss head (per-token loss, next-token logits and the cache), and, for reference,
//   the uncached forward graph the playground used before (16-bit weights cast at use);
// - the playground's continuations: from that forward's cache, one run of one position per token;
// - generateEach alone (`ffn-lab generate`'s path): a run over the prompt, then one per token;
// - the same 16 tokens without a cache (the prefix rerun at every step, one side at a time, as before).
// Prints medians with min-max and the ratios to the prompt forward, writes every run's time to
// bench/results/generation-<model>-<prompt tokens>.json; asserts nothing.
import fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { loadModel } from '../native-models/load.js';
import { Generator, type GenerationEdit } from '../native-models/runtime/generate.js';
import { FfnSession } from '../native-models/runtime/session.js';
import { asFloat32, float32, int64 } from '../native-models/runtime/tensors.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';

const benchDir = process.env.FFN_BENCH_DIR ?? path.dirname(new URL(import.meta.url).pathname);
const root = path.join(benchDir, '..');
// FFN_BENCH_GEN_MODEL: another model folder with a tokenizer (e.g. bench/.cache/gpt2-small-random-chartok,
// which `npm run bench -- --capture-job` writes: GPT-2-small-shaped, where compute outweighs the per-op cost)
const demo = process.env.FFN_BENCH_GEN_MODEL ?? path.join(root, 'native-models', 'demo', 'brown-gpt2-relu');
const PROMPT = Number(process.env.FFN_BENCH_PROMPT ?? 64);
const NEW = 16;
const REPEATS = Number(process.env.FFN_BENCH_REPEATS ?? 9);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

async function time(f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm-up
  const out: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

const model = loadModel(demo);
const { nLayers: L, dFf: F } = model.spec;
const card = path.join(root, 'native-models', 'demo', 'brown-gpt2-relu', 'MODEL_CARD.md');
const ids = loadTokenizer(demo)!.encode(fs.readFileSync(card, 'utf8')).slice(0, PROMPT);
const intact: GenerationEdit = { scale: new Float32Array(L * F).fill(1), shift: new Float32Array(L * F) };
const ablated: GenerationEdit = { scale: new Float32Array(L * F).fill(1), shift: new Float32Array(L * F) };
for (let i = 0; i < 200; i++) ablated.scale[(1 + (i % 3)) * F + ((i * 37) % F)] = 0;
const both = { scale: float32(new Float32Array([...intact.scale, ...ablated.scale]), [2, L, F]), shift: float32(new Float32Array(2 * L * F), [2, L, F]) };

const forward = await FfnSession.create(model, { conditions: true, logits: 'last', nll: true });
const playground = await Generator.create(model, {}, true, { nll: true });
const generator = await Generator.create(model, {}, true);
const uncached = await FfnSession.create(model, { conditions: true, logits: 'last' });
try {
  const T = ids.length;
  const oldForwardMs = await time(() =>
    forward.run({ input_ids: int64(ids, [1, T]), targets: int64(ids.map((_, t) => (t + 1 < T ? (ids[t + 1] as number) : -1)), [1, T]), ...both }),
  );
  const promptMs = await time(() => playground.prefill(ids, [intact, ablated]));
  const continueMs: number[] = [];
  for (let r = 0; r <= REPEATS; r++) {
    const { state } = await playground.prefill(ids, [intact, ablated]);
    const t0 = performance.now();
    await playground.continue(state, NEW);
    if (r > 0) continueMs.push(performance.now() - t0); // the first is a warm-up
  }
  const cachedMs = await time(() => generator.generateEach(ids, NEW, [intact, ablated]));
  const oneSide = (e: GenerationEdit) => async () => {
    const seq = [...ids];
    for (let i = 0; i < NEW; i++) {
      const res = await uncached.run({ input_ids: int64(seq, [1, seq.length]), scale: float32(e.scale, [1, L, F]), shift: float32(e.shift, [1, L, F]) }, ['last_logits']);
      seq.push(argmax(asFloat32(res['last_logits'], 'last_logits')));
    }
  };
  const uncachedMs = await time(async () => {
    await oneSide(intact)();
    await oneSide(ablated)();
  });
  const p = median(promptMs);
  console.log(`generation on ${path.basename(demo)} (${L} layers, ${F} neurons, vocabulary ${model.spec.vocabSize}), ${T}-token prompt, ${NEW} greedy tokens per side, intact and ablated, median of ${REPEATS} (min-max):`);
  console.log(`  the prompt forward (2 rows, loss + next-token logits + cache):   ${p.toFixed(1)} ms (${spread(promptMs)})`);
  console.log(`    (the uncached forward graph the playground used before:        ${median(oldForwardMs).toFixed(1)} ms (${spread(oldForwardMs)}))`);
  console.log(`  ${NEW} tokens from that forward's cache (the playground):         ${median(continueMs).toFixed(1)} ms (${spread(continueMs)}) = ${(median(continueMs) / p).toFixed(2)}x the prompt forward (target < 2x)`);
  console.log(`  ${NEW} tokens by generateEach (own prompt run + ${NEW - 1} steps):         ${median(cachedMs).toFixed(1)} ms (${spread(cachedMs)}) = ${(median(cachedMs) / p).toFixed(2)}x`);
  console.log(`  ${NEW} tokens without a cache (prefix rerun, one side at a time): ${median(uncachedMs).toFixed(1)} ms (${spread(uncachedMs)}) = ${(median(uncachedMs) / p).toFixed(2)}x`);
  console.log(`  speed-up of the cache: ${(median(uncachedMs) / median(cachedMs)).toFixed(1)}x`);
  const name = `generation-${path.basename(demo)}-${T}.json`;
  fs.mkdirSync(path.join(benchDir, 'results'), { recursive: true });
  fs.writeFileSync(
    path.join(benchDir, 'results', name),
    `${JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, load: loadavg(), model: path.basename(demo), promptTokens: T, newTokens: NEW, ms: { promptForward: promptMs, uncachedForwardGraph: oldForwardMs, tokensFromPromptCache: continueMs, generateEach: cachedMs, withoutCache: uncachedMs } }, null, 2)}\n`,
  );
  console.log(`  written to bench/results/${name}`);
} finally {
  await forward.release();
  await playground.release();
  await generator.release();
  await uncached.release();
}
