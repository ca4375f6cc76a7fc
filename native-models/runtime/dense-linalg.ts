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

  /** (X - shift)^T (X - shift) [d * d], the column sums of X - shift [d] and its sum of squares. */
  async gram(x: RowData, shift: Float32Array): Promise<{ gram: Float32Array; sums: Float32Array; squares: number }> {
    const d = this.d;
    const elem = elemOf(x);
    const s = await this.session(`gram ${elem}`, () => {
      const g = new Graph('gram');
      const xc = shiftedRows(g, elem, d);
      g.output(g.op('Gemm', [xc, xc], { transA: attr.i(1) }), 'gram', 'float32', [d, d]);
      sumsAndSquares(g, xc, d);
      return g;
    });
    const got = await s.run({ x: tensorOf(x, [rowsOf(x, d), d]), shift: new ort.Tensor('float32', shift, [d]) });
    return { gram: f32Out(got['gram'], 'gram'), sums: f32Out(got['sums'], 'sums'), squares: total(f32Out(got['squares'], 'squares')) };
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

/**
 * The k reference rows nearest to each query row by squared Euclidean distance, ranked in the
 * graph: scores |r|^2 - 2 q.r (the query's own |q|^2 does not change its ranking) by one Gemm
 * against the references, held as an initializer, then TopK(smallest). Scores are float32: the
 * caller re-ranks the candidates in float64 (knn.ts asks for a few more than it keeps).
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
    const g = new Graph('nearest_rows');
    const shift = o.shift ? g.initF32('shift', o.shift, [d]) : null;
    const centred = (v: string) => (shift ? g.op('Sub', [v, shift]) : v);
    const q = g.input('q', elem, ['Q', d]);
    const qf = centred(elem === 'float16' ? g.op('Cast', [q], { to: attr.i(1) }) : q);
    const r = elem === 'float16' ? g.init16('refs', 'float16', [n, d], { byteLength: refs.byteLength, read: () => new Uint8Array(refs.buffer, refs.byteOffset, refs.byteLength) }) : g.initF32('refs', refs as Float32Array, [n, d]);
    const rf = centred(elem === 'float16' ? g.op('Cast', [r], { to: attr.i(1) }) : r);
    const norms = g.op('ReduceSumSquare', [rf, g.i64([1])], { keepdims: attr.i(0) });
    const scores = g.op('Gemm', [qf, rf, norms], { transB: attr.i(1), alpha: attr.f(-2) });
    const [values, indices] = g.opN('TopK', [scores, g.i64([k])], 2, { axis: attr.i(-1), largest: attr.i(0), sorted: attr.i(1) });
    g.output(values as string, 'scores', 'float32', ['Q', k]);
    g.output(indices as string, 'indices', 'int64', ['Q', k]);
    return new NearestRows(await sessionOf(g, o), n, d, k, elem);
  }

  /** Candidates for each query row, nearest first: reference indices [Q * k]. */
  async query(q: RowData): Promise<Int32Array> {
    if (elemOf(q) !== this.elem) throw new TypeError(`nearest rows: queries are ${elemOf(q)}, the references ${this.elem}`);
    const rows = rowsOf(q, this.d);
    const got = await this.session.run({ q: tensorOf(q, [rows, this.d]) }, ['indices']);
    const v = got['indices'];
    if (!(v instanceof ort.Tensor) || !(v.data instanceof BigInt64Array)) throw new Error('nearest rows: indices are not int64');
    return Int32Array.from(v.data, (b) => Number(b));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
