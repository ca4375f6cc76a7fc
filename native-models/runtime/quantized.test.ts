// Weight-only quantized matmuls: ggml Q4_0 / Q8_0 blocks repacked for onnxruntime's MatMulNBits
// compute with exactly the dequantized weights, so a graph holding the blocks gives the logits of
// the same model dequantized to fp32 up to fp32 accumulation order.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadModel } from '../load.js';
import { W } from '../spec.js';
import { buildGraph } from '../graph/builder.js';
import { matMulNBitsBytes, toMatMulNBits } from '../graph/quantized.js';
import { dequantizeGgml, floatToHalf, linearWeightNames, quantizeGgml, quantizeModel } from '../graph/test-support/ggml-quantize.js';
import { baseSpec, randomIds, randomModel } from '../graph/test-support/random-model.js';
import { testSessions } from '../graph/test-support/sessions.js';
import { maxAbsDiff } from '../graph/test-support/specs.js';
import { halfToFloat } from '../graph/quantized.js';
import { asFloat32, int64 } from './tensors.js';
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
    for (const x of [0, 1, -2.5, 0.0001, 65504, 3.14159]) expect(Math.abs(halfToFloat(floatToHalf(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
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
