// Exact k nearest neighbours of every row among all rows: onnxruntime ranks each block of queries
// against all rows by float32 scores (runtime/dense-linalg.ts: one Gemm and TopK in the graph),
// asking for a few more candidates than kept; the candidates are then re-ranked by their float64
// distances here, so float32 rounding cannot reorder the neighbours that are kept.
import { fromHalf } from '../../../common/half.js';
import { NearestRows, type LinalgOptions, type RowData } from '../../../native-models/runtime/dense-linalg.js';

export interface Knn {
  n: number;
  k: number;
  /** [n * k]: row i's k nearest other rows, nearest first */
  indices: Int32Array;
  /** [n * k]: their Euclidean distances */
  distances: Float64Array;
}

let halfTable: Float32Array | null = null;
function halves(): Float32Array {
  halfTable ??= Float32Array.from({ length: 65536 }, (_, h) => fromHalf(h));
  return halfTable;
}

/** Queries per graph run: the [queries x n] score matrix stays near 16 M floats (64 MB). */
function queryBlock(n: number): number {
  return Math.max(16, Math.min(2048, Math.floor(16_000_000 / n)));
}

function columnMean(x: RowData, n: number, d: number): Float32Array {
  const table = x instanceof Uint16Array ? halves() : null;
  const s = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j] as number;
      s[j] = (s[j] as number) + (table ? (table[v] as number) : v);
    }
  }
  return Float32Array.from(s, (v) => v / n);
}

/**
 * The k nearest other rows of each of the n rows of x (float32, or float16 bits as the sample
 * store keeps them). Duplicates of a row are other rows at distance 0.
 */
export async function exactKnn(x: RowData, n: number, d: number, k: number, o: LinalgOptions & { progress?(fraction: number): void } = {}): Promise<Knn> {
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`kNN: k must be an integer in 1..${n - 1} (the other rows), got ${k}`);
  return ranked(x, n, d, null, n, k, o);
}

/** The k rows of x nearest to each of the m rows of `queries` (other rows than x's: nothing is excluded). */
export async function nearestAmong(x: RowData, n: number, d: number, queries: RowData, m: number, k: number, o: LinalgOptions & { progress?(fraction: number): void } = {}): Promise<Knn> {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kNN: k must be an integer in 1..${n} (the reference rows), got ${k}`);
  if (queries.length !== m * d) throw new RangeError(`kNN: expected ${m} x ${d} = ${m * d} query values, got ${queries.length}`);
  return ranked(x, n, d, queries, m, k, o);
}

async function ranked(x: RowData, n: number, d: number, queries: RowData | null, m: number, k: number, o: LinalgOptions & { progress?(fraction: number): void }): Promise<Knn> {
  if (x.length !== n * d) throw new RangeError(`kNN: expected ${n} x ${d} = ${n * d} values, got ${x.length}`);
  const self = queries === null;
  const qs = queries ?? x;
  if ((qs instanceof Uint16Array) !== (x instanceof Uint16Array)) throw new TypeError('kNN: queries and rows must both be float16 bits or both float32');
  // k neighbours, the row itself when it is among the rows, and spares for the float64 re-ranking
  const kk = Math.min(n, k + (self ? 1 : 0) + Math.max(4, Math.ceil(k / 2)));
  const table = x instanceof Uint16Array ? halves() : null;
  const value = (v: RowData, i: number) => (table ? (table[v[i] as number] as number) : (v[i] as number));
  const index = await NearestRows.create(x, d, kk, { ...o, shift: columnMean(x, n, d) });
  const indices = new Int32Array(m * k);
  const distances = new Float64Array(m * k);
  const q = queryBlock(n);
  const cand = new Float64Array(kk);
  const order = new Int32Array(kk);
  try {
    for (let start = 0; start < m; start += q) {
      const end = Math.min(m, start + q);
      const got = await index.query(qs.subarray(start * d, end * d));
      for (let i = start; i < end; i++) {
        const row = got.subarray((i - start) * kk, (i - start + 1) * kk);
        let c = 0;
        for (const r of row) {
          if (self && r === i) continue;
          let s = 0;
          for (let j = 0; j < d; j++) {
            const v = value(qs, i * d + j) - value(x, r * d + j);
            s += v * v;
          }
          order[c] = r;
          cand[c++] = s;
        }
        // insertion sort of the candidates by float64 distance, ties by index
        for (let a = 1; a < c; a++) {
          const dv = cand[a] as number;
          const iv = order[a] as number;
          let b = a - 1;
          while (b >= 0 && ((cand[b] as number) > dv || ((cand[b] as number) === dv && (order[b] as number) > iv))) {
            cand[b + 1] = cand[b] as number;
            order[b + 1] = order[b] as number;
            b--;
          }
          cand[b + 1] = dv;
          order[b + 1] = iv;
        }
        for (let r = 0; r < k; r++) {
          indices[i * k + r] = order[r] as number;
          distances[i * k + r] = Math.sqrt(cand[r] as number);
        }
      }
      o.progress?.(end / m);
    }
  } finally {
    await index.release();
  }
  return { n: m, k, indices, distances };
}
