// A checkpoint on disk -> LoadedModel: the reader (formats/) opens and validates the file, the
// family mapper (architectures/) gives the spec and how each canonical weight is made; weights
// are converted to fp32 canonical layout when first asked for, and kept; Q4_0 / Q8_0 / Q6_K
// linear weights of a GGUF file are also offered as their ggml blocks (quantized()), which the graph runs
// as MatMulNBits without expanding them.

import { applyRecipe, ArchitectureError, type Mapping } from './architectures/common.js';
import { mapCheckpoint } from './architectures/registry.js';
import { type CheckpointReader, openCheckpoint } from './formats/checkpoint.js';
import type { LoadedModel, QuantizedWeight, WeightTensor } from './spec.js';

/** ggml types the graph runs as MatMulNBits with exactly ggml's values (graph/quantized.ts); Q4_K, Q5_K and the rest are read as fp32 */
const KEPT_QUANTIZED: Readonly<Record<string, QuantizedWeight['kind']>> = { Q4_0: 'q4_0', Q8_0: 'q8_0', Q6_K: 'q6_k' };

export function loadModel(path: string): LoadedModel {
  return loadFromReader(openCheckpoint(path));
}

/** The same from an already opened checkpoint. */
export function loadFromReader(reader: CheckpointReader): LoadedModel {
  const mapping: Mapping = mapCheckpoint(reader);
  const cache = new Map<string, WeightTensor>();
  // One fused source (GPT-2 c_attn, NeoX query_key_value) feeds q, k and v read one after another.
  let last: { tensor: string; data: Float32Array } | null = null;
  let hash: string | null = null;
  const paths = [...reader.paths];

  return {
    spec: mapping.spec,
    source: {
      paths,
      format: reader.format,
      get sha256(): string {
        hash ??= reader.sha256();
        return hash;
      },
    },
    weightNames: () => [...mapping.weights.keys()],
    weight(name: string): WeightTensor {
      const hit = cache.get(name);
      if (hit) return hit;
      const w = mapping.weights.get(name);
      if (!w) throw new ArchitectureError(paths[0] ?? '(checkpoint)', `no weight "${name}" in this ${mapping.spec.architecture} model; it has ${mapping.weights.size} weights, e.g. ${[...mapping.weights.keys()].slice(0, 3).join(', ')}`, name);
      const info = reader.tensors.get(w.recipe.tensor);
      if (!info) throw new ArchitectureError(paths[0] ?? '(checkpoint)', `tensor "${w.recipe.tensor}" vanished`, w.recipe.tensor);
      const data = last?.tensor === w.recipe.tensor ? last.data : reader.read(w.recipe.tensor);
      last = { tensor: w.recipe.tensor, data };
      const out = applyRecipe(w.recipe, data, info.shape);
      cache.set(name, out);
      return out;
    },
    quantized(name: string): QuantizedWeight | null {
      // Only a whole 2-D tensor in a ggml form MatMulNBits runs exactly (graph/quantized.ts); a
      // transposed or row-sliced recipe (GPT-2's fused qkv) is read as fp32.
      const w = mapping.weights.get(name);
      const info = w && !w.recipe.transpose && !w.recipe.rows ? reader.tensors.get(w.recipe.tensor) : undefined;
      const kind = info ? (KEPT_QUANTIZED[info.dtype] ?? null) : null;
      if (!info || !kind || info.shape.length !== 2 || !reader.readRaw) return null;
      const [rows, cols] = info.shape as [number, number];
      const readRaw = reader.readRaw.bind(reader);
      return { kind, rows, cols, bytes: () => readRaw(info.name) };
    },
  };
}
