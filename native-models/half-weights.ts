// F16 / BF16 weights kept in 16 bits: the canonical weight cut from its checkpoint tensor(s) as
// 2-byte elements, with the same recipe (transpose, row ranges) and expert stacking that
// load.ts applies to fp32 data, so the graph can hold the weight at the size the file stores it
// instead of twice that as fp32. Values are never converted here: the bytes are the file's.

import type { CanonicalWeight } from './architectures/common.js';
import type { CheckpointReader, TensorInfo } from './formats/checkpoint.js';
import type { HalfWeight } from './spec.js';

const KEPT: Readonly<Record<string, HalfWeight['dtype']>> = { F16: 'float16', BF16: 'bfloat16' };
/** recipe fields that only select or move elements (architectures/common.ts Recipe) */
const MOVES_ONLY: ReadonlySet<string> = new Set(['tensor', 'transpose', 'rows']);

/** 2-D [rows, cols] elements of a 16-bit tensor, transposed when the recipe says so, then the listed row ranges. */
function cut(w: CanonicalWeight, data: Uint16Array, shape: readonly number[]): { shape: [number, number]; data: Uint16Array } {
  let [r, c] = shape as [number, number];
  let out = data;
  if (w.recipe.transpose) {
    const t = new Uint16Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = out[i * c + j] ?? 0;
    out = t;
    [r, c] = [c, r];
  }
  if (w.recipe.rows) {
    const total = w.recipe.rows.reduce((n, [, count]) => n + count, 0);
    const kept = new Uint16Array(total * c);
    let at = 0;
    for (const [start, count] of w.recipe.rows) {
      kept.set(out.subarray(start * c, (start + count) * c), at);
      at += count * c;
    }
    out = kept;
    r = total;
  }
  return { shape: [r, c], data: out };
}

/** Parts [rows_j, cols_j] joined on axis 0 (rows) or 1 (columns), as architectures/common.ts joinParts does for fp32. */
function join(parts: { shape: [number, number]; data: Uint16Array }[], axis: 0 | 1): { shape: [number, number]; data: Uint16Array } {
  if (axis === 0) {
    const cols = parts[0]?.shape[1] ?? 0;
    const out = new Uint16Array(parts.reduce((a, p) => a + p.data.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return { shape: [out.length / (cols || 1), cols], data: out };
  }
  const R = parts[0]?.shape[0] ?? 0;
  const C = parts.reduce((a, p) => a + p.shape[1], 0);
  const out = new Uint16Array(R * C);
  let c0 = 0;
  for (const p of parts) {
    const c = p.shape[1];
    for (let r = 0; r < R; r++) out.set(p.data.subarray(r * c, (r + 1) * c), r * C + c0);
    c0 += c;
  }
  return { shape: [R, C], data: out };
}

function asU16(bytes: Uint8Array): Uint16Array {
  // readRaw returns a fresh array; copy only when it is not 2-byte aligned
  const b = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  return new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
}

/**
 * The canonical weight `w` in 16 bits when every tensor it is made of is F16 (or every one BF16)
 * and it is 2-D; null otherwise (1-D norms and biases stay fp32: they are small, and the graph
 * reads them in fp32 ops). The host is little-endian (graph/graph.ts refuses others), so the
 * file's little-endian elements are used as they are.
 */
export function halfWeight(reader: CheckpointReader, w: CanonicalWeight): HalfWeight | null {
  if (w.shape.length !== 2 || !reader.readRaw) return null;
  // a recipe that changes values (Gemma's plusOne, any later one) makes numbers the file's dtype
  // cannot hold: those weights are read as fp32; only moving elements is done in 16 bits
  if (Object.entries(w.recipe).some(([k, v]) => v !== undefined && v !== false && !MOVES_ONLY.has(k))) return null;
  const sources = w.stack ? w.stack.parts : [w.recipe.tensor];
  const infos = sources.map((t) => reader.tensors.get(t));
  if (infos.some((i) => i === undefined || i.shape.length !== 2)) return null;
  const dtypes = new Set((infos as TensorInfo[]).map((i) => KEPT[i.dtype]));
  const dtype = dtypes.size === 1 ? [...dtypes][0] : undefined;
  if (dtype === undefined) return null;
  const readRaw = reader.readRaw.bind(reader);
  return {
    dtype,
    shape: [...w.shape],
    bytes(): Uint8Array {
      const parts = (infos as TensorInfo[]).map((info) => {
        const data = asU16(readRaw(info.name));
        // a stacked expert is a whole tensor; the recipe applies to the single-tensor case
        return w.stack ? { shape: info.shape as [number, number], data } : cut(w, data, info.shape);
      });
      const made = w.stack ? join(parts, w.stack.axis) : (parts[0] as { data: Uint16Array });
      return new Uint8Array(made.data.buffer, made.data.byteOffset, made.data.byteLength);
    },
  };
}
