// Single weights of an FFN's output projection, W_out[f -> d] (neuron f's weight into residual
// dimension d; stored [D, F], so element [d, f]), as the ablation job, the CLI and the UI name
// them. Shared by the backend and the UI. Pure: no I/O.

export interface WeightCoord {
  layer: number;
  neuron: number;
  dim: number;
  /** the value the weight is set to; absent: 0 */
  value?: number;
}

/** Sorted by (layer, neuron, dim), each once (a later entry for the same weight wins). */
export function canonicalWeights<T extends WeightCoord>(weights: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const w of weights) byKey.set(`${w.layer}:${w.neuron}:${w.dim}`, w);
  return [...byKey.values()].sort((a, b) => a.layer - b.layer || a.neuron - b.neuron || a.dim - b.dim);
}

const number = (v: number): string => String(Number(v.toPrecision(6)));

/** "W_out[3][17→512] = 0" */
export function weightLabel(w: WeightCoord): string {
  return `W_out[${w.layer}][${w.neuron}→${w.dim}] = ${number(w.value ?? 0)}`;
}

/** One to three weights by name, more by count. */
export function weightsLabel(weights: readonly WeightCoord[]): string {
  if (weights.length <= 3) return weights.map(weightLabel).join(', ');
  const set = weights.every((w) => (w.value ?? 0) === 0) ? 'zeroed' : 'set';
  return `${weights.length} W_out weights ${set}`;
}

/** "layer:neuron:dim" or "layer:neuron:dim=value"; undefined when the text is not one. */
export function parseWeightRef(text: string): WeightCoord | undefined {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*:\s*(\d+)\s*(?:=\s*(\S+)\s*)?$/.exec(text);
  if (!m) return undefined;
  const w: WeightCoord = { layer: Number(m[1]), neuron: Number(m[2]), dim: Number(m[3]) };
  if (m[4] !== undefined) {
    const v = Number(m[4]);
    if (!Number.isFinite(v)) return undefined;
    w.value = v;
  }
  return w;
}
