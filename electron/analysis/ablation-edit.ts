// An ablation as the graph's neuron edit: per condition, scale and shift [L, F] so that a neuron's
// value becomes post * scale + shift (native-models/graph/builder.ts). Ablated neurons get scale 0
// and a shift of 0 (zero) or their mean over a capture (mean); every other neuron keeps scale 1,
// shift 0. Resample ablation has scale 0 and a mask: the graph adds a value per token
// (token_shift, drawn from other tokens of the corpus) where the mask is 1.
import type { LayerShape, NeuronRef } from './neuron-sets.js';

export type AblationMethod = 'zero' | 'mean' | 'resample';

export interface NeuronEdit {
  scale: Float32Array;
  shift: Float32Array;
  /** resample: 1 where the neuron takes the per-token values */
  mask?: Float32Array;
}

/** The intact model. */
export function identityEdit(shape: LayerShape): NeuronEdit {
  const n = shape.layers * shape.neurons;
  return { scale: new Float32Array(n).fill(1), shift: new Float32Array(n) };
}

/**
 * The edit that ablates `neurons`. `values` [L * F] is what mean ablation replaces them by (the
 * capture's means); zero and resample take none (resample's values come per token, see above).
 */
export function ablationEdit(shape: LayerShape, neurons: readonly NeuronRef[], method: AblationMethod, values?: ArrayLike<number>): NeuronEdit {
  if (method === 'mean' && values === undefined) throw new Error('mean ablation needs the replacement values');
  const edit: NeuronEdit = method === 'resample' ? { ...identityEdit(shape), mask: new Float32Array(shape.layers * shape.neurons) } : identityEdit(shape);
  for (const { layer, neuron } of neurons) {
    if (layer >= shape.layers || neuron >= shape.neurons) throw new RangeError(`neuron ${layer}:${neuron} is outside ${shape.layers} layers of ${shape.neurons}`);
    const i = layer * shape.neurons + neuron;
    edit.scale[i] = 0;
    if (edit.mask) edit.mask[i] = 1;
    if (method === 'mean') {
      const v = (values as ArrayLike<number>)[i] as number;
      if (!Number.isFinite(v)) throw new RangeError(`no finite ${method} value for neuron ${layer}:${neuron} (got ${v})`);
      edit.shift[i] = v;
    }
  }
  return edit;
}

/** Edits stacked along the condition axis: [C, L, F] each (a mask when any edit has one). */
export function stackEdits(edits: readonly NeuronEdit[]): NeuronEdit {
  const n = edits[0]?.scale.length ?? 0;
  const scale = new Float32Array(edits.length * n);
  const shift = new Float32Array(edits.length * n);
  const mask = edits.some((e) => e.mask) ? new Float32Array(edits.length * n) : undefined;
  edits.forEach((e, c) => {
    scale.set(e.scale, c * n);
    shift.set(e.shift, c * n);
    if (mask && e.mask) mask.set(e.mask, c * n);
  });
  return mask ? { scale, shift, mask } : { scale, shift };
}
