// Micro-bench of the statistics head's pieces on one layer's activations [N, F] (N = B*T tokens):
// each ONNX reduction over the token axis as the graph builds it (graph/heads.ts layerStats), the
// whole set, and alternatives, against the layer's FFN-in Gemm of the same N. Through onnxruntime
// on the same threads. `npm run bench -- --reductions [--tokens N] [--neurons F] [--seconds S]`.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { attr, Graph } from '../native-models/graph/graph.js';
import { join as joinEncoded } from '../native-models/graph/protobuf.js';
import { createWithFallback } from '../native-models/runtime/providers.js';

const { values: args } = parseArgs({
  options: {
    reductions: { type: 'boolean', default: true },
    tokens: { type: 'string', default: '1024' },
    neurons: { type: 'string', default: '3072' },
    dmodel: { type: 'string', default: '768' },
    seconds: { type: 'string', default: '1' },
    threads: { type: 'string' },
    topk: { type: 'string', default: '16' },
  },
  strict: false,
});

const N = Number(args.tokens);
const F = Number(args.neurons);
const D = Number(args.dmodel);
const K = Number(args.topk);
const seconds = Number(args.seconds);
const threads = args.threads === undefined ? availableParallelism() : Number(args.threads);
for (const [name, v] of Object.entries({ tokens: N, neurons: F, dmodel: D, topk: K, threads })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`bench: --${name} must be a positive integer, got ${v}`);
}

type Build = (g: Graph, x: string) => string[];

const keep = { keepdims: attr.i(1) };
const reduce = (op: string) => (g: Graph, x: string) => g.op(op, [x, g.i64([0])], keep);
const fire = (g: Graph, x: string): string => g.op('ReduceSum', [g.op('Cast', [g.op('Greater', [x, g.f32([0], true)])], { to: attr.i(1) }), g.i64([0])], keep);
const onesRow = (g: Graph): string => g.initF32('ones', new Float32Array(N).fill(1), [1, N]);

const cases: { name: string; build: Build }[] = [
  { name: 'ReduceSum axis 0', build: (g, x) => [reduce('ReduceSum')(g, x)] },
  { name: 'ReduceSumSquare axis 0', build: (g, x) => [reduce('ReduceSumSquare')(g, x)] },
  { name: 'ReduceMin axis 0', build: (g, x) => [reduce('ReduceMin')(g, x)] },
  { name: 'ReduceMax axis 0', build: (g, x) => [reduce('ReduceMax')(g, x)] },
  { name: 'fire: Greater+Cast+ReduceSum', build: (g, x) => [fire(g, x)] },
  {
    name: 'all five (as graph/heads.ts)',
    build: (g, x) => ['ReduceSum', 'ReduceSumSquare', 'ReduceMin', 'ReduceMax'].map((op) => reduce(op)(g, x)).concat(fire(g, x)),
  },
  { name: 'alt sumsq: ReduceSum(Mul(x,x))', build: (g, x) => [g.op('ReduceSum', [g.op('Mul', [x, x]), g.i64([0])], keep)] },
  { name: 'alt min: Neg(ReduceMax(Neg(x)))', build: (g, x) => [g.op('Neg', [g.op('ReduceMax', [g.op('Neg', [x]), g.i64([0])], keep)])] },
  {
    name: 'alt all five: sumsq as ReduceSum(Mul)',
    build: (g, x) => [reduce('ReduceSum')(g, x), g.op('ReduceSum', [g.op('Mul', [x, x]), g.i64([0])], keep), reduce('ReduceMin')(g, x), reduce('ReduceMax')(g, x), fire(g, x)],
  },
  { name: 'condition0 Slice of all rows (a copy)', build: (g, x) => [g.op('Slice', [x, g.i64([0]), g.i64([N]), g.i64([0])])] },
  { name: 'alt sum: MatMul(ones[1,N], x)', build: (g, x) => [g.op('MatMul', [onesRow(g), x])] },
  {
    name: 'alt sum+sumsq+fire: one MatMul',
    // ones[1,N] x [x | x*x | (x>0)] : the three sums in one GEMM pass
    build: (g, x) => {
      const f = g.op('Cast', [g.op('Greater', [x, g.f32([0], true)])], { to: attr.i(1) });
      return [g.op('MatMul', [onesRow(g), g.op('Concat', [x, g.op('Mul', [x, x]), f], { axis: attr.i(1) })])];
    },
  },
  {
    name: 'alt all five: MatMul sums + ReduceMin/Max',
    build: (g, x) => {
      const ones = onesRow(g);
      const f = g.op('Cast', [g.op('Greater', [x, g.f32([0], true)])], { to: attr.i(1) });
      return [g.op('MatMul', [ones, x]), g.op('MatMul', [ones, g.op('Mul', [x, x])]), g.op('MatMul', [ones, f]), reduce('ReduceMin')(g, x), reduce('ReduceMax')(g, x)];
    },
  },
  {
    name: 'alt all five: on Transpose(x), axis -1',
    build: (g, x) => {
      const t = g.op('Transpose', [x], { perm: attr.ints([1, 0]) });
      const r = (op: string, v: string): string => g.op(op, [v, g.i64([1])], keep);
      const f = g.op('Cast', [g.op('Greater', [t, g.f32([0], true)])], { to: attr.i(1) });
      return [r('ReduceSum', t), r('ReduceSumSquare', t), r('ReduceMin', t), r('ReduceMax', t), r('ReduceSum', f)];
    },
  },
  {
    name: `TopK k=${K} axis 0`,
    build: (g, x) => g.opN('TopK', [x, g.i64([K])], 2, { axis: attr.i(0), largest: attr.i(1), sorted: attr.i(1) }),
  },
  {
    name: `TopK k=${K} on Transpose(x), axis -1`,
    build: (g, x) => g.opN('TopK', [g.op('Transpose', [x], { perm: attr.ints([1, 0]) }), g.i64([K])], 2, { axis: attr.i(1), largest: attr.i(1), sorted: attr.i(1) }),
  },
  {
    name: 'gelu_new (as graph/blocks.ts), for scale',
    build: (g, x) => {
      const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Add', [x, g.op('Mul', [cube, g.f32([0.044715], true)])]);
      const th = g.op('Tanh', [g.op('Mul', [inner, g.f32([Math.sqrt(2 / Math.PI)], true)])]);
      return [g.op('Mul', [g.op('Mul', [x, g.f32([0.5], true)]), g.op('Add', [g.f32([1], true), th])])];
    },
  },
  {
    name: 'gelu_new with Pow(x, 3) (FastGelu pattern?)',
    build: (g, x) => {
      const cube = g.op('Pow', [x, g.f32([3], true)]);
      const inner = g.op('Add', [x, g.op('Mul', [cube, g.f32([0.044715], true)])]);
      const th = g.op('Tanh', [g.op('Mul', [inner, g.f32([Math.sqrt(2 / Math.PI)], true)])]);
      return [g.op('Mul', [g.op('Mul', [x, g.f32([0.5], true)]), g.op('Add', [g.f32([1], true), th])])];
    },
  },
  {
    name: 'gelu_new as x*0.5*(1+tanh(c*x*(1+a*x*x)))',
    build: (g, x) => {
      const xx = g.op('Mul', [x, x]);
      const poly = g.op('Add', [g.f32([1], true), g.op('Mul', [xx, g.f32([0.044715], true)])]);
      const th = g.op('Tanh', [g.op('Mul', [g.op('Mul', [x, g.f32([Math.sqrt(2 / Math.PI)], true)]), poly])]);
      return [g.op('Mul', [g.op('Mul', [x, g.f32([0.5], true)]), g.op('Add', [g.f32([1], true), th])])];
    },
  },
];

async function time(build: Build, input: Float32Array, inputDims: number[]): Promise<number> {
  const g = new Graph('bench reduction');
  const x = g.input('x', 'float32', inputDims);
  build(g, x).forEach((v, i) => g.output(v, `y${i}`, i === 1 && v.startsWith('topk') ? 'int64' : 'float32'));
  const bytes = joinEncoded(g.encode({ mode: 'never', location: 'unused' }).model);
  const { session } = await createWithFallback(bytes, { providers: ['cpu'], threads, optimization: 'all' });
  const feeds = { x: new ort.Tensor('float32', input, inputDims) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const runs: number[] = [];
  const start = performance.now();
  while ((performance.now() - start) / 1000 < seconds || runs.length < 5) {
    const t = performance.now();
    await session.run(feeds);
    runs.push(performance.now() - t);
  }
  await session.release();
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] as number;
}

async function main(): Promise<void> {
  const act = new Float32Array(N * F);
  for (let i = 0; i < act.length; i++) act[i] = (((i * 2654435761) >>> 0) % 2001) / 1000 - 1;
  const h = new Float32Array(N * D);
  for (let i = 0; i < h.length; i++) h[i] = (((i * 40503) >>> 0) % 997) / 997 - 0.5;
  const w = new Float32Array(F * D).fill(0.01);
  const gemm = await time((g, x) => [g.op('Gemm', [x, g.initF32('w', w, [F, D])], { transB: attr.i(1) })], h, [N, D]);
  const lines: string[] = [];
  lines.push(`statistics pieces on one layer's activations [${N} x ${F}] fp32, ${threads} threads, median ms per call`);
  lines.push(`reference: the FFN-in Gemm [${N}x${D}] x [${F}x${D}]^T: ${gemm.toFixed(2)} ms (${((2 * N * D * F) / gemm / 1e6).toFixed(1)} GFLOP/s)`);
  lines.push('');
  const width = Math.max(...cases.map((c) => c.name.length));
  lines.push(`${''.padEnd(width)}        ms  vs Gemm   GB/s read`);
  for (const c of cases) {
    const ms = await time(c.build, act, [N, F]);
    lines.push(`${c.name.padEnd(width)}  ${ms.toFixed(2).padStart(8)}  ${((ms / gemm) * 100).toFixed(0).padStart(6)}%  ${((N * F * 4) / ms / 1e6).toFixed(1).padStart(9)}`);
  }
  console.log(lines.join('\n'));
}

await main();
