// Folds the stats head's per-batch outputs into the capture's running float64 sums, and the
// per-batch top-k into the running top examples. Batches are added in a fixed order, so a resumed
// capture (which reloads the committed sums) ends bit-identical to an uninterrupted one.
import type { StoredStats, TopExample } from '../../../db/datasets.js';

/** The stats head's outputs for one batch (native-models/graph/builder.ts, stats + moments). */
export interface BatchStats {
  count: BigInt64Array; // [L]
  sum: Float32Array; // [L, F]
  sumsq: Float32Array;
  sumAbs: Float32Array;
  sum3: Float32Array;
  sum4: Float32Array;
  min: Float32Array;
  max: Float32Array;
  fire: BigInt64Array; // [L, F]
}

export function addBatch(acc: StoredStats, b: BatchStats): void {
  const F = acc.neurons;
  for (let l = 0; l < acc.layers; l++) {
    const n = Number(b.count[l]);
    if (n === 0) continue; // an all-padding batch has no extremes to take
    for (let f = 0; f < F; f++) {
      const i = l * F + f;
      acc.count[i] = (acc.count[i] as number) + n;
      acc.sum[i] = (acc.sum[i] as number) + (b.sum[i] as number);
      acc.sumsq[i] = (acc.sumsq[i] as number) + (b.sumsq[i] as number);
      acc.sumAbs[i] = (acc.sumAbs[i] as number) + (b.sumAbs[i] as number);
      acc.sum3[i] = (acc.sum3[i] as number) + (b.sum3[i] as number);
      acc.sum4[i] = (acc.sum4[i] as number) + (b.sum4[i] as number);
      acc.min[i] = Math.min(acc.min[i] as number, b.min[i] as number);
      acc.max[i] = Math.max(acc.max[i] as number, b.max[i] as number);
      acc.fire[i] = (acc.fire[i] as number) + Number(b.fire[i]);
    }
  }
}

export interface Candidate {
  value: number;
  documentId: number;
  position: number;
}

/** Larger value first; ties by earlier document, then earlier position (deterministic). */
export function beats(a: Candidate, b: Candidate): boolean {
  if (a.value !== b.value) return a.value > b.value;
  if (a.documentId !== b.documentId) return a.documentId < b.documentId;
  return a.position < b.position;
}

/** Running top-k per neuron: [layer * F + neuron] -> best first, at most k. */
export class TopExamples {
  readonly lists: Candidate[][];

  constructor(readonly layers: number, readonly neurons: number, readonly k: number, committed: readonly TopExample[] = []) {
    this.lists = Array.from({ length: layers * neurons }, () => []);
    for (const t of committed) this.lists[t.layer * neurons + t.neuron]?.push({ value: t.value, documentId: t.documentId, position: t.position });
  }

  /**
   * Adds a batch's top-k: values and flat indices [L, k', F]; `locate` maps a flat token index of
   * the batch to its document and position. Masked tokens come as -inf and are skipped.
   */
  add(values: Float32Array, indices: BigInt64Array, kPrime: number, locate: (flat: number) => { documentId: number; position: number }): void {
    const F = this.neurons;
    for (let l = 0; l < this.layers; l++) {
      for (let f = 0; f < F; f++) {
        const list = this.lists[l * F + f] as Candidate[];
        for (let j = 0; j < kPrime; j++) {
          const at = (l * kPrime + j) * F + f;
          const value = values[at] as number;
          if (value === -Infinity) break; // sorted: only masked tokens follow
          const c = { value, ...locate(Number(indices[at])) };
          const last = list[this.k - 1];
          if (list.length === this.k && last && !beats(c, last)) {
            if (value < last.value) break; // sorted by value: nothing after can enter
            continue; // an equal value may still enter by an earlier document or position
          }
          let p = list.length;
          while (p > 0 && beats(c, list[p - 1] as Candidate)) p--;
          list.splice(p, 0, c);
          if (list.length > this.k) list.pop();
        }
      }
    }
  }

  rows(): TopExample[] {
    const out: TopExample[] = [];
    this.lists.forEach((list, i) => {
      const layer = Math.floor(i / this.neurons);
      const neuron = i % this.neurons;
      list.forEach((c, rank) => out.push({ layer, neuron, rank, value: c.value, documentId: c.documentId, position: c.position }));
    });
    return out;
  }
}
