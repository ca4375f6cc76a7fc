// Layer sensitivity as ablation conditions: per layer, every neuron of its FFN zeroed ("whole"),
// and a seeded random fraction of its neurons zeroed ("random"), all on the condition axis of one
// ablation run. Zeroing every neuron leaves the FFN's output bias (b_out), as every neuron ablation
// in FFN Lab does: the delta is what the layer's neurons contribute. Pure: the job and its storage
// are the ordinary ablation job's.
import { seededSubset } from './intrinsic.js';
import type { LayerSensitivity } from './compare.js';

/** How a condition of a sensitivity run records what it ablates (its `origin`). */
export interface SensitivityOrigin {
  kind: 'layer-sensitivity';
  layer: number;
  part: 'whole' | 'random';
  fraction: number;
  seed: number;
}

export interface SensitivityCondition {
  label: string;
  neurons: Array<{ layer: number; neuron: number }>;
  origin: SensitivityOrigin;
  series: 'whole layer' | 'random fraction';
  fraction: number;
}

/** The default share of a layer's neurons the random condition zeroes. */
export const SENSITIVITY_FRACTION = 0.25;

/** k = round(fraction x F) neurons of layer `layer`, chosen with a seed that mixes in the layer, ascending. */
export function randomLayerNeurons(layer: number, neurons: number, fraction: number, seed: number): number[] {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`layer sensitivity: the random fraction must be in (0, 1], got ${fraction}`);
  const k = Math.max(1, Math.round(fraction * neurons));
  // a distinct stream per layer, the same for every run with this seed
  return seededSubset(neurons, k, (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(layer + 1, 0x85ebca6b)) >>> 0);
}

/** Two conditions per chosen layer: the whole FFN zeroed, then the random fraction of it. */
export function sensitivityConditions(shape: { layers: number; neurons: number }, o: { layers?: readonly number[]; fraction?: number; seed?: number } = {}): SensitivityCondition[] {
  const fraction = o.fraction ?? SENSITIVITY_FRACTION;
  const seed = o.seed ?? 0;
  const layers = o.layers ? [...new Set(o.layers)].sort((a, b) => a - b) : Array.from({ length: shape.layers }, (_, l) => l);
  const bad = layers.find((l) => !Number.isInteger(l) || l < 0 || l >= shape.layers);
  if (bad !== undefined) throw new RangeError(`layer sensitivity: layer ${bad} is not in 0..${shape.layers - 1}`);
  const pct = `${Math.round(fraction * 1000) / 10}%`;
  return layers.flatMap((layer) => [
    {
      label: `layer ${layer}: whole FFN`,
      neurons: Array.from({ length: shape.neurons }, (_, neuron) => ({ layer, neuron })),
      origin: { kind: 'layer-sensitivity', layer, part: 'whole', fraction: 1, seed } as SensitivityOrigin,
      series: 'whole layer' as const,
      fraction: 1,
    },
    {
      label: `layer ${layer}: random ${pct}`,
      neurons: randomLayerNeurons(layer, shape.neurons, fraction, seed).map((neuron) => ({ layer, neuron })),
      origin: { kind: 'layer-sensitivity', layer, part: 'random', fraction, seed } as SensitivityOrigin,
      series: 'random fraction' as const,
      fraction,
    },
  ]);
}

export function isSensitivityOrigin(o: unknown): o is SensitivityOrigin {
  return typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === 'layer-sensitivity';
}

/** Whether a run's conditions are a sensitivity run's (every condition made by sensitivityConditions). */
export function isSensitivityRun(conditions: ReadonlyArray<{ origin?: unknown }>): boolean {
  return conditions.length > 0 && conditions.every((c) => isSensitivityOrigin(c.origin));
}

interface StoredInterval {
  value: number;
  low: number | null;
  high: number | null;
}

/**
 * Per layer of an L-layer model, its sensitivity read from a run's conditions (their origins) and
 * results (in the same order); null for layers the run left out.
 */
export function sensitivityByLayer(
  layers: number,
  conditions: ReadonlyArray<{ origin?: unknown; neurons: readonly unknown[] }>,
  results: ReadonlyArray<{ metrics: { delta_loss: StoredInterval } }>,
): Array<LayerSensitivity | null> {
  const whole = new Map<number, StoredInterval>();
  const random = new Map<number, LayerSensitivity['random']>();
  conditions.forEach((c, i) => {
    const o = c.origin;
    const r = results[i];
    if (!isSensitivityOrigin(o) || !r) return;
    const d = r.metrics.delta_loss;
    if (o.part === 'whole') whole.set(o.layer, { value: d.value, low: d.low, high: d.high });
    else random.set(o.layer, { value: d.value, low: d.low, high: d.high, neurons: c.neurons.length, fraction: o.fraction, seed: o.seed });
  });
  return Array.from({ length: layers }, (_, l) => {
    const w = whole.get(l);
    const r = random.get(l);
    return w && r ? { whole: w, random: r } : null;
  });
}
