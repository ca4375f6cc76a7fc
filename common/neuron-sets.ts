// Set algebra over neurons, shared by the backend (analysis/neuron-sets.ts) and the UI (saved
// sets' union and difference, per-layer counts in tables). Pure: no I/O.

export interface NeuronCoord {
  layer: number;
  neuron: number;
}

/** A number unique to (layer, neuron) for models under 2^26 neurons per layer. */
export const neuronKey = (n: NeuronCoord): number => n.layer * 2 ** 26 + n.neuron;

/** Sorted by (layer, neuron), each once. */
export function canonical<T extends NeuronCoord>(set: readonly T[]): T[] {
  const seen = new Set<number>();
  const out: T[] = [];
  for (const n of set) {
    if (seen.has(neuronKey(n))) continue;
    seen.add(neuronKey(n));
    out.push({ layer: n.layer, neuron: n.neuron } as T);
  }
  return out.sort((a, b) => a.layer - b.layer || a.neuron - b.neuron);
}

export function union<T extends NeuronCoord>(a: readonly T[], b: readonly T[]): T[] {
  return canonical([...a, ...b]);
}

export function difference<T extends NeuronCoord>(a: readonly T[], b: readonly T[]): T[] {
  const drop = new Set(b.map(neuronKey));
  return canonical(a.filter((n) => !drop.has(neuronKey(n))));
}

/** How many of the set's neurons sit in each layer. */
export function perLayerCounts(set: readonly NeuronCoord[], layers: number): number[] {
  const counts = new Array<number>(layers).fill(0);
  for (const n of canonical(set)) counts[n.layer] = (counts[n.layer] as number) + 1;
  return counts;
}
