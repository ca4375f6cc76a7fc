// Steering: during generation, chosen neurons get a constant added to their activation at every
// position, strength x the neuron's mean activation over a capture (the graph's edit: value =
// post * scale + shift, native-models/graph/builder.ts), so the model is pushed toward the state
// those neurons are in on the capture's texts. Every other neuron keeps scale 1, shift 0.
import type { NeuronEdit } from './ablation-edit.js';
import { identityEdit } from './ablation-edit.js';
import type { LayerShape, NeuronRef } from './neuron-sets.js';

/**
 * The edit that steers `neurons`: shift = strength x means[i] for each chosen neuron whose layer
 * is in `layers` (all layers when absent), scale 1 everywhere. `means` [L * F].
 */
export function steeringEdit(shape: LayerShape, neurons: readonly NeuronRef[], means: ArrayLike<number>, strength: number, layers?: readonly number[]): NeuronEdit {
  if (!Number.isFinite(strength)) throw new RangeError(`the steering strength must be a finite number, got ${strength}`);
  if (means.length !== shape.layers * shape.neurons) throw new RangeError(`steering needs one mean per neuron (${shape.layers} x ${shape.neurons}), got ${means.length}`);
  const bad = layers?.find((l) => !Number.isInteger(l) || l < 0 || l >= shape.layers);
  if (bad !== undefined) throw new RangeError(`steering layer ${bad} is outside the model's ${shape.layers} layers (0..${shape.layers - 1})`);
  const keep = layers ? new Set(layers) : undefined;
  const edit = identityEdit(shape);
  for (const { layer, neuron } of neurons) {
    if (layer >= shape.layers || neuron >= shape.neurons) throw new RangeError(`neuron ${layer}:${neuron} is outside ${shape.layers} layers of ${shape.neurons}`);
    if (keep && !keep.has(layer)) continue;
    const i = layer * shape.neurons + neuron;
    const m = means[i] as number;
    if (!Number.isFinite(m)) throw new RangeError(`neuron ${layer}:${neuron} has no finite mean in the capture (got ${m})`);
    edit.shift[i] = strength * m;
  }
  return edit;
}

/**
 * Steering by value vectors: each chosen neuron's activation gets `strength` added, which adds
 * strength x its value vector (its column of the FFN's output projection) to the FFN's output at
 * every position, with no capture involved (the means of steeringEdit all 1).
 */
export function valueVectorEdit(shape: LayerShape, neurons: readonly NeuronRef[], strength: number, layers?: readonly number[]): NeuronEdit {
  return steeringEdit(shape, neurons, new Float64Array(shape.layers * shape.neurons).fill(1), strength, layers);
}

/** log-softmax in float64, stable (the max is subtracted first). */
function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] as number) - max);
  const lse = max + Math.log(sum);
  return Float64Array.from({ length: logits.length }, (_, i) => (logits[i] as number) - lse);
}

/** KL(p || q) in nats between the softmax distributions of two logit rows of the same vocabulary. */
export function klFromLogits(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`KL needs two distributions over the same vocabulary, got ${p.length} and ${q.length} logits`);
  const lp = logSoftmax(p);
  const lq = logSoftmax(q);
  let kl = 0;
  for (let i = 0; i < lp.length; i++) {
    const a = lp[i] as number;
    if (a > -Infinity) kl += Math.exp(a) * (a - (lq[i] as number));
  }
  return Math.max(0, kl);
}

/** The mean of per-step values (0 for none). */
export function meanOf(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
