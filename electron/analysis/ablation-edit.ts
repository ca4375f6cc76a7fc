// An ablation as the graph's neuron edit: per condition, scale and shift [L, F] so that a neuron's
// value becomes post * scale + shift (native-models/graph/builder.ts). Ablated neurons get scale 0
// and a shift of 0 (zero), their mean over a capture (mean) or their value at another token of the
// corpus (resample); every other neuron keeps scale 1, shift 0.
import type { LayerShape, NeuronRef } from './neuron-sets.js';

export type AblationMethod = 'zero' | 'mean' | 'resample';

export interface NeuronEdit {
  scale: Float32Array;
  shift: Float32Array;
}

/** The intact model. */
export function identityEdit(shape: LayerShape): NeuronEdit {
  const n = shape.layers * shape.neurons;
  return { scale: new Float32Array(n).fill(1), shift: new Float32Array(n) };
}

/**
 * The edit that ablates `neurons`. `values` [L * F] is what they are replaced by: the capture's means
 * (mean) or one token's activations (resample); absent for zero.
 */
export function ablationEdit(shape: LayerShape, neurons: readonly NeuronRef[], method: AblationMethod, values?: ArrayLike<number>): NeuronEdit {
  if (method !== 'zero' && values === undefined) throw new Error(`${method} ablation needs the replacement values`);
  const edit = identityEdit(shape);
  for (const { layer, neuron } of neurons) {
    if (layer >= shape.layers || neuron >= shape.neurons) throw new RangeError(`neuron ${layer}:${neuron} is outside ${shape.layers} layers of ${shape.neurons}`);
    const i = layer * shape.neurons + neuron;
    edit.scale[i] = 0;
    if (method !== 'zero') {
      const v = (values as ArrayLike<number>)[i] as number;
      if (!Number.isFinite(v)) throw new RangeError(`no finite ${method} value for neuron ${layer}:${neuron} (got ${v})`);
      edit.shift[i] = v;
    }
  }
  return edit;
}

/** Edits stacked along the condition axis: [C, L, F] each. */
export function stackEdits(edits: readonly NeuronEdit[]): NeuronEdit {
  const n = edits[0]?.scale.length ?? 0;
  const scale = new Float32Array(edits.length * n);
  const shift = new Float32Array(edits.length * n);
  edits.forEach((e, c) => {
    scale.set(e.scale, c * n);
    shift.set(e.shift, c * n);
  });
  return { scale, shift };
}
