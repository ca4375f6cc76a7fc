// Weight-only quantized matmuls: ggml blocks of every type repacked for onnxruntime's MatMulNBits
// (plus block sums @ offsets for the types with a minimum) compute with ggml's dequantized weights,
// bit for bit, so a graph holding the blocks gives the logits of the same model dequantized to fp32
// up to fp32 accumulation order.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { loadModel } from '../load.js';
import { type LoadedModel, type QuantizedWeight, W } from '../spec.js';
import { linear, makeContext } from '../graph/context.js';
import { buildGraph } from '../graph/builder.js';
import { attr, Graph } from '../graph/graph.js';
import { BLOCK_BYTES, BLOCK_ELEMS, FORMS, type MatMulNBitsWeight, matMulNBitsBytes, toMatMulNBits } from '../graph/quantized.js';
import { dequantize } from '../formats/ggml-quants.js';
import { dequantizeGgml, linearWeightNames, quantizeGgml, quantizeModel } from '../graph/test-support/ggml-quantize.js';
import { baseSpec, randomIds, randomModel } from '../graph/test-support/random-model.js';
import { testSessions } from '../graph/test-support/sessions.js';
import { maxAbsDiff } from '../graph/test-support/specs.js';
import { asFloat32, int64 } from './tensors.js';
import { fromHalf, toHalf } from '../../common/half.js';
import { prng } from '../../common/prng.js';

const session = testSessions();

// llama-shaped, every linear width a multiple of 32 (ggml blocks); untied head so lm_head is quantized too
const spec = baseSpec({
  family: 'llama',
  vocabSize: 50,
  dModel: 64,
  nHeads: 4,
  nKvHeads: 2,
  headDim: 16,
  dFf: 96,
  norm: 'rmsnorm',
  normEps: 1e-6,
  activation: 'silu',
  gated: true,
  tiedEmbeddings: false,
  bias: { qkv: false, attnOut: false, mlp: false },
  positional: { kind: 'rotary', theta: 10000, rotaryDim: 16, interleaved: false },
});

/** MatMulNBits' dequantization from its packed inputs (default zero point 2^(bits-1)). */
function dequantNBits(packed: Uint8Array, scales: Float32Array, bits: 4 | 8): Float32Array {
  const out = new Float32Array(scales.length * 32);
  for (let i = 0; i < out.length; i++) {
    const s = scales[Math.floor(i / 32)] as number;
    const q = bits === 8 ? (packed[i] as number) - 128 : (((packed[i >> 1] as number) >> (4 * (i & 1))) & 15) - 8;
    out[i] = q * s;
  }
  return out;
}

describe('ggml blocks -> MatMulNBits', () => {
  test('halves round-trip', () => {
    for (const x of [0, 1, -2.5, 0.0001, 65504, 3.14159]) expect(Math.abs(fromHalf(toHalf(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
    expect(fromHalf(0x3c00)).toBe(1);
    expect(fromHalf(0xc000)).toBe(-2);
  });

  test.each(['q4_0', 'q8_0'] as const)('%s repacks to the same values, element by element', (kind) => {
    const rand = prng(5);
    const rows = 3;
    const cols = 96;
    const data = Float32Array.from({ length: rows * cols }, () => rand() * 2 - 1);
    const bytes = quantizeGgml(kind, data);
    const want = dequantizeGgml(kind, bytes);
    const m = toMatMulNBits(kind, rows, cols, bytes);
    expect(m.packed.length).toBe((rows * cols * m.bits) / 8);
    expect(Array.from(dequantNBits(m.packed, m.scales, m.bits))).toEqual(Array.from(want));
    // the quantizer is close to the data (a sanity check of the test quantizer, not of the repack)
    expect(maxAbsDiff(want, data)).toBeLessThan(kind === 'q4_0' ? 0.13 : 0.005);
    expect(matMulNBitsBytes(kind, rows, cols)).toBe(m.packed.length + m.scales.byteLength);
  });

  test('refuses a width that is not whole blocks, and short bytes', () => {
    expect(() => toMatMulNBits('q4_0', 2, 40, new Uint8Array(45))).toThrow(/multiple of 32/);
    expect(() => toMatMulNBits('q8_0', 2, 32, new Uint8Array(67))).toThrow(/needs 68 bytes/);
  });
});

describe.each(['q4_0', 'q8_0'] as const)('a %s model', (kind) => {
  const base = randomModel(spec, 11);
  const quant = quantizeModel(base, kind);
  const fp32 = quantizeModel(base, kind, false);
  const B = 2;
  const T = 9;
  const ids = randomIds(B, T, spec.vocabSize, 4);

  test('the graph holds every linear weight as MatMulNBits, and is that much smaller', () => {
    const q = buildGraph(quant, { logits: 'all' });
    const f = buildGraph(fp32, { logits: 'all' });
    const linear = linearWeightNames(base).length;
    expect(linear).toBe(7 * spec.nLayers + 1);
    expect(q.opCounts.get('MatMulNBits')).toBe(linear);
    expect(q.opCounts.get('Gemm') ?? 0).toBe(0);
    expect(f.opCounts.get('MatMulNBits') ?? 0).toBe(0);
    let linearBytes = 0;
    let quantBytes = 0;
    for (const n of linearWeightNames(base)) {
      const [r, c] = base.weight(n).shape as [number, number];
      linearBytes += r * c * 4;
      quantBytes += matMulNBitsBytes(kind, r, c);
    }
    expect(f.model.length - q.model.length).toBeGreaterThan(0.98 * (linearBytes - quantBytes));
  });

  test('logits equal those of the dequantized fp32 model (fp32 accumulation order only)', async () => {
    const sq = await session(quant, { logits: 'all', nll: true });
    const sf = await session(fp32, { logits: 'all', nll: true });
    const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
    const feeds = { input_ids: int64(ids, [B, T]), targets: int64(targets, [B, T]) };
    const [oq, of] = [await sq.run(feeds), await sf.run(feeds)];
    const lq = asFloat32(oq['logits'], 'logits');
    const lf = asFloat32(of['logits'], 'logits');
    const scale = Math.max(...Array.from(lf, Math.abs));
    expect(scale).toBeGreaterThan(0.5);
    expect(maxAbsDiff(lq, lf)).toBeLessThan(2e-5 * Math.max(1, scale));
    expect(maxAbsDiff(asFloat32(oq['nll'], 'nll'), asFloat32(of['nll'], 'nll'))).toBeLessThan(2e-5);
  });
});

// K-quants need widths that are whole 256-weight super-blocks
const spec256 = baseSpec({ ...spec, dModel: 256, nHeads: 4, nKvHeads: 2, headDim: 64, dFf: 512, positional: { kind: 'rotary', theta: 10000, rotaryDim: 64, interleaved: false } });

describe.each(['q6_k'] as const)('a %s model', (kind) => {
  const base = randomModel(spec256, 12);
  const quant = quantizeModel(base, kind);
  const fp32 = quantizeModel(base, kind, false);
  const B = 2;
  const T = 7;
  const ids = randomIds(B, T, spec256.vocabSize, 5);

  test('the test quantizer writes blocks near the data', () => {
    const w = base.weight(W.layer(0).mlpOut);
    expect(maxAbsDiff(dequantizeGgml(kind, quantizeGgml(kind, w.data)), w.data)).toBeLessThan(0.02);
  });

  test('the graph holds every linear weight as MatMulNBits, and its logits are the dequantized fp32 model\'s', async () => {
    const q = buildGraph(quant, { logits: 'all' });
    expect(q.opCounts.get('MatMulNBits')).toBe(linearWeightNames(base).length);
    expect(q.opCounts.get('Gemm') ?? 0).toBe(0);
    const sq = await session(quant, { logits: 'all' });
    const sf = await session(fp32, { logits: 'all' });
    const feeds = { input_ids: int64(ids, [B, T]) };
    const lq = asFloat32((await sq.run(feeds))['logits'], 'logits');
    const lf = asFloat32((await sf.run(feeds))['logits'], 'logits');
    const scale = Math.max(...Array.from(lf, Math.abs));
    expect(scale).toBeGreaterThan(0.5);
    // Q6_K weights are ggml's exactly: fp32 rounding of the accumulation only
    expect(maxAbsDiff(lq, lf)).toBeLessThan(2e-5 * Math.max(1, scale));
  });
});

describe.each([
  // Q4_K attention and FFN matrices (ffn_down, 64 columns, is Q8_0); golden: PyTorch in float32
  { fixture: 'llama-q4_k', kinds: { q4_k: 6, q8_0: 1 } },
  // one matrix per type: Q2_K q, Q3_K k, Q5_K v, Q5_0 o, Q4_1 gate and down, Q5_1 up; golden: PyTorch in float64
  { fixture: 'llama-qmix', kinds: { q2_k: 1, q3_k: 1, q5_k: 1, q5_0: 1, q4_1: 2, q5_1: 1 } },
  // Qwen2: Q8_0 matrices beside F32 q/k/v biases, tied head
  { fixture: 'qwen2-q8_0', kinds: { q8_0: 14 } },
])('the GGUF fixture $fixture runs its linear weights as MatMulNBits', ({ fixture, kinds }) => {
  test('every linear weight goes to the graph as its blocks; the logits are the PyTorch golden of the dequantized model, to its tolerance', async () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'gguf-models', fixture);
    const model = loadModel(join(dir, 'model.gguf'));
    const g = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { input_ids: { shape: number[]; data: number[] }; logits: { data: number[] }; tolerance: { atol: number; rtol: number } };
    const counts: Record<string, number> = {};
    for (const n of model.weightNames()) {
      const k = n === W.tokenEmbedding ? null : (model.quantized?.(n)?.kind ?? null); // the tied embedding is read by Gather as fp32
      if (k !== null) counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts).toEqual(kinds);
    const built = buildGraph(model, { logits: 'all' });
    expect(built.opCounts.get('MatMulNBits')).toBe(7 * model.spec.nLayers);
    expect(built.opCounts.get('Gemm') ?? 0).toBe(1); // the tied head
    const feeds = { input_ids: int64(Int32Array.from(g.input_ids.data), g.input_ids.shape as [number, number]) };
    const logits = asFloat32((await (await session(model, { logits: 'all' })).run(feeds)).logits, 'logits');
    g.logits.data.forEach((want, i) => expect(Math.abs((logits[i] as number) - want)).toBeLessThanOrEqual(g.tolerance.atol + g.tolerance.rtol * Math.abs(want)));
  });
});

describe('a Q8_0 GGUF checkpoint runs its linear weights as MatMulNBits', () => {
  test('the blocks go to the graph as they are stored, and the logits are the PyTorch golden of the dequantized model', async () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'gguf-models', 'llama-q8_0');
    const model = loadModel(join(dir, 'model.gguf'));
    const g = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { input_ids: { shape: number[]; data: number[] }; logits: { data: number[] }; tolerance: { atol: number; rtol: number } };
    const quantized = model.weightNames().filter((n) => model.quantized?.(n) != null);
    // every attention and FFN matrix of every layer and the untied head run as MatMulNBits; the
    // embedding (stored Q8_0 too) is read by Gather, so it stays an fp32 initializer
    expect(quantized).toContain(W.tokenEmbedding);
    expect(quantized).toContain(W.lmHead);
    expect(quantized).toHaveLength(7 * model.spec.nLayers + 2);
    const built = buildGraph(model, { logits: 'all' });
    expect(built.opCounts.get('MatMulNBits')).toBe(7 * model.spec.nLayers + 1);
    expect(built.opCounts.get('Gemm') ?? 0).toBe(0);
    const s = await session(model, { logits: 'all' });
    const out = await s.run({ input_ids: int64(Int32Array.from(g.input_ids.data), g.input_ids.shape as [number, number]) });
    const logits = asFloat32(out.logits, 'logits');
    g.logits.data.forEach((want, i) => expect(Math.abs((logits[i] as number) - want)).toBeLessThanOrEqual(g.tolerance.atol + g.tolerance.rtol * Math.abs(want)));
  });
});

/** MatMulNBits' dequantization as the op defines it, scale * (q - zp), in float64 rounded once. */
function definedValues(m: MatMulNBitsWeight): Float32Array {
  const out = new Float32Array(m.N * m.K);
  for (let i = 0; i < out.length; i++) {
    const blk = Math.floor(i / m.blockSize);
    const q = m.bits === 8 ? (m.packed[i] as number) : ((m.packed[i >> 1] as number) >> (4 * (i & 1))) & 15;
    out[i] = (m.scales[blk] as number) * (q - 2 ** (m.bits - 1));
  }
  return out;
}

/** The weight values onnxruntime's CPU MatMulNBits computes with: identity @ W^T, read back as [N, K]. */
async function opValues(m: MatMulNBitsWeight): Promise<Float32Array> {
  const g = new Graph('nbits');
  const a = g.input('A', 'float32', ['M', m.K]);
  const nb = m.K / m.blockSize;
  const inputs = [a, g.initU8('B', m.packed, [m.N, nb, m.packed.length / (m.N * nb)]), g.initF32('S', m.scales, [m.scales.length])];
  const y = g.contribOp('MatMulNBits', inputs, { K: attr.i(m.K), N: attr.i(m.N), bits: attr.i(m.bits), block_size: attr.i(m.blockSize), accuracy_level: attr.i(1) });
  g.output(y, 'Y', 'float32', ['M', m.N]);
  const enc = g.encode({ mode: 'never', location: 'unused' }).model;
  const bytes = new Uint8Array(enc.byteLength);
  let o = 0;
  for (const p of enc.parts) {
    bytes.set(p, o);
    o += p.length;
  }
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const eye = new Float32Array(m.K * m.K);
    for (let k = 0; k < m.K; k++) eye[k * m.K + k] = 1;
    const f32 = (t: ort.Tensor | undefined): Float32Array => {
      if (!(t?.data instanceof Float32Array)) throw new Error('MatMulNBits gave no float32 Y');
      return t.data;
    };
    const Y = f32((await s.run({ A: new ort.Tensor('float32', eye, [m.K, m.K]) }))['Y']);
    const out = new Float32Array(m.N * m.K);
    for (let k = 0; k < m.K; k++) for (let n = 0; n < m.N; n++) out[n * m.K + k] = Y[k * m.N + n] as number;
    // one row at a time (M = 1) takes the same values
    const row = Y.subarray(0, m.N);
    const one = new Float32Array(m.K);
    one[0] = 1;
    expect(Array.from(f32((await s.run({ A: new ort.Tensor('float32', one, [1, m.K]) }))['Y']))).toEqual(Array.from(row));
    return out;
  } finally {
    await s.release();
  }
}

/** Random valid Q6_K super-blocks: random bytes, finite random fp16 d, one super-block with d = 0. */
function randomKBlocks(kind: 'q6_k', nBlocks: number, seed: number): Uint8Array {
  const rand = prng(seed);
  const bytes = Uint8Array.from({ length: nBlocks * BLOCK_BYTES[kind] }, () => Math.floor(rand() * 256));
  for (let b = 0; b < nBlocks; b++) {
    const o = b * BLOCK_BYTES[kind];
    const put = (at: number, x: number): void => {
      const h = toHalf(x);
      bytes[at] = h & 255;
      bytes[at + 1] = h >> 8;
    };
    // magnitudes over several octaves, both signs for d
    const d = b === 1 ? 0 : (rand() - 0.3) * 2 ** -Math.floor(rand() * 12);
    put(o + 208, d);
  }
  return bytes;
}

/** numbers as an array with -0 as 0 (ggml's (q - 32) * negative scale gives -0 where the op gives 0) */
function plain(a: Float32Array): number[] {
  return Array.from(a, (v) => v + 0);
}

describe('ggml K-quants -> MatMulNBits', () => {
  const rows = 24;
  const cols = 512;

  test('Q6_K: 8-bit, block 16, stored q + 96: the values onnxruntime computes with are ggml\'s, bit for bit', async () => {
    const bytes = randomKBlocks('q6_k', (rows * cols) / 256, 21);
    const want = dequantize('Q6_K', bytes, rows * cols);
    const m = toMatMulNBits('q6_k', rows, cols, bytes);
    expect([m.bits, m.blockSize]).toEqual([8, 16]);
    expect(plain(definedValues(m))).toEqual(plain(want));
    expect(plain(await opValues(m))).toEqual(plain(want));
    expect(matMulNBitsBytes('q6_k', rows, cols)).toBe(m.packed.length + m.scales.byteLength);
    expect((8 * matMulNBitsBytes('q6_k', rows, cols)) / (rows * cols)).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------
// Every type, as the graph runs it: MatMulNBits (unsigned q with zero point 0, or the default zero
// point) plus, for the types with a minimum, blockSums(x) @ offsets (graph/context.ts linear()).

type AnyKind = QuantizedWeight['kind'];
const ALL_KINDS: readonly AnyKind[] = ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'q2_k', 'q3_k', 'q4_k', 'q5_k', 'q6_k'];
/** the fp16 fields of each type's block: [byte offset, role] (d = a scale, m = a minimum) */
const HALVES: Readonly<Record<AnyKind, readonly [number, 'd' | 'm'][]>> = {
  q4_0: [[0, 'd']], q8_0: [[0, 'd']], q5_0: [[0, 'd']], q4_1: [[0, 'd'], [2, 'm']], q5_1: [[0, 'd'], [2, 'm']],
  q2_k: [[80, 'd'], [82, 'd']], q3_k: [[108, 'd']], q4_k: [[0, 'd'], [2, 'd']], q5_k: [[0, 'd'], [2, 'd']], q6_k: [[208, 'd']],
};
const GGML_NAME: Readonly<Record<AnyKind, Parameters<typeof dequantize>[0]>> = {
  q4_0: 'Q4_0', q4_1: 'Q4_1', q5_0: 'Q5_0', q5_1: 'Q5_1', q8_0: 'Q8_0', q2_k: 'Q2_K', q3_k: 'Q3_K', q4_k: 'Q4_K', q5_k: 'Q5_K', q6_k: 'Q6_K',
};

/**
 * Random valid blocks of any type: random bytes (quants, packed sub-scales and mins), fp16 scales of
 * either sign over several octaves (q4_1 / q5_1 minima near -8 d, so values centre near 0), one
 * block with every scale 0.
 */
function randomBlocks(kind: AnyKind, nBlocks: number, seed: number): Uint8Array {
  const rand = prng(seed);
  const size = BLOCK_BYTES[kind];
  const bytes = Uint8Array.from({ length: nBlocks * size }, () => Math.floor(rand() * 256));
  for (let b = 0; b < nBlocks; b++) {
    const d = b === 1 ? 0 : (rand() - 0.3) * 2 ** -(2 + Math.floor(rand() * 10));
    for (const [at, role] of HALVES[kind]) {
      const h = toHalf(role === 'm' ? -8 * Math.abs(d) * (0.5 + rand()) : d);
      bytes[b * size + at] = h & 255;
      bytes[b * size + at + 1] = h >> 8;
    }
  }
  return bytes;
}

/** The value of each weight from the graph's inputs: fround(scale * (q - zp) + offset) (exact: one rounding, as ggml's). */
function graphValues(m: MatMulNBitsWeight): Float32Array {
  const out = new Float32Array(m.N * m.K);
  const perRow = m.K / m.blockSize;
  const zpRow = Math.ceil((perRow * m.bits) / 8);
  for (let i = 0; i < out.length; i++) {
    const blk = Math.floor(i / m.blockSize);
    const q = m.bits === 8 ? m.packed[i]! : (m.packed[i >> 1]! >> (4 * (i & 1))) & 15;
    const n = Math.floor(i / m.K);
    // zero points (4-bit here) are packed per row like B: block b of the row in nibble b & 1
    const zp = m.zeroPoints ? (m.zeroPoints[n * zpRow + ((blk % perRow) >> 1)]! >> (4 * ((blk % perRow) & 1))) & 15 : 2 ** (m.bits - 1);
    const offset = m.offsets ? m.offsets[(blk % perRow) * m.N + n]! : 0;
    out[i] = m.scales[blk]! * (q - zp) + offset;
  }
  return out;
}

/** A one-weight model whose quantized() gives `bytes`, and the graph of linear() over an input x [M, K]. */
async function linearSession(kind: AnyKind, rows: number, cols: number, bytes: Uint8Array): Promise<{ run: (x: Float32Array, M: number) => Promise<Float32Array>; ops: Map<string, number> }> {
  const name = 'w';
  const model: LoadedModel = {
    spec: spec256,
    source: { paths: [], sha256: 'linear', format: 'gguf' },
    weightNames: () => [name],
    weight: () => {
      throw new Error('the test reads only the blocks');
    },
    quantized: (n) => (n === name ? { kind, rows, cols, bytes: () => bytes } : null),
  };
  const g = new Graph('linear');
  const ids = g.input('input_ids', 'int64', ['B', 'T']);
  const x = g.input('X', 'float32', ['M', cols]);
  const c = makeContext(model, g, ids);
  g.output(linear(c, x, name), 'Y', 'float32', ['M', rows]);
  const ops = g.opCounts();
  const enc = g.encode({ mode: 'never', location: 'unused' }).model;
  const buf = new Uint8Array(enc.byteLength);
  let o = 0;
  for (const p of enc.parts) {
    buf.set(p, o);
    o += p.length;
  }
  const s = await ort.InferenceSession.create(buf, { intraOpNumThreads: 1 });
  afterAll(() => s.release());
  return {
    ops,
    async run(xs, M) {
      const out = await s.run({ input_ids: new ort.Tensor('int64', new BigInt64Array(1), [1, 1]), X: new ort.Tensor('float32', xs, [M, cols]) });
      const y = out['Y'];
      if (!(y?.data instanceof Float32Array)) throw new Error('no float32 Y');
      return y.data;
    },
  };
}

describe.each(ALL_KINDS)('%s -> MatMulNBits (+ block sums @ offsets)', (kind) => {
  const rows = 24;
  const cols = 512;
  const bytes = randomBlocks(kind, (rows * cols) / BLOCK_ELEMS[kind], 31 + ALL_KINDS.indexOf(kind));
  const want = dequantize(GGML_NAME[kind], bytes, rows * cols);
  const m = toMatMulNBits(kind, rows, cols, bytes);

  test('the values the graph holds are ggml\'s, element by element; the bytes are what memory.ts counts', () => {
    expect(plain(graphValues(m))).toEqual(plain(want));
    expect(want.some((v) => v !== 0)).toBe(true);
    const f = FORMS[kind];
    expect([m.bits, m.blockSize, m.zeroPoints !== undefined, m.offsets !== undefined]).toEqual([f.bits, f.block, f.zeroPoint, f.offsets]);
    // the blocks are centred (graph/quantized.ts centre()): some zero points are not 0
    if (m.zeroPoints) expect(m.zeroPoints.some((z) => z !== 0)).toBe(true);
    expect(matMulNBitsBytes(kind, rows, cols)).toBe(m.packed.length + m.scales.byteLength + (m.zeroPoints?.length ?? 0) + (m.offsets?.byteLength ?? 0));
  });

  test('what onnxruntime computes with: x = identity through linear() gives ggml\'s values bit for bit', async () => {
    const s = await linearSession(kind, rows, cols, bytes);
    expect(s.ops.get('MatMulNBits')).toBe(1);
    expect(s.ops.get('MatMul') ?? 0).toBe(FORMS[kind].offsets ? 1 : 0);
    const eye = new Float32Array(cols * cols);
    for (let k = 0; k < cols; k++) eye[k * cols + k] = 1;
    const Y = await s.run(eye, cols);
    const got = new Float32Array(rows * cols);
    for (let k = 0; k < cols; k++) for (let n = 0; n < rows; n++) got[n * cols + k] = Y[k * rows + n]!;
    expect(plain(got)).toEqual(plain(want));
    // one row at a time (M = 1, onnxruntime's matrix-vector kernels) takes the same values
    for (const k of [0, cols - 1]) {
      const row = Y.subarray(k * rows, (k + 1) * rows);
      expect(plain(await s.run(eye.subarray(k * cols, (k + 1) * cols), 1))).toEqual(plain(row));
    }
  });

  test('a small matmul equals x @ W^T of the dequantized weights up to fp32 rounding', async () => {
    const s = await linearSession(kind, rows, cols, bytes);
    const M = 5;
    const rand = prng(77);
    const x = Float32Array.from({ length: M * cols }, () => rand() * 2 - 1);
    const Y = await s.run(x, M);
    for (let r = 0; r < M; r++) {
      for (let n = 0; n < rows; n++) {
        let exact = 0;
        let mag = 0;
        for (let k = 0; k < cols; k++) {
          exact += x[r * cols + k]! * want[n * cols + k]!;
          mag += Math.abs(x[r * cols + k]! * want[n * cols + k]!);
        }
        // fp32 accumulation over 512 terms (and, with offsets, the block sums' own rounding)
        expect(Math.abs(Y[r * rows + n]! - exact)).toBeLessThanOrEqual(2e-6 * mag + 1e-30);
      }
    }
  });
});

test('q4_1 with an odd number of blocks per row: zero points are padded per row, the values stay ggml\'s', async () => {
  const rows = 5;
  const cols = 96; // 3 blocks of 32 per row: 2 bytes of 4-bit zero points each
  const bytes = randomBlocks('q4_1', (rows * cols) / 32, 91);
  const m = toMatMulNBits('q4_1', rows, cols, bytes);
  expect(m.zeroPoints?.length).toBe(rows * 2);
  expect(m.zeroPoints?.some((z) => z !== 0)).toBe(true);
  const want = dequantize('Q4_1', bytes, rows * cols);
  expect(plain(graphValues(m))).toEqual(plain(want));
  const s = await linearSession('q4_1', rows, cols, bytes);
  const eye = new Float32Array(cols * cols);
  for (let k = 0; k < cols; k++) eye[k * cols + k] = 1;
  const Y = await s.run(eye, cols);
  const got = new Float32Array(rows * cols);
  for (let k = 0; k < cols; k++) for (let n = 0; n < rows; n++) got[n * cols + k] = Y[k * rows + n]!;
  expect(plain(got)).toEqual(plain(want));
});
