// Router statistics of a mixture-of-experts model over a corpus, per layer and expert, as a
// mergeable accumulator (sums and counts only, like neuron-stats.ts), and what they say: load
// (tokens routed), mean routing weight, router entropy per token, top-k and top-1 frequency,
// co-selection of expert pairs, dead and rare experts (with the same 3/N bound as neurons) and the
// load-balance coefficient of variation. The graph's router outputs (builder.ts `router`) feed it.

import { DETECTOR_DEFAULTS } from './detectors.js';

export interface RouterStats {
  readonly layers: number;
  readonly experts: number;
  readonly topK: number;
  /** [L] tokens counted */
  tokens: Float64Array;
  /** [L*E] tokens routed to expert e (e among the token's top-k) */
  load: Float64Array;
  /** [L*E] tokens whose first choice is e */
  top1: Float64Array;
  /** [L*E] the sum of e's routing weight (after the family's rule) over the tokens routed to it */
  weightSum: Float64Array;
  /** [L*E] the sum of e's router probability (before top-k) over every token */
  probSum: Float64Array;
  /** [L] the sum over tokens of the router's entropy -sum_e p_e ln p_e (nats) */
  entropySum: Float64Array;
  /** [L*E*E] tokens at which both i and j were chosen (i != j, symmetric; diagonal 0) */
  pairs: Float64Array;
}

export function emptyRouterStats(layers: number, experts: number, topK: number): RouterStats {
  for (const [what, v] of Object.entries({ layers, experts, topK })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`router stats: ${what} must be a positive integer, got ${v}`);
  }
  if (topK > experts) throw new Error(`router stats: topK ${topK} exceeds the ${experts} experts`);
  return {
    layers,
    experts,
    topK,
    tokens: new Float64Array(layers),
    load: new Float64Array(layers * experts),
    top1: new Float64Array(layers * experts),
    weightSum: new Float64Array(layers * experts),
    probSum: new Float64Array(layers * experts),
    entropySum: new Float64Array(layers),
    pairs: new Float64Array(layers * experts * experts),
  };
}

/** One batch of the graph's router outputs, every row; `counted` [rows]: 1 where the token counts. */
export interface RouterBatch {
  rows: number;
  /** router_probs [L, rows, E] */
  probs: Float32Array;
  /** router_experts [L, rows, k], by descending weight */
  experts: BigInt64Array | Int32Array | readonly number[];
  /** router_weights [L, rows, k] */
  weights: Float32Array;
  counted?: Float32Array | readonly number[];
}

/** Folds one batch into `acc` in place; throws, leaving it untouched, on a shape or index error. */
export function addRouterBatch(acc: RouterStats, b: RouterBatch): RouterStats {
  const { layers: L, experts: E, topK: k } = acc;
  const R = b.rows;
  if (b.probs.length !== L * R * E) throw new Error(`router stats: router_probs has ${b.probs.length} values, expected ${L} x ${R} x ${E}`);
  if (b.experts.length !== L * R * k || b.weights.length !== L * R * k) throw new Error(`router stats: router_experts / router_weights need ${L} x ${R} x ${k} values`);
  if (b.counted !== undefined && b.counted.length !== R) throw new Error(`router stats: counted has ${b.counted.length} values, expected ${R}`);
  const chosen = Int32Array.from({ length: b.experts.length }, (_, i) => Number(b.experts[i]));
  for (const e of chosen) if (!(e >= 0 && e < E)) throw new Error(`router stats: expert index ${e} is not in 0..${E - 1}`);
  for (let l = 0; l < L; l++) {
    for (let r = 0; r < R; r++) {
      if (b.counted && !(Number(b.counted[r]) > 0)) continue;
      acc.tokens[l]! += 1;
      let h = 0;
      for (let e = 0; e < E; e++) {
        const p = b.probs[(l * R + r) * E + e]!;
        acc.probSum[l * E + e]! += p;
        if (p > 0) h -= p * Math.log(p);
      }
      acc.entropySum[l]! += h;
      const at = (l * R + r) * k;
      acc.top1[l * E + chosen[at]!]! += 1;
      for (let j = 0; j < k; j++) {
        const e = chosen[at + j]!;
        acc.load[l * E + e]! += 1;
        acc.weightSum[l * E + e]! += b.weights[at + j]!;
        for (let i = 0; i < k; i++) if (i !== j) acc.pairs[(l * E + e) * E + chosen[at + i]!]! += 1;
      }
    }
  }
  return acc;
}

/** The statistics of the union of two disjoint token sets (a new accumulator). */
export function mergeRouterStats(a: RouterStats, b: RouterStats): RouterStats {
  if (a.layers !== b.layers || a.experts !== b.experts || a.topK !== b.topK) throw new Error(`router stats: cannot merge ${a.layers}x${a.experts} top-${a.topK} with ${b.layers}x${b.experts} top-${b.topK}`);
  const add = (x: Float64Array, y: Float64Array): Float64Array => x.map((v, i) => v + y[i]!);
  return {
    layers: a.layers,
    experts: a.experts,
    topK: a.topK,
    tokens: add(a.tokens, b.tokens),
    load: add(a.load, b.load),
    top1: add(a.top1, b.top1),
    weightSum: add(a.weightSum, b.weightSum),
    probSum: add(a.probSum, b.probSum),
    entropySum: add(a.entropySum, b.entropySum),
    pairs: add(a.pairs, b.pairs),
  };
}

/** JSON for storage (db router_stats.state) and back. */
export function routerStatsToJson(s: RouterStats): string {
  const arr = (x: Float64Array) => Array.from(x);
  return JSON.stringify({ layers: s.layers, experts: s.experts, topK: s.topK, tokens: arr(s.tokens), load: arr(s.load), top1: arr(s.top1), weightSum: arr(s.weightSum), probSum: arr(s.probSum), entropySum: arr(s.entropySum), pairs: arr(s.pairs) });
}

export function routerStatsFromJson(text: string): RouterStats {
  const o = JSON.parse(text) as Record<string, number | number[]>;
  const s = emptyRouterStats(o.layers as number, o.experts as number, o.topK as number);
  for (const key of ['tokens', 'load', 'top1', 'weightSum', 'probSum', 'entropySum', 'pairs'] as const) {
    const v = o[key];
    if (!Array.isArray(v) || v.length !== s[key].length) throw new Error(`router stats: stored ${key} has the wrong length`);
    s[key].set(v);
  }
  return s;
}

export interface ExpertRow {
  expert: number;
  /** tokens routed to it */
  load: number;
  /** load / tokens: how often it is in the top-k */
  topk_rate: number | null;
  /** tokens whose first choice it is / tokens */
  top1_rate: number | null;
  /** its mean routing weight over the tokens routed to it */
  mean_weight: number | null;
  /** its mean router probability over every token */
  mean_prob: number | null;
  /** dead: never routed (its top-k rate is below 3/tokens with 95% confidence); rare: routed on fewer than `bound` of the tokens */
  verdict: 'dead' | 'rare' | null;
}

export interface RouterLayerRow {
  layer: number;
  tokens: number;
  /** mean router entropy per token (nats), and its maximum ln E */
  entropy_mean: number | null;
  entropy_max: number;
  /** std / mean of the experts' loads (population std): 0 = perfectly balanced */
  load_cv: number | null;
  /** the 95% upper bound on a dead expert's top-k rate: 3 / tokens */
  dead_upper95: number | null;
  experts: ExpertRow[];
  /** expert pairs chosen together, most frequent first: count, rate per token, and lift over independence (rate / (rate_i * rate_j)) */
  pairs: Array<{ a: number; b: number; count: number; rate: number; lift: number | null }>;
}

/** Per layer: the router's summary, its experts and its most frequent pairs (`pairs` of them). */
export function summarizeRouter(s: RouterStats, options: { rareBound?: number; pairs?: number } = {}): RouterLayerRow[] {
  const bound = options.rareBound ?? DETECTOR_DEFAULTS.rare.bound;
  const topPairs = options.pairs ?? 10;
  const { layers: L, experts: E } = s;
  return Array.from({ length: L }, (_, l) => {
    const n = s.tokens[l]!;
    const per = (x: number) => (n > 0 ? x / n : null);
    const loads = Array.from(s.load.subarray(l * E, (l + 1) * E));
    const mean = loads.reduce((a, b) => a + b, 0) / E;
    const sd = Math.sqrt(loads.reduce((a, v) => a + (v - mean) ** 2, 0) / E);
    const experts: ExpertRow[] = loads.map((load, e) => ({
      expert: e,
      load,
      topk_rate: per(load),
      top1_rate: per(s.top1[l * E + e]!),
      mean_weight: load > 0 ? s.weightSum[l * E + e]! / load : null,
      mean_prob: per(s.probSum[l * E + e]!),
      verdict: n === 0 ? null : load === 0 ? 'dead' : load / n < bound ? 'rare' : null,
    }));
    const pairs: RouterLayerRow['pairs'] = [];
    for (let a = 0; a < E; a++) {
      for (let b = a + 1; b < E; b++) {
        const count = s.pairs[(l * E + a) * E + b]!;
        if (count === 0) continue;
        const ra = loads[a]! / n;
        const rb = loads[b]! / n;
        pairs.push({ a, b, count, rate: count / n, lift: ra > 0 && rb > 0 ? count / n / (ra * rb) : null });
      }
    }
    pairs.sort((x, y) => y.count - x.count || x.a - y.a || x.b - y.b);
    return {
      layer: l,
      tokens: n,
      entropy_mean: per(s.entropySum[l]!),
      entropy_max: Math.log(E),
      load_cv: mean > 0 ? sd / mean : null,
      dead_upper95: n > 0 ? 3 / n : null,
      experts,
      pairs: pairs.slice(0, topPairs),
    };
  });
}
