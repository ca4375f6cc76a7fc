// `npm run bench -- --moe [--threads N]`: what the mixture-of-experts graph costs. The graph computes
// every expert's units for every token (one Gemm over all experts, then each unit times its routing
// coefficient, 0 where its expert was not chosen: blocks.ts mlp/route), so its FFN does E/topK times
// the FLOPs of the routed computation. Three random Llama-shaped models of the same attention, run
// through the capture head (stats + moments + top-k, as a capture runs) on the same batches:
//   moe          E experts of expertFf units, top-k routing (dFf = E * expertFf)
//   dense-active a dense FFN of topK * expertFf units: the same active parameters per token
//   dense-all    a dense FFN of E * expertFf units: the same FLOPs as our MoE graph (no router)
// Prints tokens/s of each and the ratios, for the capture head and for a plain forward with the NLL
// head; moe / dense-active is what computing every expert costs against a model of the same active
// parameters, moe / dense-all what the router, the coefficients (and in the capture head the masks
// that restrict each unit's statistics to its routed tokens) add.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { llamaShapedSpec, randomIds, randomModel } from '../native-models/graph/test-support/random-model.js';
import { FfnSession } from '../native-models/runtime/session.js';
import { float32, int64 } from '../native-models/runtime/tensors.js';
import type { ModelSpec } from '../native-models/spec.js';
import type { GraphOptions } from '../native-models/graph/builder.js';
import type { HostTensor } from '../native-models/runtime/tensors.js';

const { values: args } = parseArgs({
  options: {
    moe: { type: 'boolean', default: true },
    threads: { type: 'string' },
    seconds: { type: 'string', default: '3' },
  },
  strict: false,
});
const threads = args.threads === undefined ? availableParallelism() : Number(args.threads);
const seconds = Number(args.seconds);

const D = 512;
const L = 4;
const V = 4096;
const E = 8;
const K = 2;
const FF = 1024;
const B = 4;
const T = 128;

const moeSpec: ModelSpec = llamaShapedSpec(D, E * FF, L, V, { moe: { experts: E, expertFf: FF, topK: K, scoring: 'softmax', normTopK: true }, architecture: 'bench-moe' });
const models: Array<[string, ModelSpec]> = [
  ['moe', moeSpec],
  ['dense-active', llamaShapedSpec(D, K * FF, L, V, { architecture: 'bench-dense-active' })],
  ['dense-all', llamaShapedSpec(D, E * FF, L, V, { architecture: 'bench-dense-all' })],
];

const ROUNDS = Number(process.env.FFN_BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ids = randomIds(B, T, V);
const heads: Array<{ name: string; options: GraphOptions; feeds: Record<string, HostTensor> }> = [
  { name: 'capture head (stats, moments, top-16)', options: { stats: true, moments: true, topK: 16, maxSeqLen: T }, feeds: { input_ids: int64(ids, [B, T]), threshold: float32([0], []) } },
  { name: 'forward with the NLL head', options: { nll: true, maxSeqLen: T }, feeds: { input_ids: int64(ids, [B, T]), targets: int64(ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number))), [B, T]) } },
];

/** tokens/s of one session over about `seconds` */
async function rate(session: FfnSession, feeds: Record<string, HostTensor>): Promise<number> {
  let runs = 0;
  const t0 = performance.now();
  while (runs === 0 || performance.now() - t0 < seconds * 1000) {
    await session.run(feeds);
    runs++;
  }
  return (runs * B * T) / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  console.log(`MoE cost: d_model ${D}, ${L} layers, vocabulary ${V}; ${E} experts x ${FF} units, top-${K}; batches ${B} x ${T}; ${threads} threads; median of ${ROUNDS} interleaved rounds of ${seconds} s`);
  for (const head of heads) await measure(head);
}

async function measure(head: (typeof heads)[number]): Promise<void> {
  console.log(`${head.name}:`);
  const feeds = head.feeds;
  const sessions = await Promise.all(models.map(([, spec]) => FfnSession.create(randomModel(spec), head.options, { threads })));
  for (const s of sessions) await s.run(feeds); // warm-up
  // rounds interleave the models, so a change in the machine's load hits all of them alike
  const samples = models.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) for (const [i, s] of sessions.entries()) samples[i]!.push(await rate(s, feeds));
  for (const s of sessions) await s.release();
  const rates = new Map<string, number>();
  models.forEach(([name, spec], i) => {
    const r = median(samples[i]!);
    rates.set(name, r);
    console.log(`  ${name.padEnd(13)} FFN width ${String(spec.dFf).padStart(5)}  ${r.toFixed(0).padStart(7)} tokens/s  (rounds: ${samples[i]!.map((x) => x.toFixed(0)).join(', ')})`);
  });
  const moe = rates.get('moe') as number;
  console.log(`  moe / dense-active: ${(moe / (rates.get('dense-active') as number)).toFixed(2)}x the throughput (every expert computed: ${E / K}x the active FFN FLOPs)`);
  console.log(`  moe / dense-all:    ${(moe / (rates.get('dense-all') as number)).toFixed(2)}x the throughput (router, top-k, coefficients and, in the capture head, the routed-token masks on top of the same Gemms)`);
}

await main();
