// The canonical weight cut in 16 bits equals the fp32 one (architectures/common.ts applyRecipe and
// joinParts) element for element: transpose, row ranges, experts stacked on either axis; what
// cannot be kept (a value-changing recipe, 1-D, F32 or mixed dtypes) is refused with null.

import { describe, expect, test } from 'vitest';
import { applyRecipe, type CanonicalWeight, joinParts } from './architectures/common.js';
import type { CheckpointReader, TensorInfo } from './formats/checkpoint.js';
import { toFloat32 } from './formats/dtype.js';
import { encode } from './formats/fixtures.js';
import { halfWeight } from './half-weights.js';

/** A reader over in-memory tensors (values chosen exact in F16 and BF16). */
function reader(tensors: Record<string, { dtype: 'F16' | 'BF16' | 'F32'; shape: number[] }>): CheckpointReader {
  const infos = new Map<string, TensorInfo>();
  const bytes = new Map<string, Uint8Array>();
  let k = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, () => (k++ % 97) / 8 - 6);
    bytes.set(name, encode(t.dtype, values));
    infos.set(name, { name, dtype: t.dtype, shape: t.shape, file: '/mem', byteOffset: 0, byteLength: bytes.get(name)?.length ?? 0 });
  }
  return {
    format: 'safetensors',
    paths: ['/mem'],
    config: null,
    tensors: infos,
    read: (name) => {
      const info = infos.get(name) as TensorInfo;
      return toFloat32(info.dtype as 'F16', bytes.get(name) as Uint8Array, info.shape.reduce((a, b) => a * b, 1));
    },
    readRaw: (name) => (bytes.get(name) as Uint8Array).slice(),
    sha256: () => '0',
  };
}

function fp32Of(r: CheckpointReader, w: CanonicalWeight): Float32Array {
  if (w.stack) return joinParts(w.stack.parts.map((t) => applyRecipe({ tensor: t }, r.read(t), r.tensors.get(t)?.shape ?? [])), w.stack.axis).data;
  return applyRecipe(w.recipe, r.read(w.recipe.tensor), r.tensors.get(w.recipe.tensor)?.shape ?? []).data;
}

function halfValues(r: CheckpointReader, w: CanonicalWeight): Float32Array {
  const h = halfWeight(r, w);
  if (h === null) throw new Error('not kept');
  const b = h.bytes();
  return toFloat32(h.dtype === 'float16' ? 'F16' : 'BF16', b, b.length / 2);
}

describe('16-bit recipes', () => {
  const r = reader({
    a: { dtype: 'F16', shape: [6, 4] },
    b: { dtype: 'BF16', shape: [3, 4] },
    e0: { dtype: 'BF16', shape: [2, 4] },
    e1: { dtype: 'BF16', shape: [3, 4] },
    d0: { dtype: 'F16', shape: [4, 2] },
    d1: { dtype: 'F16', shape: [4, 3] },
    f32: { dtype: 'F32', shape: [2, 2] },
    norm: { dtype: 'F16', shape: [4] },
  });
  const cases: [string, CanonicalWeight][] = [
    ['whole', { shape: [6, 4], recipe: { tensor: 'a' } }],
    ['transposed (Conv1D)', { shape: [4, 6], recipe: { tensor: 'a', transpose: true } }],
    ['row ranges (fused qkv)', { shape: [3, 4], recipe: { tensor: 'a', rows: [[4, 2], [0, 1]] } }],
    ['transposed, then rows', { shape: [2, 6], recipe: { tensor: 'a', transpose: true, rows: [[1, 1], [3, 1]] } }],
    ['bfloat16', { shape: [3, 4], recipe: { tensor: 'b' } }],
    ['experts stacked on rows', { shape: [5, 4], recipe: { tensor: 'e0' }, stack: { parts: ['e0', 'e1'], axis: 0 } }],
    ['experts stacked on columns', { shape: [4, 5], recipe: { tensor: 'd0' }, stack: { parts: ['d0', 'd1'], axis: 1 } }],
  ];
  test.each(cases)('%s: equals the fp32 recipe', (_label, w) => {
    expect(halfValues(r, w)).toEqual(fp32Of(r, w));
    expect(halfWeight(r, w)?.shape).toEqual(w.shape);
  });

  test('not kept: a value-changing recipe, a 1-D weight, F32, mixed 16-bit types', () => {
    expect(halfWeight(r, { shape: [6, 4], recipe: { tensor: 'a', plusOne: true } })).toBeNull();
    expect(halfWeight(r, { shape: [4], recipe: { tensor: 'norm' } })).toBeNull();
    expect(halfWeight(r, { shape: [2, 2], recipe: { tensor: 'f32' } })).toBeNull();
    expect(halfWeight(r, { shape: [9, 4], recipe: { tensor: 'a' }, stack: { parts: ['a', 'b'], axis: 0 } })).toBeNull();
    expect(halfWeight({ ...r, readRaw: undefined }, { shape: [6, 4], recipe: { tensor: 'a' } })).toBeNull();
  });
});
