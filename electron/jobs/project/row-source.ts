// Rows for the streamed maths (PCA, projection, kNN), in blocks: from the sample store (float16
// bits straight out of SQLite, never decoded in JS, never all in one array; read ahead by a worker
// thread when the caller names the reader's bundle) or from an array already in memory (ablated
// states, tests).
import type { Db } from '../../../db/database.js';
import { canReadAhead, readAhead } from '../../../db/sample-reader.js';
import { sampleSliceBlocks } from '../../../db/samples.js';
import { fromHalf } from '../../../common/half.js';
import type { RowData } from '../../../native-models/runtime/dense-linalg.js';

export interface RowBlock {
  /** [rows * d] */
  data: RowData;
  /** each row's index among the source's n rows; absent: the rows follow the previous block's */
  positions?: Int32Array;
}

export interface RowSource {
  n: number;
  d: number;
  /** a fresh pass over all n rows (each call starts again) */
  blocks(): Iterable<RowBlock> | AsyncIterable<RowBlock>;
}

/** Rows per block: about 8 M values (32 MB as float32 inside the graph), at most 8,192 rows. */
export function blockRowsFor(d: number): number {
  return Math.max(64, Math.min(8192, Math.floor(8_000_000 / d)));
}

export function arraySource(x: RowData, n: number, d: number, blockRows = blockRowsFor(d)): RowSource {
  if (x.length !== n * d) throw new RangeError(`expected ${n} x ${d} = ${n * d} values, got ${x.length}`);
  return {
    n,
    d,
    *blocks() {
      for (let i = 0; i < n; i += blockRows) yield { data: x.subarray(i * d, Math.min(n, i + blockRows) * d) };
    },
  };
}

/**
 * One layer's slice (`start`, `width` values) of the listed samples, read from SQLite block by
 * block: by a worker thread a few blocks ahead of the caller when `reader` is the path of the
 * reader's bundle (dist/electron/sample-reader.js) and the database is a file, else in the
 * caller's thread.
 */
export function sampleSource(db: Db, datasetId: number, column: 'residual' | 'ffn', start: number, width: number, ids: readonly number[], o: { blockRows?: number; reader?: string } = {}): RowSource {
  const blockRows = o.blockRows ?? blockRowsFor(width);
  const reader = o.reader;
  return {
    n: ids.length,
    d: width,
    blocks: canReadAhead(reader, db.name)
      ? async function* () {
          for await (const b of readAhead(reader, { file: db.name, datasetId, column, start, width, ids: Float64Array.from(ids), blockRows })) yield { data: b.half, positions: b.positions };
        }
      : function* () {
          for (const b of sampleSliceBlocks(db, datasetId, column, start, width, ids, blockRows)) yield { data: b.half, positions: b.positions };
        },
  };
}

/** All rows of a source in one array, as float16 bits when it gives float16 (kNN needs every row as its reference set). */
export async function gatherRows(src: RowSource): Promise<RowData> {
  let out: RowData | null = null;
  let next = 0;
  for await (const b of src.blocks()) {
    out ??= b.data instanceof Uint16Array ? new Uint16Array(src.n * src.d) : new Float32Array(src.n * src.d);
    const rows = b.data.length / src.d;
    for (let r = 0; r < rows; r++) {
      const at = b.positions ? (b.positions[r] as number) : next + r;
      out.set(b.data.subarray(r * src.d, (r + 1) * src.d), at * src.d);
    }
    next += rows;
  }
  return out ?? new Float32Array(0);
}

/** Float16 bits decoded to float32 (float32 passes through). */
export function asFloat32(x: RowData): Float32Array {
  return x instanceof Uint16Array ? Float32Array.from(x, fromHalf) : x;
}

/** Several sources of one width one after the other (one PCA basis fitted on all layers). */
export function concatSources(sources: readonly RowSource[]): RowSource {
  const d = sources[0]?.d ?? 0;
  if (sources.some((s) => s.d !== d)) throw new RangeError(`concatSources: rows of different widths (${sources.map((s) => s.d).join(', ')})`);
  return {
    n: sources.reduce((a, s) => a + s.n, 0),
    d,
    async *blocks() {
      let base = 0;
      for (const s of sources) {
        let next = 0;
        for await (const b of s.blocks()) {
          const rows = b.data.length / d;
          yield { data: b.data, positions: Int32Array.from({ length: rows }, (_, r) => base + (b.positions ? (b.positions[r] as number) : next + r)) };
          next += rows;
        }
        base += s.n;
      }
    },
  };
}
