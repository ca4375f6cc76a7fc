// A checkpoint on disk -> LoadedModel: the reader (formats/) opens and validates the file, the
// family mapper (architectures/) gives the spec and how each canonical weight is made; weights
// are converted to fp32 canonical layout when first asked for, and kept; block-quantized linear
// weights of a GGUF file (Q4_0 ... Q6_K) are also offered as their ggml blocks (quantized()), which
// the graph runs as MatMulNBits without expanding them; F16 / BF16 2-D weights are offered in 16
// bits (half(), half-weights.ts), which the graph keeps as 16-bit initializers.

import { applyRecipe, ArchitectureError, joinParts, type Mapping } from './architectures/common.js';
import { mapCheckpoint } from './architectures/registry.js';
import { type CheckpointReader, openCheckpoint } from './formats/checkpoint.js';
import { halfWeight } from './half-weights.js';
import type { HalfWeight, LoadedModel, QuantizedWeight, WeightTensor } from './spec.js';

/** ggml types the graph runs as MatMulNBits with exactly ggml's values (graph/quantized.ts); F16/BF16/F32 (and Q8_K, never a weight type) are read as fp32 */
const KEPT_QUANTIZED: Readonly<Record<string, QuantizedWeight['kind']>> = {
  Q4_0: 'q4_0', Q4_1: 'q4_1', Q5_0: 'q5_0', Q5_1: 'q5_1', Q8_0: 'q8_0',
  Q2_K: 'q2_k', Q3_K: 'q3_k', Q4_K: 'q4_k', Q5_K: 'q5_k', Q6_K: 'q6_k',
};

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
      if (w.stack) {
        // mixture-of-experts: the experts' matrices joined on the neuron axis
        const parts = w.stack.parts.map((t) => applyRecipe({ tensor: t }, reader.read(t), reader.tensors.get(t)?.shape ?? []));
        const joined = joinParts(parts, w.stack.axis);
        cache.set(name, joined);
        return joined;
      }
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
      const info = w && !w.recipe.transpose && !w.recipe.rows && !w.stack ? reader.tensors.get(w.recipe.tensor) : undefined;
      const kind = info ? (KEPT_QUANTIZED[info.dtype] ?? null) : null;
      if (!info || !kind || info.shape.length !== 2 || !reader.readRaw) return null;
      const [rows, cols] = info.shape as [number, number];
      const readRaw = reader.readRaw.bind(reader);
      return { kind, rows, cols, bytes: () => readRaw(info.name) };
    },
    half(name: string): HalfWeight | null {
      // F16 / BF16 2-D weights as the file stores them (half-weights.ts); read when the graph is encoded
      const w = mapping.weights.get(name);
      return w ? halfWeight(reader, w) : null;
    },
  };
}
