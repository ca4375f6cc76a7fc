// --precision fp16: the weight matrix products in float16 (graph/context.ts Precision). The CPU
// provider runs the fp16 graph through casts back to fp32 (onnxruntime's InsertCastTransformer),
// which is enough to check the graph's results here; the speed and memory it is for are a GPU's,
// and plain sessions refuse it on CPU.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../graph/builder.js';
import { decodeModel } from '../graph/test-support/decode.js';
import { testSessions } from '../graph/test-support/sessions.js';
import { FIXTURES_DIR } from '../architectures/testing.js';
import { loadModel } from '../load.js';
import { type LoadedModel, W } from '../spec.js';
import { weightForms } from './memory.js';
import { FfnSession, graphFromEnv } from './session.js';
import { asFloat32, int64 } from './tensors.js';

const session = testSessions();

interface Golden {
  input_ids: { shape: [number, number]; data: number[] };
  logits: { data: number[] };
}

async function logits(model: LoadedModel, ids: Golden['input_ids'], precision: 'fp16' | 'fp32'): Promise<Float32Array> {
  const s = await session(model, { logits: 'all', precision }, { cpuFp16: true });
  return asFloat32((await s.run({ input_ids: int64(Int32Array.from(ids.data), ids.shape) })).logits, 'logits');
}

describe.each([
  // fp32 weights (converted), F16 weights (the file's bytes), BF16 weights (converted), gated,
  // biases, GQA, a mixture of experts (the router and every expert's matrices)
  { fixture: 'gpt2' },
  { fixture: 'gpt2-f16' },
  { fixture: 'llama' },
  { fixture: 'qwen2-bf16' },
  { fixture: 'mixtral' },
])('precision fp16 on $fixture', ({ fixture }) => {
  test('every linear weight is a float16 Gemm between casts; logits stay within float16 rounding of the golden and differ from fp32', async () => {
    const dir = join(FIXTURES_DIR, fixture);
    const model = loadModel(dir);
    const g = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden;
    const fp16 = decodeModel(buildGraph(model, { logits: 'all', precision: 'fp16' }).model);
    const elemType = new Map(fp16.initializers.map((t) => [t.name, t.dataType]));
    const producer = new Map(fp16.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
    const gemms = fp16.nodes.filter((n) => n.opType === 'Gemm');
    expect(gemms.length).toBeGreaterThanOrEqual(4 * model.spec.nLayers);
    // every Gemm reads a float16 weight (ONNX type 10) and a cast input, but a head tied to an
    // embedding that Gather already holds in fp32
    const fp32Weights = gemms.filter((n) => elemType.get(n.inputs[1] ?? '') !== 10).map((n) => n.inputs[1]);
    expect(fp32Weights.filter((n) => n !== W.tokenEmbedding)).toEqual([]);
    for (const n of gemms) if (elemType.get(n.inputs[1] ?? '') === 10) expect(producer.get(n.inputs[0] ?? '')).toBe('Cast');

    const want = g.logits.data;
    const half = await logits(model, g.input_ids, 'fp16');
    const full = await logits(model, g.input_ids, 'fp32');
    const scale = Math.max(...want.map(Math.abs));
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs((half[i] as number) - (want[i] as number)));
      moved = Math.max(moved, Math.abs((half[i] as number) - (full[i] as number)));
    }
    // float16 keeps 11 significant bits (relative rounding 2^-11 ~ 4.9e-4) for weights and each
    // product's input; over two layers the logits move by a few of those of their scale
    expect(worst / scale).toBeLessThan(8 * 2 ** -11);
    if (fixture === 'gpt2-f16') {
      // the file's float16 matrices are the weights as they are (no converted copy; its 1-D
      // biases go through fp32 and back, which is exact); on CPU,
      // onnxruntime folds the activations' cast pair away, so only rounded weights could move the
      // logits, and these were float16 already
      expect(fp16.initializers.filter((t) => t.name.endsWith('.fp16') && t.dims.length === 2).map((t) => t.name)).toEqual([]);
      expect(moved).toBe(0);
    } else {
      expect(moved).toBeGreaterThan(0);
    }
  });
});

describe('precision fp16 refusals and accounting', () => {
  const model = loadModel(join(FIXTURES_DIR, 'llama'));

  test('a plain session refuses it on the CPU provider, naming what to do', async () => {
    await expect(FfnSession.create(model, { logits: 'all', precision: 'fp16' }, { providers: ['cpu'], threads: 1 })).rejects.toThrow(
      /--precision fp16 computes in float16 on a GPU provider.*no GPU provider was requested.*Use --precision fp32/,
    );
  });

  test('FFN_LAB_PRECISION sets it and names a wrong value', () => {
    expect(graphFromEnv({ logits: 'all' }, { FFN_LAB_PRECISION: 'fp16' })).toEqual({ logits: 'all', precision: 'fp16' });
    expect(graphFromEnv({ logits: 'all' }, {})).toEqual({ logits: 'all' });
    expect(() => graphFromEnv({}, { FFN_LAB_PRECISION: 'half' })).toThrow('--precision (FFN_LAB_PRECISION) is "half"; expected fp16 or fp32');
  });

  test('a weight beyond float16 range is refused by name', () => {
    const big: LoadedModel = {
      ...model,
      weight: (n) => {
        const w = model.weight(n);
        if (n !== W.layer(1).mlpOut) return w;
        const data = Float32Array.from(w.data);
        data[3] = 70000;
        return { ...w, data };
      },
    };
    expect(() => buildGraph(big, { logits: 'all', precision: 'fp16' })).toThrow(`--precision fp16: weight ${W.layer(1).mlpOut} holds 70000 at element 3, beyond float16's range`);
  });

  test('the memory estimate holds the linear matrices at 2 bytes each', () => {
    const fp32 = weightForms(model);
    const fp16 = weightForms(model, { precision: 'fp16' });
    const linear = model.weightNames().filter((n) => model.weight(n).shape.length === 2 && n !== W.tokenEmbedding && n !== W.positionEmbedding);
    const params = linear.reduce((a, n) => a + model.weight(n).data.length, 0);
    expect(fp16.halfParams).toBe(params);
    expect(fp16.fp32Params).toBe(fp32.fp32Params - params);
  });
});
