// F16 / BF16 weights kept in 16 bits (graph/context.ts): the built graph holds every 2-D weight as
// a float16 / bfloat16 initializer with exactly the checkpoint's values; onnxruntime keeps them so
// when it makes the session (its constant folding would turn a plain Cast of an initializer into
// an fp32 initializer: the optimized model it writes is read back to check); the outputs equal
// those of the same graph with fp32Weights. Fixtures: gpt2-f16 and qwen2-bf16 (safetensors), and a
// tiny Llama GGUF written here with F16 attention and BF16 FFN weights.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toFloat32 } from '../formats/dtype.js';
import { encode, ggufFile, type GgufKv, type GgufTensorSpec } from '../formats/fixtures.js';
import { buildGraph, type GraphOptions } from '../graph/builder.js';
import { DataType } from '../graph/onnx-proto.js';
import { decodeModel, type DecodedModel } from '../graph/test-support/decode.js';
import { randomIds } from '../graph/test-support/random-model.js';
import { loadModel } from '../load.js';
import { type LoadedModel } from '../spec.js';
import { FfnSession } from './session.js';
import { asFloat32, int64 } from './tensors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
let dir = '';

/** A tiny Llama GGUF: attention weights F16, FFN weights BF16, embeddings F16, norms F32. */
function tinyGguf(): Uint8Array {
  const [D, F, L, V, H, Hkv] = [32, 64, 2, 96, 4, 2];
  const kv: GgufKv[] = [
    { key: 'general.architecture', type: 'STRING', value: 'llama' },
    { key: 'general.name', type: 'STRING', value: 'tiny-f16' },
    { key: 'llama.block_count', type: 'UINT32', value: L },
    { key: 'llama.context_length', type: 'UINT32', value: 64 },
    { key: 'llama.embedding_length', type: 'UINT32', value: D },
    { key: 'llama.feed_forward_length', type: 'UINT32', value: F },
    { key: 'llama.attention.head_count', type: 'UINT32', value: H },
    { key: 'llama.attention.head_count_kv', type: 'UINT32', value: Hkv },
    { key: 'llama.attention.layer_norm_rms_epsilon', type: 'FLOAT32', value: 1e-5 },
    { key: 'llama.rope.freq_base', type: 'FLOAT32', value: 10000 },
    { key: 'llama.vocab_size', type: 'UINT32', value: V },
  ];
  let seed = 7;
  const values = (n: number, scale: number): number[] =>
    Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed / 2 ** 32 - 0.5) * scale;
    });
  const tensors: GgufTensorSpec[] = [];
  // ggml type ids: F32 0, F16 1, BF16 30; ne is [cols, rows]
  const t = (name: string, type: 0 | 1 | 30, rows: number, cols?: number): void => {
    const n = rows * (cols ?? 1);
    const dtype = type === 0 ? 'F32' : type === 1 ? 'F16' : 'BF16';
    tensors.push({ name, type, ne: cols === undefined ? [rows] : [cols, rows], data: encode(dtype, cols === undefined ? values(n, 0.2).map((v) => 1 + v) : values(n, 0.6)) });
  };
  t('token_embd.weight', 1, V, D);
  for (let i = 0; i < L; i++) {
    t(`blk.${i}.attn_norm.weight`, 0, D);
    t(`blk.${i}.attn_q.weight`, 1, D, D);
    t(`blk.${i}.attn_k.weight`, 1, (Hkv * D) / H, D);
    t(`blk.${i}.attn_v.weight`, 1, (Hkv * D) / H, D);
    t(`blk.${i}.attn_output.weight`, 1, D, D);
    t(`blk.${i}.ffn_norm.weight`, 0, D);
    t(`blk.${i}.ffn_gate.weight`, 30, F, D);
    t(`blk.${i}.ffn_up.weight`, 30, F, D);
    t(`blk.${i}.ffn_down.weight`, 30, D, F);
  }
  t('output_norm.weight', 0, D);
  t('output.weight', 1, V, D);
  return ggufFile(kv, tensors);
}

const cases: [string, () => string][] = [
  ['gpt2-f16 (safetensors, transposed Conv1D and fused qkv)', () => join(FIXTURES, 'gpt2-f16')],
  ['qwen2-bf16 (safetensors)', () => join(FIXTURES, 'qwen2-bf16')],
  ['tiny llama GGUF (F16 and BF16)', () => join(dir, 'tiny-f16.gguf')],
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ffn-lab-half-test-'));
  await writeFile(join(dir, 'tiny-f16.gguf'), tinyGguf());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HALF_TYPES: ReadonlySet<number> = new Set([DataType.float16, DataType.bfloat16]);

/** 2-D canonical weights (the ones kept in 16 bits). */
function matrices(model: LoadedModel): string[] {
  return model.weightNames().filter((n) => model.weight(n).shape.length === 2);
}

function bytesOfType(m: DecodedModel, type: number): number {
  return m.initializers.filter((t) => t.dataType === type).reduce((a, t) => a + (t.raw?.length ?? 0), 0);
}

const graph: GraphOptions = { logits: 'all', nll: true, stats: true };

describe.each(cases)('%s', (_label, path) => {
  test('the graph holds every 2-D weight as a 16-bit initializer with the checkpoint values; fp32Weights expands them', () => {
    const model = loadModel(path());
    const names = matrices(model);
    expect(names.length).toBeGreaterThan(4);
    const built = decodeModel(buildGraph(model, graph).model);
    const inits = new Map(built.initializers.map((t) => [t.name, t]));
    for (const name of names) {
      const t = inits.get(name);
      expect(t, name).toBeDefined();
      expect(HALF_TYPES.has(t?.dataType ?? 0), `${name} is stored as data type ${t?.dataType}`).toBe(true);
      const raw = t?.raw ?? new Uint8Array();
      const values = toFloat32(t?.dataType === DataType.float16 ? 'F16' : 'BF16', raw, raw.length / 2);
      expect(values).toEqual(model.weight(name).data); // the recipe (transpose, row ranges) cut in 16 bits = in fp32
      expect(t?.dims).toEqual(model.weight(name).shape);
    }
    // what stays fp32 is small: norms, biases, rotary tables
    const matrixBytes = names.reduce((a, n) => a + 2 * model.weight(n).data.length, 0);
    expect(bytesOfType(built, DataType.float32)).toBeLessThan(matrixBytes / 2);

    const expanded = decodeModel(buildGraph(model, { ...graph, fp32Weights: true }).model);
    expect(expanded.initializers.filter((t) => HALF_TYPES.has(t.dataType))).toEqual([]);
    expect(bytesOfType(expanded, DataType.float32)).toBeGreaterThanOrEqual(2 * matrixBytes);
  });

  test('onnxruntime keeps them in 16 bits when it makes the session (no Cast folded into an fp32 initializer)', async () => {
    const model = loadModel(path());
    const built = buildGraph(model, graph);
    const before = decodeModel(built.model);
    const optimized = join(dir, 'optimized.onnx');
    const s = await ort.InferenceSession.create(built.model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: optimized, logSeverityLevel: 3 });
    await s.release();
    const after = decodeModel(new Uint8Array(await readFile(optimized)));
    const halfAfter = new Set(after.initializers.filter((t) => HALF_TYPES.has(t.dataType)).map((t) => t.name));
    expect(matrices(model).filter((n) => !halfAfter.has(n))).toEqual([]);
    // a folded Cast would add an fp32 initializer of 4 bytes per weight
    expect(bytesOfType(after, DataType.float32)).toBeLessThanOrEqual(bytesOfType(before, DataType.float32));
  });

  test('outputs equal those of the graph with fp32 weights', async () => {
    const model = loadModel(path());
    const B = 2;
    const T = 6;
    const ids = int64(randomIds(B, T, model.spec.vocabSize, 3), [B, T]);
    const feeds = { input_ids: ids, targets: ids, threshold: { type: 'float32' as const, data: new Float32Array([0]), dims: [] } };
    const run = async (fp32Weights: boolean): Promise<Record<string, Float32Array>> => {
      const s = await FfnSession.create(model, { ...graph, fp32Weights }, { threads: 1 });
      const out = await s.run(feeds);
      await s.release();
      return { logits: asFloat32(out['logits'], 'logits'), nll: asFloat32(out['nll'], 'nll'), sum: asFloat32(out['stats_sum'], 'stats_sum') };
    };
    const half = await run(false);
    const full = await run(true);
    for (const k of ['logits', 'nll', 'sum']) {
      const a = half[k] as Float32Array;
      const b = full[k] as Float32Array;
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / (1 + Math.abs(b[i] as number)));
      // the same fp32 values in the same Gemm; only the kernel's packing of the weight differs
      expect(worst, k).toBeLessThanOrEqual(1e-6);
    }
  });
});

test('FFN_LAB_FP32_WEIGHTS=1 forces fp32 weights for every session (GraphOptions.fp32Weights)', async () => {
  const saved = process.env['FFN_LAB_FP32_WEIGHTS'];
  process.env['FFN_LAB_FP32_WEIGHTS'] = '1';
  try {
    const model = loadModel(join(FIXTURES, 'gpt2-f16'));
    const s = await FfnSession.create(model, { logits: 'all' }, { threads: 1 });
    expect(s.graph.fp32Weights).toBe(true);
    await s.release();
  } finally {
    if (saved === undefined) delete process.env['FFN_LAB_FP32_WEIGHTS'];
    else process.env['FFN_LAB_FP32_WEIGHTS'] = saved;
  }
});
