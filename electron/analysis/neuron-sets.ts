// Neuron sets as values: set algebra, rankings by a score, and random controls matched to a set in
// size and per-layer counts. A control is drawn from a seeded PRNG, so the same seed gives the same
// control, and it never contains a member of the set it controls for.
import { canonical, difference, neuronKey, perLayerCounts, union } from '../../common/neuron-sets.js';
import { prng } from '../../common/prng.js';
import type { LayerIndex, NeuronIndex } from './ids.js';

export interface NeuronRef {
  layer: LayerIndex;
  neuron: NeuronIndex;
}

export interface LayerShape {
  layers: number;
  neurons: number;
}

export { canonical, difference, perLayerCounts, union };

/** A seeded Fisher-Yates permutation of 0..n-1. */
function permutation(n: number, rand: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/**
 * A random set with the same number of neurons in every layer as `set`, none of them in `set`.
 * Throws when a layer has too few other neurons to match (e.g. a set of more than half a layer).
 */
export function matchedControl(set: readonly NeuronRef[], shape: LayerShape, seed: number): NeuronRef[] {
  const members = new Set(canonical(set).map(neuronKey));
  const counts = perLayerCounts(set, shape.layers);
  const rand = prng(seed);
  const out: NeuronRef[] = [];
  counts.forEach((want, layer) => {
    if (want === 0) return;
    // the set's own neurons of this layer are exactly `want` of them
    const others = shape.neurons - want;
    if (want > others) throw new RangeError(`layer ${layer}: the set has ${want} neurons but only ${others} others are left to match them`);
    const order = permutation(shape.neurons, rand);
    let taken = 0;
    for (let i = 0; i < order.length && taken < want; i++) {
      const n = { layer, neuron: order[i] as number };
      if (members.has(neuronKey(n))) continue;
      out.push(n);
      taken++;
    }
  });
  return canonical(out);
}

/**
 * Every neuron ordered by score (ascending: lowest first), ties broken by (layer, neuron); neurons
 * whose score is not finite (no tokens, NaN) go last in either direction.
 */
export function rankByScore(scores: ArrayLike<number>, shape: LayerShape, order: 'ascending' | 'descending'): NeuronRef[] {
  const n = shape.layers * shape.neurons;
  if (scores.length !== n) throw new RangeError(`expected ${n} scores (${shape.layers} layers x ${shape.neurons} neurons), got ${scores.length}`);
  const idx = Array.from({ length: n }, (_, i) => i);
  const sign = order === 'ascending' ? 1 : -1;
  idx.sort((a, b) => {
    const x = scores[a] as number;
    const y = scores[b] as number;
    const fx = Number.isFinite(x);
    const fy = Number.isFinite(y);
    if (fx !== fy) return fx ? -1 : 1;
    if (fx && x !== y) return sign * (x - y);
    return a - b;
  });
  return idx.map((i) => ({ layer: Math.floor(i / shape.neurons), neuron: i % shape.neurons }));
}

/** The first round(fraction * total) neurons of a ranking. */
export function rankedPrefix(ranking: readonly NeuronRef[], fraction: number): NeuronRef[] {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  return canonical(ranking.slice(0, Math.round(fraction * ranking.length)));
}

/**
 * Random sets matched, fraction by fraction, to the per-layer counts of a ranking's prefixes. One
 * seeded permutation per layer is read from its start, so the random sets are nested like the ranked
 * ones: the random curve removes neurons in a fixed random order, as the ranked curve does in its own.
 */
export function matchedRandomPrefixes(ranking: readonly NeuronRef[], fractions: readonly number[], shape: LayerShape, seed: number): NeuronRef[][] {
  const rand = prng(seed);
  const orders = Array.from({ length: shape.layers }, () => permutation(shape.neurons, rand));
  return fractions.map((f) => {
    const counts = perLayerCounts(rankedPrefix(ranking, f), shape.layers);
    return canonical(counts.flatMap((c, layer) => Array.from((orders[layer] as Int32Array).subarray(0, c), (neuron) => ({ layer, neuron }))));
  });
}
