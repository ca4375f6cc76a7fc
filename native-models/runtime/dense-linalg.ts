// Dense products of sampled hidden states through onnxruntime (MLAS's blocked Gemm instead of
// JavaScript loops): small graphs over one block of rows at a time, so a caller streams any
// number of rows through them and accumulates the small results. Rows come as float32 or as the
// float16 bits the sample store keeps (cast inside the graph, so they are never decoded in JS).
// Products: the shifted Gram matrix X^T X and column sums (exact PCA's covariance), X^T (X Z)
// (one step of subspace iteration on the covariance: randomized PCA), X M (projection), and the
// k nearest rows of a fixed reference set by squared distance with TopK in the graph (exact kNN).
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { attr, Graph } from '../graph/graph.js';
import { join as joinEncoded } from '../graph/protobuf.js';
import { createWithFallback, type Provider } from './providers.js';

/** Rows of width d: float32 values, or float16 bits (little-endian IEEE binary16, as db/samples.ts stores them). */
export type RowData = Float32Array | Uint16Array;

export interface LinalgOptions {
  /** intra-op threads; default: the machine's available cores */
  threads?: number;
  /** execution providers in order (CPU always last); default CPU only: these graphs are small and fed from the host */
  providers?: readonly Provider[];
}

const elemOf = (x: RowData): 'float16' | 'float32' => (x instanceof Uint16Array ? 'float16' : 'float32');

function tensorOf(x: RowData, dims: readonly number[]): ort.Tensor {
  return x instanceof Uint16Array ? new ort.Tensor('float16', x, dims) : new ort.Tensor('float32', x, dims);
}

function rowsOf(x: RowData, d: number): number {
  if (d < 1 || x.length % d !== 0) throw new RangeError(`dense-linalg: ${x.length} values are not whole rows of ${d}`);
  return x.length / d;
}

function f32Out(v: ort.OnnxValue | undefined, name: string): Float32Array {
  if (!(v instanceof ort.Tensor) || !(v.data instanceof Float32Array)) throw new Error(`dense-linalg: output ${name} is not a float32 tensor`);
  return v.data;
}

async function sessionOf(g: Graph, o: LinalgOptions): Promise<ort.InferenceSession> {
  const bytes = joinEncoded(g.encode({ mode: 'never', location: 'unused' }).model);
  const created = await createWithFallback(bytes, { providers: o.providers ?? ['cpu'], threads: o.threads ?? availableParallelism(), optimization: 'all' });
  return created.session;
}

/** x (float16 or float32 [N, d]) as float32, minus `shift` [d]: the graph's centred rows. */
function shiftedRows(g: Graph, elem: 'float16' | 'float32', d: number): string {
  const x = g.input('x', elem, ['N', d]);
  const shift = g.input('shift', 'float32', [d]);
  const xf = elem === 'float16' ? g.op('Cast', [x], { to: attr.i(1) }) : x;
  return g.op('Sub', [xf, shift]);
}

/**
 * Outputs `sums` and `squares`, the column sums of xc and of its squares [d]: per column, so each
 * float32 sum runs over one block's rows only (one sum over all values lost 1e-3 here).
 */
function sumsAndSquares(g: Graph, xc: string, d: number): void {
  g.output(g.op('ReduceSum', [xc, g.i64([0])], { keepdims: attr.i(0) }), 'sums', 'float32', [d]);
  g.output(g.op('ReduceSumSquare', [xc, g.i64([0])], { keepdims: attr.i(0) }), 'squares', 'float32', [d]);
}

/**
 * Column boundaries of the Gram matrix's panels: 4 panels from 512 columns up (below that one
 * product is cheap and slicing would cost more than it saves), each a multiple of 16 wide but
 * the last.
 */
export function panelCuts(d: number): number[] {
  const panels = d >= 512 ? 4 : 1;
  const width = Math.ceil(d / panels / 16) * 16;
  const cuts = [0];
  while ((cuts.at(-1) as number) < d) cuts.push(Math.min(d, (cuts.at(-1) as number) + width));
  return cuts;
}

/** A float32 vector's sum in float64. */
function total(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}

/**
 * Block products over rows of width d, one small session per product and input type, made on
 * first use. `shift` is subtracted from every row inside the graph: PCA passes a provisional mean
 * so that float32 sums do not cancel on large offsets (massive activations sit far from zero).
 */
export class BlockProducts {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    readonly d: number,
    private readonly options: LinalgOptions = {},
  ) {}

  private session(key: string, build: () => Graph): Promise<ort.InferenceSession> {
    let s = this.sessions.get(key);
    if (!s) {
      s = sessionOf(build(), this.options);
      this.sessions.set(key, s);
    }
    return s;
  }

  /**
   * (X - shift)^T (X - shift) [d * d], the column sums of X - shift [d] and its sum of squares. The
   * Gram matrix is symmetric, so the graph computes only the panel products on and above the
   * diagonal (columns cut into `gramPanels(d)` panels: 10 of 16 products for 4 panels, 62% of the
   * multiply-adds of the full product, as BLAS's syrk saves) and the mirror is filled in here.
   */
  async gram(x: RowData, shift: Float32Array): Promise<{ gram: Float32Array; sums: Float32Array; squares: number }> {
    const d = this.d;
    const elem = elemOf(x);
    const cuts = panelCuts(d);
    const s = await this.session(`gram ${elem}`, () => {
      const g = new Graph('gram');
      const xc = shiftedRows(g, elem, d);
      const panels = cuts.slice(1).map((end, i) => (cuts.length === 2 ? xc : g.op('Slice', [xc, g.i64([cuts[i] as number]), g.i64([end]), g.i64([1])])));
      panels.forEach((a, i) => panels.forEach((b, j) => j >= i && g.output(g.op('Gemm', [a, b], { transA: attr.i(1) }), `gram_${i}_${j}`, 'float32')));
      // the sum of squares is the Gram's trace: no pass of its own
      g.output(g.op('ReduceSum', [xc, g.i64([0])], { keepdims: attr.i(0) }), 'sums', 'float32', [d]);
      return g;
    });
    const got = await s.run({ x: tensorOf(x, [rowsOf(x, d), d]), shift: new ort.Tensor('float32', shift, [d]) });
    const gram = new Float32Array(d * d);
    let squares = 0;
    for (let i = 0; i + 1 < cuts.length; i++) {
      for (let j = i; j + 1 < cuts.length; j++) {
        const block = f32Out(got[`gram_${i}_${j}`], `gram_${i}_${j}`);
        const [r0, r1, c0, c1] = [cuts[i] as number, cuts[i + 1] as number, cuts[j] as number, cuts[j + 1] as number];
        const w = c1 - c0;
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const v = block[(r - r0) * w + (c - c0)] as number;
            gram[r * d + c] = v;
            gram[c * d + r] = v;
          }
        }
      }
    }
    for (let j = 0; j < d; j++) squares += gram[j * d + j] as number;
    return { gram, sums: f32Out(got['sums'], 'sums'), squares };
  }

  /** (X - shift)^T ((X - shift) Z) [d * l] for Z [d * l], the column sums of X - shift [d] and its sum of squares. */
  async gramTimes(x: RowData, shift: Float32Array, z: Float32Array, l: number): Promise<{ product: Float32Array; sums: Float32Array; squares: number }> {
    const d = this.d;
    if (z.length !== d * l) throw new RangeError(`dense-linalg: Z has ${z.length} values, expected ${d} x ${l}`);
    const elem = elemOf(x);
    const s = await this.session(`gramTimes ${elem}`, () => {
      const g = new Graph('gram_times');
      const xc = shiftedRows(g, elem, d);
      const zi = g.input('z', 'float32', [d, 'L']);
      const y = g.op('MatMul', [xc, zi]);
      g.output(g.op('Gemm', [xc, y], { transA: attr.i(1) }), 'product', 'float32', [d, 'L']);
      sumsAndSquares(g, xc, d);
      return g;
    });
    const got = await s.run({ x: tensorOf(x, [rowsOf(x, d), d]), shift: new ort.Tensor('float32', shift, [d]), z: new ort.Tensor('float32', z, [d, l]) });
    return { product: f32Out(got['product'], 'product'), sums: f32Out(got['sums'], 'sums'), squares: total(f32Out(got['squares'], 'squares')) };
  }

  /** (X - shift) M [N * l] for M [d * l]: coordinates in a basis. */
  async times(x: RowData, shift: Float32Array, m: Float32Array, l: number): Promise<Float32Array> {
    const d = this.d;
    if (m.length !== d * l) throw new RangeError(`dense-linalg: M has ${m.length} values, expected ${d} x ${l}`);
    const elem = elemOf(x);
    const s = await this.session(`times ${elem}`, () => {
      const g = new Graph('times');
      const xc = shiftedRows(g, elem, d);
      g.output(g.op('MatMul', [xc, g.input('m', 'float32', [d, 'L'])]), 'y', 'float32', ['N', 'L']);
      return g;
    });
    const got = await s.run({ x: tensorOf(x, [rowsOf(x, d), d]), shift: new ort.Tensor('float32', shift, [d]), m: new ort.Tensor('float32', m, [d, l]) });
    return f32Out(got['y'], 'y');
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }
}

/** References per chunk of the two-stage ranking (NearestRows). */
export const RANK_CHUNK = 64;

/**
 * The k reference rows nearest to each query row by squared Euclidean distance, ranked in the
 * graph: scores |r|^2 - 2 q.r (the query's own |q|^2 does not change its ranking) by one Gemm
 * against the references, held as an initializer. Ranking is two-stage, because one TopK over
 * every reference of every query cost more than the Gemm: the references are cut into chunks of
 * RANK_CHUNK, each chunk's smallest score is taken (ReduceMin), TopK picks the k chunks with the
 * smallest minima, and a second TopK ranks the scores of those k chunks only. That is exact: a
 * score in any other chunk is at least its chunk's minimum, which is at least each of the k
 * chosen minima, so at least k scores rank before it. Scores are float32: the caller re-ranks the
 * candidates in float64 (knn.ts asks for a few more than it keeps).
 */
export class NearestRows {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly n: number,
    readonly d: number,
    readonly k: number,
    private readonly elem: 'float16' | 'float32',
  ) {}

  /** `shift` [d] (e.g. the rows' mean) is subtracted from queries and references: distances stay, float32 cancellation shrinks. */
  static async create(refs: RowData, d: number, k: number, o: LinalgOptions & { shift?: Float32Array } = {}): Promise<NearestRows> {
    const n = rowsOf(refs, d);
    if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`nearest rows: k must be an integer in 1..${n} (the reference rows), got ${k}`);
    const elem = elemOf(refs);
    const chunks = Math.ceil(n / RANK_CHUNK);
    const g = new Graph('nearest_rows');
    const shift = o.shift ? g.initF32('shift', o.shift, [d]) : null;
    const centred = (v: string) => (shift ? g.op('Sub', [v, shift]) : v);
    const q = g.input('q', elem, ['Q', d]);
    const qf = centred(elem === 'float16' ? g.op('Cast', [q], { to: attr.i(1) }) : q);
    const r = elem === 'float16' ? g.init16('refs', 'float16', [n, d], { byteLength: refs.byteLength, read: () => new Uint8Array(refs.buffer, refs.byteOffset, refs.byteLength) }) : g.initF32('refs', refs as Float32Array, [n, d]);
    const rf = centred(elem === 'float16' ? g.op('Cast', [r], { to: attr.i(1) }) : r);
    const norms = g.op('ReduceSumSquare', [rf, g.i64([1])], { keepdims: attr.i(0) });
    // the last chunk is filled up with zero rows whose score (3e38) no reference can have, so they never rank before a real one
    const pad = chunks * RANK_CHUNK - n;
    const rows = pad === 0 ? rf : g.op('Concat', [rf, g.initF32('padding_rows', new Float32Array(pad * d), [pad, d])], { axis: attr.i(0) });
    const bias = pad === 0 ? norms : g.op('Concat', [norms, g.initF32('padding_scores', new Float32Array(pad).fill(3e38), [pad])], { axis: attr.i(0) });
    const scores = g.op('Gemm', [qf, rows, bias], { transB: attr.i(1), alpha: attr.f(-2) });
    const byChunk = g.op('Reshape', [scores, g.i64([0, chunks, RANK_CHUNK])]);
    const kc = Math.min(k, chunks);
    const [, best] = g.opN('TopK', [g.op('ReduceMin', [byChunk, g.i64([2])], { keepdims: attr.i(0) }), g.i64([kc])], 2, { axis: attr.i(-1), largest: attr.i(0), sorted: attr.i(0) });
    const picked = g.op('GatherElements', [byChunk, g.op('Expand', [g.op('Unsqueeze', [best as string, g.i64([2])]), g.i64([1, 1, RANK_CHUNK])])], { axis: attr.i(1) });
    const [, within] = g.opN('TopK', [g.op('Reshape', [picked, g.i64([0, kc * RANK_CHUNK])]), g.i64([k])], 2, { axis: attr.i(-1), largest: attr.i(0), sorted: attr.i(1) });
    g.output(best as string, 'chunks', 'int64', ['Q', kc]);
    g.output(within as string, 'within', 'int64', ['Q', k]);
    return new NearestRows(await sessionOf(g, o), n, d, k, elem);
  }

  /** Candidates for each query row, nearest first: reference indices [Q * k]. */
  async query(q: RowData): Promise<Int32Array> {
    if (elemOf(q) !== this.elem) throw new TypeError(`nearest rows: queries are ${elemOf(q)}, the references ${this.elem}`);
    const rows = rowsOf(q, this.d);
    const got = await this.session.run({ q: tensorOf(q, [rows, this.d]) }, ['chunks', 'within']);
    const chunks = got['chunks'];
    const within = got['within'];
    if (!(chunks instanceof ort.Tensor) || !(chunks.data instanceof BigInt64Array) || !(within instanceof ort.Tensor) || !(within.data instanceof BigInt64Array)) throw new Error('nearest rows: indices are not int64');
    const kc = chunks.data.length / rows;
    const out = new Int32Array(rows * this.k);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < this.k; j++) {
        const at = Number(within.data[i * this.k + j]);
        out[i * this.k + j] = Number(chunks.data[i * kc + Math.floor(at / RANK_CHUNK)]) * RANK_CHUNK + (at % RANK_CHUNK);
      }
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
