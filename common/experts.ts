// Where a neuron of a mixture-of-experts layer sits: (expert, unit) on the flat neuron axis.
// Routed expert e's unit u is neuron e * expertFf + u (e < experts); the shared expert's units come
// last (README "Mixture-of-experts models"; native-models/spec.ts MoeSpec). Shared by the backend,
// the CLI and the UI.

/** The part of a MoeSpec (or the API's model) that places a neuron. */
export interface ExpertShape {
  experts: number;
  expertFf: number;
  /** the shared expert's width; absent or null: none */
  shared?: { ff: number } | null;
}

/** A routed expert's index, or 'shared' for the shared expert. */
export type ExpertId = number | 'shared';

/** All the layer's neurons: routed experts' units, then the shared expert's. */
export function expertWidth(shape: ExpertShape): number {
  return shape.experts * shape.expertFf + (shape.shared?.ff ?? 0);
}

/** The neuron's expert and its unit within that expert; a RangeError outside the layer. */
export function expertOf(neuron: number, shape: ExpertShape): { expert: ExpertId; unit: number } {
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= expertWidth(shape)) throw new RangeError(`neuron ${neuron} is not in 0..${expertWidth(shape) - 1}`);
  const routed = shape.experts * shape.expertFf;
  if (neuron >= routed) return { expert: 'shared', unit: neuron - routed };
  return { expert: Math.floor(neuron / shape.expertFf), unit: neuron % shape.expertFf };
}

/** The flat neurons [start, end) of an expert; a RangeError for an expert the layer lacks. */
export function expertRange(expert: ExpertId, shape: ExpertShape): { start: number; end: number } {
  if (expert === 'shared') {
    if (!shape.shared) throw new RangeError('the model has no shared expert');
    const start = shape.experts * shape.expertFf;
    return { start, end: start + shape.shared.ff };
  }
  if (!Number.isInteger(expert) || expert < 0 || expert >= shape.experts) throw new RangeError(`expert ${expert} is not in 0..${shape.experts - 1}`);
  return { start: expert * shape.expertFf, end: (expert + 1) * shape.expertFf };
}

/** "expert 3, unit 7" / "shared expert, unit 7". */
export function expertUnitLabel(e: { expert: ExpertId; unit: number }): string {
  return e.expert === 'shared' ? `shared expert, unit ${e.unit}` : `expert ${e.expert}, unit ${e.unit}`;
}
