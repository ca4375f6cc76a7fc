// Single-weight ablation as the graph's weight edit (native-models/graph/builder.ts, weightEdits):
// per condition and layer, E slots of (neuron f, delta row [D]) so that the FFN output gains
// post[:, f] * delta; setting W_out[f -> d] to v is delta = (v - W_out[f -> d]) e_d. Weights of
// one neuron share a slot; unused slots have delta 0. And a random control for a weight: another
// weight of the same layer whose |value| has a similar rank.
import { canonicalWeights, type WeightCoord } from '../../common/weight-refs.js';
import { prng } from '../../common/prng.js';

export type WeightRef = WeightCoord;

export interface WeightShape {
  layers: number;
  /** F, neurons per layer */
  neurons: number;
  /** D, the residual stream's width */
  dims: number;
}

/** Reads the stored W_out[f -> d] of a layer (the canonical [D, F] tensor's element [d, f]). */
export type ReadWeight = (layer: number, neuron: number, dim: number) => number;

export interface WeightEdit {
  /** E, slots per layer (at least 1) */
  slots: number;
  /** [L, E] neuron of each slot */
  neuron: BigInt64Array;
  /** [L, E, D] the change of the slot's neuron's output row */
  delta: Float32Array;
}

/** Throws a RangeError naming the first weight outside the model. */
export function checkWeights(shape: WeightShape, weights: readonly WeightRef[]): void {
  for (const w of weights) {
    if (w.layer >= shape.layers || w.neuron >= shape.neurons || w.dim >= shape.dims) {
      throw new RangeError(`weight ${w.layer}:${w.neuron}:${w.dim} is outside the model (${shape.layers} layers, ${shape.neurons} neurons, ${shape.dims} dims)`);
    }
    if (w.value !== undefined && !Number.isFinite(w.value)) throw new RangeError(`weight ${w.layer}:${w.neuron}:${w.dim}: value ${w.value} is not finite`);
  }
}

/** The slots a set of weights needs: the most distinct neurons it edits in one layer (at least 1). */
export function weightSlots(weights: readonly WeightRef[]): number {
  const perLayer = new Map<number, Set<number>>();
  for (const w of weights) perLayer.set(w.layer, (perLayer.get(w.layer) ?? new Set()).add(w.neuron));
  return Math.max(1, ...[...perLayer.values()].map((s) => s.size));
}

/** The edit that sets `weights` (to their value, or 0), with `slots` slots (default: as few as they need). */
export function weightEdit(shape: WeightShape, weights: readonly WeightRef[], read: ReadWeight, slots = weightSlots(weights)): WeightEdit {
  checkWeights(shape, weights);
  const { layers: L, dims: D } = shape;
  const E = slots;
  const neuron = new BigInt64Array(L * E);
  const delta = new Float32Array(L * E * D);
  const slotOf = new Map<string, number>();
  const used = new Array<number>(L).fill(0);
  for (const w of canonicalWeights(weights)) {
    const key = `${w.layer}:${w.neuron}`;
    let e = slotOf.get(key);
    if (e === undefined) {
      e = used[w.layer] as number;
      if (e >= E) throw new RangeError(`layer ${w.layer} edits more than ${E} neurons' weights`);
      used[w.layer] = e + 1;
      slotOf.set(key, e);
      neuron[w.layer * E + e] = BigInt(w.neuron);
    }
    delta[(w.layer * E + e) * D + w.dim] = (w.value ?? 0) - read(w.layer, w.neuron, w.dim);
  }
  return { slots: E, neuron, delta };
}

/** Edits stacked along the condition axis, padded to the most slots: [C, L, E] and [C, L, E, D]. */
export function stackWeightEdits(edits: readonly WeightEdit[], layers: number, dims: number): WeightEdit {
  const E = Math.max(1, ...edits.map((e) => e.slots));
  const C = edits.length;
  const neuron = new BigInt64Array(C * layers * E);
  const delta = new Float32Array(C * layers * E * dims);
  edits.forEach((x, c) => {
    for (let l = 0; l < layers; l++) {
      for (let e = 0; e < x.slots; e++) {
        neuron[(c * layers + l) * E + e] = x.neuron[l * x.slots + e] as bigint;
        delta.set(x.delta.subarray((l * x.slots + e) * dims, (l * x.slots + e + 1) * dims), ((c * layers + l) * E + e) * dims);
      }
    }
  });
  return { slots: E, neuron, delta };
}

/** The k-th largest value of a (k = 0: the largest), rearranging a (quickselect). */
function select(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const pivot = [a[lo] as number, a[mid] as number, a[hi] as number].sort((x, y) => y - x)[1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) > pivot) i++;
      while ((a[j] as number) < pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** How far in |value| rank a control weight may be from the weight it controls for. */
export function rankWindow(count: number): number {
  return Math.max(8, Math.ceil(count * 1e-4));
}

/**
 * For each weight, another weight of the same layer, none of them in `weights`, drawn (seeded) from
 * the weights whose |value| rank in the layer is within rankWindow of its own; it is set to the
 * same value. `layerWeights(l)` is layer l's W_out as stored, [D, F].
 */
export function matchedWeightControl(weights: readonly WeightRef[], shape: WeightShape, layerWeights: (layer: number) => Float32Array, seed: number): WeightRef[] {
  checkWeights(shape, weights);
  const { neurons: F } = shape;
  const rand = prng(seed);
  const taken = new Set(weights.map((w) => w.dim * F + w.neuron + w.layer * shape.dims * F));
  const out: WeightRef[] = [];
  const abs = new Map<number, Float32Array>();
  for (const w of canonicalWeights(weights)) {
    const data = layerWeights(w.layer);
    const n = data.length;
    const target = Math.abs(data[w.dim * F + w.neuron] as number);
    let rank = 0;
    for (let i = 0; i < n; i++) if (Math.abs(data[i] as number) > target) rank++;
    const k = rankWindow(n);
    let a = abs.get(w.layer);
    if (!a) {
      a = Float32Array.from(data, Math.abs);
      abs.set(w.layer, a);
    }
    const high = select(a, Math.max(0, rank - k));
    const low = select(a, Math.min(n - 1, rank + k));
    const candidates: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = Math.abs(data[i] as number);
      if (v >= low && v <= high && !taken.has(i + w.layer * n)) candidates.push(i);
    }
    if (candidates.length === 0) throw new RangeError(`no other weight of layer ${w.layer} has a |value| rank near that of ${w.layer}:${w.neuron}:${w.dim}`);
    const i = candidates[Math.floor(rand() * candidates.length)] as number;
    taken.add(i + w.layer * n);
    out.push({ layer: w.layer, neuron: i % F, dim: Math.floor(i / F), ...(w.value !== undefined ? { value: w.value } : {}) });
  }
  return canonicalWeights(out);
}
