// UMAP's graph and layout optimisation (McInnes, Healy & Melville 2018) from a precomputed k
// nearest neighbour graph, on typed arrays. The same algorithm as umap-js 1.4 (smooth kNN
// distances, fuzzy union, epochs per sample, SGD with negative sampling, a and b fitted to
// min_dist), written here because umap-js keeps its graph in a Map-backed sparse matrix and its
// embedding as arrays of arrays: with a precomputed kNN of 100,000 points it spent 305 s building
// the graph and 2.2 s an epoch on the 2-core machine. The kNN itself comes from elsewhere (exact,
// by onnxruntime: jobs/project/knn.ts).
import { prng, type Rand } from '../../common/prng.js';

/** Each row's k nearest other rows, nearest first (self excluded). */
export interface NeighbourGraph {
  n: number;
  k: number;
  indices: Int32Array;
  distances: ArrayLike<number>;
}

export interface UmapLayoutOptions {
  dims: number;
  minDist: number;
  seed: number;
  spread?: number;
  /** default as umap-js: 500 epochs up to 2,500 points, 400 to 5,000, 300 to 7,500, then 200 */
  epochs?: number;
  negativeSampleRate?: number;
  learningRate?: number;
  /** [n * dims] starting coordinates; default uniform in [-10, 10] as umap-js */
  init?: Float32Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

export function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

/**
 * Per row, rho (the distance to the nearest neighbour at positive distance) and sigma such that
 * sum_j exp(-(d_j - rho) / sigma) = log2(k + 1) over its k neighbours (k + 1 counts the row
 * itself, as umap-js's neighbour lists do). `withRho` false (placing new points) keeps rho = 0.
 */
export function smoothDistances(g: NeighbourGraph, withRho = true): { sigmas: Float64Array; rhos: Float64Array } {
  const { n, k, distances } = g;
  const target = Math.log2(k + 1);
  const sigmas = new Float64Array(n);
  const rhos = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n * k; i++) all += distances[i] as number;
  const meanAll = all / (n * (k + 1));
  for (let i = 0; i < n; i++) {
    let rho = 0;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const d = distances[i * k + j] as number;
      sum += d;
      if (withRho && rho === 0 && d > 0) rho = d;
    }
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const d = (distances[i * k + j] as number) - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? sum / (k + 1) : meanAll);
    sigmas[i] = Math.max(mid, floor);
    rhos[i] = rho;
  }
  return { sigmas, rhos };
}

/** Membership strength of each directed edge i -> indices[i * k + j], [n * k]. */
function memberships(g: NeighbourGraph, sigmas: Float64Array, rhos: Float64Array): Float64Array {
  const w = new Float64Array(g.n * g.k);
  for (let i = 0; i < g.n; i++) {
    for (let j = 0; j < g.k; j++) {
      const d = (g.distances[i * g.k + j] as number) - (rhos[i] as number);
      w[i * g.k + j] = d <= 0 ? 1 : Math.exp(-(d / (sigmas[i] as number)));
    }
  }
  return w;
}

export interface FuzzyGraph {
  /** edges of the symmetric fuzzy graph, both directions listed */
  rows: Int32Array;
  cols: Int32Array;
  weights: Float64Array;
}

/** The fuzzy union P + P^T - P o P^T of the directed membership graph. */
export function fuzzyGraph(g: NeighbourGraph): FuzzyGraph {
  const { n, k, indices } = g;
  const { sigmas, rhos } = smoothDistances(g);
  const w = memberships(g, sigmas, rhos);
  const directed = new Map<number, number>();
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) directed.set(i * n + (indices[i * k + j] as number), w[i * k + j] as number);
  const rows: number[] = [];
  const cols: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const c = indices[i * k + j] as number;
      const p = w[i * k + j] as number;
      const back = directed.get(c * n + i);
      const v = p + (back ?? 0) - p * (back ?? 0);
      rows.push(i);
      cols.push(c);
      weights.push(v);
      // an edge only one side listed: its mirror is an entry of the symmetric graph too
      if (back === undefined) {
        rows.push(c);
        cols.push(i);
        weights.push(v);
      }
    }
  }
  return { rows: Int32Array.from(rows), cols: Int32Array.from(cols), weights: Float64Array.from(weights) };
}

/**
 * a and b of the embedding's similarity 1 / (1 + a d^(2b)), least-squares fitted (Levenberg-
 * Marquardt) to 1 below minDist and exp(-(d - minDist) / spread) above, on [0, 3 spread], as
 * umap-learn's find_ab_params (minDist 0.1, spread 1: a = 1.577, b = 0.895).
 */
export function findAB(spread: number, minDist: number): { a: number; b: number } {
  const xs = Array.from({ length: 300 }, (_, i) => (3 * spread * i) / 299);
  const ys = xs.map((x) => (x < minDist ? 1 : Math.exp(-(x - minDist) / spread)));
  const loss = (a: number, b: number) => xs.reduce((s, x, i) => s + (1 / (1 + a * x ** (2 * b)) - (ys[i] as number)) ** 2, 0);
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let current = loss(a, b);
  for (let it = 0; it < 200; it++) {
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    xs.forEach((x, i) => {
      if (x <= 0) return;
      const p = x ** (2 * b);
      const f = 1 / (1 + a * p);
      const r = f - (ys[i] as number);
      const da = -p * f * f;
      const db = -a * p * 2 * Math.log(x) * f * f;
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    });
    const A = jaa * (1 + lambda);
    const B = jbb * (1 + lambda);
    const det = A * B - jab * jab;
    const sa = -(B * ga - jab * gb) / det;
    const sb = -(A * gb - jab * ga) / det;
    const next = loss(a + sa, b + sb);
    if (next < current) {
      a += sa;
      b += sb;
      lambda /= 3;
      if (current - next < 1e-14) break;
      current = next;
    } else lambda *= 4;
  }
  return { a, b };
}

/** The edges an SGD run samples, their schedules, and the constants of its steps. */
interface EdgeSchedule {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  nextSample: Float64Array;
  nextNegative: Float64Array;
  perNegative: Float64Array;
  dim: number;
  a: number;
  b: number;
  alpha0: number;
  epochs: number;
  /** rows of tailEmb, the pool of negative samples */
  vertices: number;
}

interface Optimizer extends EdgeSchedule {
  headEmb: Float32Array;
  tailEmb: Float32Array;
  moveOther: boolean;
  rand: Rand;
  /** parallel layouts: per edge, 1 when its tail belongs to another thread, whose move is also added to `delta` for that thread to apply */
  away?: Uint8Array;
  delta?: Float32Array;
}

/** The edges that get sampled at all (weight >= max / epochs), each with its sampling period in epochs. */
function optimizer(rows: Int32Array, cols: Int32Array, weights: Float64Array, headEmb: Float32Array, tailEmb: Float32Array, moveOther: boolean, o: Required<Pick<UmapLayoutOptions, 'dims' | 'minDist' | 'seed' | 'spread' | 'negativeSampleRate' | 'learningRate'>> & { epochs: number }): Optimizer {
  let max = 0;
  for (const w of weights) max = Math.max(max, w);
  const keep: number[] = [];
  for (let i = 0; i < weights.length; i++) if ((weights[i] as number) >= max / o.epochs && (weights[i] as number) > 0) keep.push(i);
  const epochsPerSample = Float64Array.from(keep, (i) => max / (weights[i] as number));
  const perNegative = epochsPerSample.map((e) => e / o.negativeSampleRate);
  const { a, b } = findAB(o.spread, o.minDist);
  return {
    head: Int32Array.from(keep, (i) => cols[i] as number),
    tail: Int32Array.from(keep, (i) => rows[i] as number),
    epochsPerSample,
    nextSample: epochsPerSample.slice(),
    nextNegative: perNegative.slice(),
    perNegative,
    headEmb,
    tailEmb,
    moveOther,
    dim: o.dims,
    a,
    b,
    alpha0: o.learningRate,
    epochs: o.epochs,
    vertices: tailEmb.length / o.dims,
    rand: prng(o.seed),
  };
}

const powF64 = new Float64Array(1);
const powU32 = new Uint32Array(powF64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = 1 - HI;

/**
 * x^y for x > 0 to about 1e-6 relative, several times faster than Math.pow (which the layout's
 * SGD calls for every sample: it was half the time): log2 from the float's exponent plus an
 * atanh series on the mantissa, 2^fraction by a Taylor polynomial. SGD steps do not need the
 * last bits; exact inputs (powers of two, x = 1) come out exact or within rounding.
 */
export function fastPow(x: number, y: number): number {
  powF64[0] = x;
  const hi = powU32[HI] as number;
  const e = (hi >>> 20) - 1023;
  if (e < -1022 || e > 1023 || !(x > 0)) return Math.pow(x, y); // subnormal, Inf, NaN, <= 0: the slow path
  powU32[HI] = (hi & 0x000fffff) | 0x3ff00000;
  const m = powF64[0] as number; // [1, 2)
  const t = (m - 1) / (m + 1); // [0, 1/3)
  const t2 = t * t;
  const log2 = e + 2.8853900817779268 * t * (1 + t2 * (1 / 3 + t2 * (1 / 5 + t2 * (1 / 7 + t2 * (1 / 9 + t2 / 11)))));
  const z = y * log2;
  const i = Math.floor(z);
  if (i < -1020 || i > 1020) return Math.pow(x, y);
  const f = (z - i) * Math.LN2; // [0, ln 2)
  const p = 1 + f * (1 + f * (1 / 2 + f * (1 / 6 + f * (1 / 24 + f * (1 / 120 + f * (1 / 720 + f * (1 / 5040 + f / 40320)))))));
  powU32[HI] = (i + 1023) << 20;
  powU32[LO] = 0;
  return p * (powF64[0] as number);
}

/** One epoch of SGD (umap-js's optimizeLayoutStep on flat arrays; the hot loop, so everything is a local). */
function epoch(s: Optimizer, n: number): void {
  const { head, tail, headEmb: he, tailEmb: te, dim, a, b, moveOther, rand, epochsPerSample, nextSample, nextNegative, perNegative, vertices, away, delta } = s;
  const alpha = s.alpha0 * (1 - n / s.epochs);
  const ab2 = -2 * a * b;
  const b2 = 2 * b;
  const edges = head.length;
  for (let i = 0; i < edges; i++) {
    if ((nextSample[i] as number) > n) continue;
    const j = head[i] as number;
    const cj = j * dim;
    const ok = (tail[i] as number) * dim;
    let d2 = 0;
    for (let d = 0; d < dim; d++) {
      const v = (he[cj + d] as number) - (te[ok + d] as number);
      d2 += v * v;
    }
    if (d2 > 0) {
      const pb = fastPow(d2, b);
      const coeff = (ab2 * (pb / d2)) / (a * pb + 1);
      const elsewhere = away !== undefined && away[i] === 1 ? (delta as Float32Array) : null;
      for (let d = 0; d < dim; d++) {
        let g = coeff * ((he[cj + d] as number) - (te[ok + d] as number));
        g = g > 4 ? 4 : g < -4 ? -4 : g;
        he[cj + d] = (he[cj + d] as number) + g * alpha;
        if (moveOther) te[ok + d] = (te[ok + d] as number) - g * alpha;
        if (elsewhere) elsewhere[ok + d] = (elsewhere[ok + d] as number) - g * alpha;
      }
    }
    nextSample[i] = (nextSample[i] as number) + (epochsPerSample[i] as number);
    const per = perNegative[i] as number;
    const negatives = Math.floor((n - (nextNegative[i] as number)) / per);
    for (let p = 0; p < negatives; p++) {
      const m = Math.floor(rand() * vertices);
      const om = m * dim;
      let q2 = 0;
      for (let d = 0; d < dim; d++) {
        const v = (he[cj + d] as number) - (te[om + d] as number);
        q2 += v * v;
      }
      if (q2 > 0) {
        const rc = b2 / ((0.001 + q2) * (a * fastPow(q2, b) + 1));
        for (let d = 0; d < dim; d++) {
          let g = rc * ((he[cj + d] as number) - (te[om + d] as number));
          g = g > 4 ? 4 : g < -4 ? -4 : g;
          he[cj + d] = (he[cj + d] as number) + g * alpha;
        }
      } else if (j !== m) {
        for (let d = 0; d < dim; d++) he[cj + d] = (he[cj + d] as number) + 4 * alpha;
      }
    }
    nextNegative[i] = (nextNegative[i] as number) + negatives * per;
  }
}

function withDefaults(o: UmapLayoutOptions, epochs: number) {
  return { dims: o.dims, minDist: o.minDist, seed: o.seed, spread: o.spread ?? 1, negativeSampleRate: o.negativeSampleRate ?? 5, learningRate: o.learningRate ?? 1, epochs };
}

/** A UMAP layout of the graph's n points, stepped one epoch at a time (for progress). */
export class UmapLayout {
  readonly coords: Float32Array;
  readonly epochs: number;
  private readonly state: Optimizer;
  private done = 0;

  constructor(g: NeighbourGraph, o: UmapLayoutOptions) {
    if (g.n < 2) throw new RangeError(`UMAP needs at least 2 points, got ${g.n}`);
    this.epochs = o.epochs ?? defaultEpochs(g.n);
    const rand = prng(o.seed ^ 0x5eed);
    if (o.init && o.init.length !== g.n * o.dims) throw new RangeError(`UMAP: init has ${o.init.length} values, expected ${g.n} x ${o.dims}`);
    this.coords = o.init ? o.init.slice() : Float32Array.from({ length: g.n * o.dims }, () => rand() * 20 - 10);
    const f = fuzzyGraph(g);
    this.state = optimizer(f.rows, f.cols, f.weights, this.coords, this.coords, true, withDefaults(o, this.epochs));
  }

  /** Runs one epoch; false once all have run. */
  step(): boolean {
    if (this.done >= this.epochs) return false;
    epoch(this.state, this.done++);
    return true;
  }

  /**
   * The layout's edges cut into `threads` parts by the vertex of their head (the end every
   * sample moves), each vertex range holding about as many edges, for LayoutThread. Before any
   * epoch has run.
   */
  split(threads: number): LayoutPart[] {
    if (this.done > 0) throw new Error('UMAP: split a layout before its first epoch');
    const s = this.state;
    const vertices = s.vertices;
    const perVertex = new Int32Array(vertices);
    for (const j of s.head) perVertex[j] = (perVertex[j] as number) + 1;
    const bounds = [0];
    let seen = 0;
    for (let v = 0; v < vertices && bounds.length < threads; v++) {
      seen += perVertex[v] as number;
      if (seen >= (s.head.length * bounds.length) / threads) bounds.push(v + 1);
    }
    while (bounds.length <= threads) bounds.push(vertices);
    bounds[threads] = vertices;
    return Array.from({ length: threads }, (_, t) => {
      const [from, to] = [bounds[t] as number, bounds[t + 1] as number];
      const edges: number[] = [];
      s.head.forEach((j, i) => j >= from && j < to && edges.push(i));
      const pick = <A extends Int32Array | Float64Array>(x: A, make: (n: number) => A): A => {
        const out = make(edges.length);
        edges.forEach((i, e) => (out[e] = x[i] as number));
        return out;
      };
      const tail = pick(s.tail, (n) => new Int32Array(n));
      return {
        from,
        to,
        head: pick(s.head, (n) => new Int32Array(n)),
        tail,
        away: Uint8Array.from(tail, (v) => (v < from || v >= to ? 1 : 0)),
        epochsPerSample: pick(s.epochsPerSample, (n) => new Float64Array(n)),
        nextSample: pick(s.nextSample, (n) => new Float64Array(n)),
        nextNegative: pick(s.nextNegative, (n) => new Float64Array(n)),
        perNegative: pick(s.perNegative, (n) => new Float64Array(n)),
        dim: s.dim,
        a: s.a,
        b: s.b,
        alpha0: s.alpha0,
        epochs: s.epochs,
        vertices,
        seed: Math.floor(s.rand() * 2 ** 32) ^ Math.imul(t + 1, 0x9e3779b1),
      };
    });
  }
}

/** One thread's share of a parallel layout (UmapLayout.split): the edges whose head is in [from, to). */
export interface LayoutPart extends EdgeSchedule {
  from: number;
  to: number;
  away: Uint8Array;
  seed: number;
}

/**
 * One thread of a parallel layout, deterministic for a given seed and thread count: the thread
 * keeps its own copy of every coordinate, live for its vertices and, for the others', the copy
 * every thread published after the last epoch. An epoch moves its heads and the tails it owns in
 * place; a move of another thread's vertex also goes into `deltas[own]`, which that thread adds
 * (in thread order) before publishing. So no thread reads what another is writing: the result
 * does not depend on timing, unlike lock-free SGD (umap-learn's parallel mode), at the cost of
 * seeing other threads' vertices one epoch late.
 */
export class LayoutThread {
  private readonly coords: Float32Array;
  private readonly state: Optimizer;
  private done = 0;

  constructor(
    private readonly part: LayoutPart,
    private readonly index: number,
    /** every thread's published coordinates [n * dim] (shared memory) */
    private readonly published: Float32Array,
    /** per thread, its moves of other threads' vertices [n * dim] (shared memory) */
    private readonly deltas: readonly Float32Array[],
  ) {
    this.coords = published.slice();
    const own = deltas[index];
    if (!own) throw new RangeError(`layout thread ${index} has no delta buffer`);
    this.state = { ...part, headEmb: this.coords, tailEmb: this.coords, moveOther: true, rand: prng(part.seed), delta: own };
  }

  /** Phase one of an epoch: take the others' published coordinates, then run the epoch. */
  step(): void {
    const { from, to, dim } = this.part;
    this.coords.set(this.published.subarray(0, from * dim), 0);
    this.coords.set(this.published.subarray(to * dim), to * dim);
    epoch(this.state, this.done++);
  }

  /** Phase two, after every thread's step: add the other threads' moves of this thread's vertices, clear them, publish. */
  publish(): void {
    const { from, to, dim } = this.part;
    this.deltas.forEach((d, t) => {
      if (t === this.index) return;
      for (let i = from * dim; i < to * dim; i++) {
        this.coords[i] = (this.coords[i] as number) + (d[i] as number);
        d[i] = 0;
      }
    });
    this.published.set(this.coords.subarray(from * dim, to * dim), from * dim);
  }
}

/**
 * Places new points in a fitted layout (umap-js's transform): each new point starts at the
 * membership-weighted mean of its k nearest fitted points (`g`: indices into the fitted points)
 * and is optimized against the fixed layout for 100 epochs (30 past 10,000 new points).
 */
export function placeNew(g: NeighbourGraph, fitted: Float32Array, o: UmapLayoutOptions): Float32Array {
  const { n: m, k, indices } = g;
  const dim = o.dims;
  const { sigmas } = smoothDistances(g, false);
  const w = memberships(g, sigmas, new Float64Array(m));
  const out = new Float32Array(m * dim);
  for (let i = 0; i < m; i++) {
    let total = 0;
    for (let j = 0; j < k; j++) total += w[i * k + j] as number;
    for (let j = 0; j < k; j++) {
      const c = indices[i * k + j] as number;
      const share = total > 0 ? (w[i * k + j] as number) / total : 1 / k;
      for (let d = 0; d < dim; d++) out[i * dim + d] = (out[i * dim + d] as number) + share * (fitted[c * dim + d] as number);
    }
  }
  const epochs = o.epochs !== undefined ? Math.max(1, Math.round(o.epochs / 3)) : m <= 10_000 ? 100 : 30;
  const newRows = Int32Array.from({ length: m * k }, (_, e) => Math.floor(e / k));
  // edges (fitted c, new i): the optimizer moves heads (new points, in `out`) against tails (fixed, in `fitted`)
  const s = optimizer(Int32Array.from(indices), newRows, w, out, fitted, false, withDefaults(o, epochs));
  for (let e = 0; e < epochs; e++) epoch(s, e);
  return out;
}
