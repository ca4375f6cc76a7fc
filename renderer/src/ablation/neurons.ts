// Neuron lists on the client: the typed "layer:neuron" form and per-layer counts in words. The set
// algebra is common/neuron-sets.ts, the backend's own.
import type { NeuronRef } from '../api/contract';
import { canonical, perLayerCounts } from '../../../common/neuron-sets';

export { canonical, difference, perLayerCounts, union } from '../../../common/neuron-sets';

/** Per-layer counts in words, over the model's layers when known, else up to the last layer used. */
export function describeLayers(neurons: readonly NeuronRef[], layers: number | null): string {
  return formatPerLayer(perLayerCounts(neurons, layers ?? neurons.reduce((m, n) => Math.max(m, n.layer + 1), 0)));
}

/** "L0: 3 · L1: 5": the layers that have any. */
export function formatPerLayer(counts: readonly number[]): string {
  const parts = counts.flatMap((c, l) => (c > 0 ? [`L${l}: ${c}`] : []));
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

/**
 * Reads "0:7, 1:30 2:5" (layer:neuron pairs separated by commas, spaces or new lines) into
 * neurons, checked against the model's shape; or says what is wrong.
 */
export function parseNeuronList(text: string, shape: { layers: number; neurons: number } | null): NeuronRef[] | string {
  const out: NeuronRef[] = [];
  for (const item of text.split(/[\s,;]+/).filter((s) => s.length > 0)) {
    const m = /^(\d+):(\d+)$/.exec(item);
    if (!m) return `“${item}” is not layer:neuron (for example 0:17).`;
    const n = { layer: Number(m[1]), neuron: Number(m[2]) };
    if (shape && n.layer >= shape.layers) return `${item}: the model has layers 0 to ${shape.layers - 1}.`;
    if (shape && n.neuron >= shape.neurons) return `${item}: a layer has neurons 0 to ${shape.neurons - 1}.`;
    out.push(n);
  }
  return canonical(out);
}

export const neuronLabel = (n: NeuronRef): string => `${n.layer}:${n.neuron}`;
