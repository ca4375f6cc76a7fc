// A capture's running statistics as the database keeps them and back: the analysis accumulators
// (electron/analysis) hold float64 sums and float32 top values, SQLite stores REAL (float64), so a
// reloaded checkpoint continues bit-identical.
import { emptyStats, type FireMode, type NeuronStats } from '../../analysis/neuron-stats.js';
import { emptyTopK, type TopK } from '../../analysis/top-k.js';
import type { StoredStats, TopExample } from '../../../db/datasets.js';

export function toStored(acc: NeuronStats): StoredStats {
  const { layers: L, neurons: F } = acc;
  const perNeuron = (perLayer: Float64Array) => Float64Array.from({ length: L * F }, (_, i) => perLayer[Math.floor(i / F)] as number);
  const zeros = () => new Float64Array(L * F);
  return {
    layers: L,
    neurons: F,
    // per neuron: a mixture-of-experts unit counts the tokens routed to its expert
    count: acc.unitCount ?? perNeuron(acc.count),
    sum: acc.sum,
    sumsq: acc.sumsq,
    sumAbs: acc.sumAbs ?? zeros(),
    sum3: acc.sumCube ?? zeros(),
    sum4: acc.sumQuart ?? zeros(),
    min: acc.min,
    max: acc.max,
    fire: acc.fire,
    activeHist: acc.activeHist,
  };
}

/** How a capture counted firing: its threshold and rule (captures made before the rule existed used 'positive'). */
export interface FireRule {
  fireThreshold: number;
  fireMode: FireMode;
}

export function fireRuleOf(params: unknown): FireRule {
  const p = (params ?? {}) as { threshold?: number; fire?: FireMode };
  return { fireThreshold: p.threshold ?? 0, fireMode: p.fire ?? 'positive' };
}

export function fromStored(s: StoredStats, rule: FireRule): NeuronStats {
  const acc = emptyStats(s.layers, s.neurons, rule);
  const F = s.neurons;
  // The layer's tokens: every counted token adds one to its layer's active histogram. Neurons whose
  // counts differ from it (mixture of experts: tokens routed to the unit's expert) keep their own.
  for (let l = 0; l < s.layers; l++) {
    const hist = s.activeHist?.subarray(l * (F + 1), (l + 1) * (F + 1));
    acc.count[l] = hist ? hist.reduce((a, b) => a + b, 0) : Math.max(...s.count.subarray(l * F, (l + 1) * F));
  }
  if (s.count.some((c, i) => c !== acc.count[Math.floor(i / F)])) acc.unitCount = s.count.slice();
  acc.sum.set(s.sum);
  acc.sumsq.set(s.sumsq);
  acc.min.set(s.min);
  acc.max.set(s.max);
  acc.fire.set(s.fire);
  acc.sumAbs?.set(s.sumAbs);
  acc.sumCube?.set(s.sum3);
  acc.sumQuart?.set(s.sum4);
  // a checkpoint written before any batch has none: keep the empty one (every batch has the counts)
  if (s.activeHist) acc.activeHist?.set(s.activeHist);
  else if (s.count.some((n) => n > 0)) acc.activeHist = null;
  return acc;
}

export function topFromRows(layers: number, neurons: number, k: number, rows: readonly TopExample[]): TopK {
  const top = emptyTopK(layers, neurons, k);
  for (const r of rows) {
    const i = r.layer * neurons + r.neuron;
    const at = i * k + r.rank;
    top.values[at] = r.value;
    top.docs[at] = r.documentId;
    top.positions[at] = r.position;
    top.size[i] = Math.max(top.size[i] as number, r.rank + 1);
  }
  return top;
}
