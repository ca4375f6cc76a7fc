// Sampled hidden states of a capture (the manifold view's points): one row per sampled token with
// its document, position, token, metadata (the document's, plus `pos` when known) and loss, and two
// blobs of little-endian IEEE float16: the residual stream after each block, [L, D] row-major, and
// the FFN activations after the nonlinearity, [L, F]. A sample of a GPT-2 small costs
// 2 * 12 * (768 + 3072) = 92,160 bytes of blobs.
import { fromHalf, halfOfFloatBits, toHalf } from '../common/half.js';
import type { Db } from './database.js';

export interface NewSample {
  documentId: number;
  /** token position in the document's token sequence */
  position: number;
  tokenId: number;
  token: string;
  metadata: Record<string, unknown>;
  /** -log p(next token | tokens up to this one), nats; null at the document's last token */
  loss: number | null;
  /** [L * D], layer-major */
  residual: Float32Array;
  /** [L * F], layer-major */
  ffn: Float32Array;
  /** mixture of experts: the routed experts, [L * topK] layer-major, by descending weight; absent for dense models */
  experts?: Uint16Array | null;
}

export interface Sample {
  id: number;
  documentId: number;
  position: number;
  tokenId: number;
  token: string;
  metadata: Record<string, unknown>;
  loss: number | null;
  /** one array of D per layer */
  residual: Float32Array[];
  /** one array of F per layer */
  ffn: Float32Array[];
  /** mixture of experts: the routed experts [L * topK] by descending weight; null for dense models and older captures */
  experts: Uint16Array | null;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Little-endian float16 bytes of `values`. A capture encodes every sample's hidden states (GPT-2
 * small: 46k values a sample, thousands of samples), so float32 input is converted through bit views
 * rather than value by value (1.5 s -> 0.7 s for 2,900 GPT-2-small samples, measured).
 */
export function encodeHalf(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 2);
  if (LITTLE_ENDIAN && values instanceof Float32Array) {
    const bits = new Int32Array(values.buffer, values.byteOffset, values.length); // int32: small integers to the JIT, where uint32 would be doubles
    // Buffer.alloc does not use the shared pool: the buffer starts its own ArrayBuffer, so 2-byte aligned
    const halves = new Uint16Array(out.buffer, out.byteOffset, values.length);
    for (let i = 0; i < bits.length; i++) halves[i] = halfOfFloatBits(bits[i] as number);
    return out;
  }
  for (let i = 0; i < values.length; i++) {
    const h = toHalf(values[i] as number);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

export function decodeHalf(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = fromHalf((bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8));
  return out;
}

/** Little-endian uint16 bytes of the routed experts. */
export function encodeExperts(experts: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(2 * experts.length);
  for (let i = 0; i < experts.length; i++) out.writeUInt16LE(experts[i] as number, 2 * i);
  return out;
}

export function decodeExperts(bytes: Uint8Array): Uint16Array {
  const out = new Uint16Array(bytes.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
  return out;
}

/** Appends samples (call inside the checkpoint's transaction so they commit with it). */
export function insertSamples(db: Db, datasetId: number, samples: readonly NewSample[]): void {
  if (samples.length === 0) return;
  const insert = db.prepare('INSERT INTO samples (dataset_id, document_id, position, token_id, token, metadata, loss, residual, ffn, experts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const s of samples) {
      insert.run(datasetId, s.documentId, s.position, s.tokenId, s.token, JSON.stringify(s.metadata), s.loss, encodeHalf(s.residual), encodeHalf(s.ffn), s.experts ? encodeExperts(s.experts) : null);
    }
  })();
}

export function countSamples(db: Db, datasetId: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM samples WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
}

function perLayer(blob: Uint8Array | null, layers: number): Float32Array[] {
  if (!blob || blob.length === 0) return [];
  const all = decodeHalf(blob);
  if (all.length % layers !== 0) throw new Error(`samples: a blob of ${all.length} values does not split into ${layers} layers`);
  const width = all.length / layers;
  return Array.from({ length: layers }, (_, l) => all.subarray(l * width, (l + 1) * width));
}

/**
 * The dataset's samples in insertion order (window order of the capture), blobs decoded to one
 * Float32Array per layer. `layers` is the model's block count (the blobs do not carry it).
 */
export function readSamples(db: Db, datasetId: number, layers: number, opts: { limit?: number; offset?: number; blobs?: boolean } = {}): Sample[] {
  const cols = opts.blobs === false ? 'NULL AS residual, NULL AS ffn' : 'residual, ffn';
  const rows = db
    .prepare(`SELECT id, document_id, position, token_id, token, metadata, loss, ${cols}, experts FROM samples WHERE dataset_id = ? ORDER BY id LIMIT ? OFFSET ?`)
    .all(datasetId, opts.limit ?? -1, opts.offset ?? 0) as Array<{
    id: number;
    document_id: number;
    position: number;
    token_id: number;
    token: string | null;
    metadata: string;
    loss: number | null;
    residual: Buffer | null;
    ffn: Buffer | null;
    experts: Buffer | null;
  }>;
  return rows.map((r) => ({
    id: r.id,
    documentId: r.document_id,
    position: r.position,
    tokenId: r.token_id,
    token: r.token ?? '',
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    loss: r.loss,
    residual: perLayer(r.residual, layers),
    ffn: perLayer(r.ffn, layers),
    experts: r.experts ? decodeExperts(r.experts) : null,
  }));
}

/** Metadata and word annotations of documents, by id (capture attaches them to samples). */
export function documentDetails(db: Db, ids: readonly number[]): Map<number, { metadata: Record<string, unknown>; annotations: unknown }> {
  const get = db.prepare('SELECT metadata, annotations FROM documents WHERE id = ?');
  const out = new Map<number, { metadata: Record<string, unknown>; annotations: unknown }>();
  for (const id of ids) {
    const r = get.get(id) as { metadata: string; annotations: string | null } | undefined;
    if (r) out.set(id, { metadata: JSON.parse(r.metadata) as Record<string, unknown>, annotations: r.annotations === null ? null : (JSON.parse(r.annotations) as unknown) });
  }
  return out;
}

/**
 * One neuron's activation in every sample of a dataset: the float16 at (layer * neurons + neuron)
 * of each FFN blob, read with substr so whole blobs never leave SQLite.
 */
export function neuronSampleValues(db: Db, datasetId: number, layer: number, neurons: number, neuron: number): Float32Array {
  const offset = 2 * (layer * neurons + neuron) + 1; // substr is 1-based
  const rows = db.prepare('SELECT substr(ffn, ?, 2) AS h FROM samples WHERE dataset_id = ? AND ffn IS NOT NULL').all(offset, datasetId) as Array<{ h: Buffer }>;
  const out = new Float32Array(rows.length);
  rows.forEach((r, i) => (out[i] = fromHalf(r.h.readUInt16LE(0))));
  return out;
}

/** The ids of a dataset's samples, in insertion order (the order of readSamples). */
export function sampleIds(db: Db, datasetId: number): number[] {
  return (db.prepare('SELECT id FROM samples WHERE dataset_id = ? ORDER BY id').all(datasetId) as Array<{ id: number }>).map((r) => r.id);
}

/**
 * `count` values of each listed sample's `column` blob from value index `start` (one layer's slice:
 * start = layer * width), as float32 [ids.length * count] in the order of `ids`. Read with substr,
 * so only that slice of each blob leaves SQLite.
 */
export function sampleSlices(db: Db, datasetId: number, column: 'residual' | 'ffn', start: number, count: number, ids: readonly number[]): Float32Array {
  const index = new Map(ids.map((id, i) => [id, i]));
  const out = new Float32Array(ids.length * count);
  // raw rows ([id, bytes]): no object per row, which a million rows notice
  const rows = db.prepare(`SELECT id, substr(${column === 'ffn' ? 'ffn' : 'residual'}, ?, ?) FROM samples WHERE dataset_id = ? ORDER BY id`).raw(true).iterate(2 * start + 1, 2 * count, datasetId) as Iterable<[number, Buffer | null]>;
  let found = 0;
  for (const [id, h] of rows) {
    const i = index.get(id);
    if (i === undefined) continue;
    if (!h || h.length !== 2 * count) throw new Error(`samples: sample ${id} has no ${column} values at ${start}..${start + count - 1}`);
    out.set(decodeHalf(h), i * count);
    found++;
  }
  if (found !== index.size) throw new RangeError(`${index.size - found} of the ${index.size} sample ids are not samples of dataset ${datasetId}`);
  return out;
}

/** One block of sampleSliceBlocks: `rows` slices of `count` float16 values, still as their bits. */
export interface HalfBlock {
  rows: number;
  /** [rows * count] IEEE binary16 bits, row-major */
  half: Uint16Array;
  /** each row's index in the `ids` asked for */
  positions: Int32Array;
}

/**
 * sampleSlices in blocks of `blockRows` rows, left as float16 bits (the caller's graph casts
 * them): the slices of a million samples stream through without ever being one array. Rows come
 * in id order; `positions` says where each sits in `ids`.
 */
export function* sampleSliceBlocks(db: Db, datasetId: number, column: 'residual' | 'ffn', start: number, count: number, ids: readonly number[], blockRows: number): Generator<HalfBlock> {
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new RangeError(`samples: blockRows must be a positive integer, got ${blockRows}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  // raw rows ([id, bytes]): no object per row, which a million rows notice
  const rows = db.prepare(`SELECT id, substr(${column === 'ffn' ? 'ffn' : 'residual'}, ?, ?) FROM samples WHERE dataset_id = ? ORDER BY id`).raw(true).iterate(2 * start + 1, 2 * count, datasetId) as Iterable<[number, Buffer | null]>;
  let half = new Uint16Array(blockRows * count);
  let bytes = new Uint8Array(half.buffer);
  let positions = new Int32Array(blockRows);
  let filled = 0;
  let found = 0;
  for (const [id, h] of rows) {
    const i = index.get(id);
    if (i === undefined) continue;
    if (!h || h.length !== 2 * count) throw new Error(`samples: sample ${id} has no ${column} values at ${start}..${start + count - 1}`);
    bytes.set(h, filled * 2 * count);
    positions[filled++] = i;
    found++;
    if (filled === blockRows) {
      yield { rows: filled, half, positions };
      // fresh arrays: the consumer may keep the block it was given
      half = new Uint16Array(blockRows * count);
      bytes = new Uint8Array(half.buffer);
      positions = new Int32Array(blockRows);
      filled = 0;
    }
  }
  if (filled > 0) yield { rows: filled, half: half.subarray(0, filled * count), positions: positions.subarray(0, filled) };
  if (found !== index.size) throw new RangeError(`${index.size - found} of the ${index.size} sample ids are not samples of dataset ${datasetId}`);
}

/** A dataset's sampled FFN activations as analysis input: token ids, window positions, values per layer. */
export interface SampledFfn {
  tokenIds: Int32Array;
  /** token id -> the text stored with the samples */
  tokenText: Map<number, string>;
  /** the position in the window the graph saw; null when any sample lacks it (captures made before it was recorded) */
  windowPositions: Int32Array | null;
  /** per layer [S * F] */
  values: Float32Array[];
}

export function readSampledFfn(db: Db, datasetId: number, layers: number, neurons: number): SampledFfn {
  const rows = db.prepare('SELECT token_id, token, metadata, ffn FROM samples WHERE dataset_id = ? AND ffn IS NOT NULL ORDER BY id').iterate(datasetId) as Iterable<{ token_id: number; token: string | null; metadata: string; ffn: Buffer }>;
  const ids: number[] = [];
  const positions: number[] = [];
  let allPositioned = true;
  const tokenText = new Map<number, string>();
  const chunks: Float32Array[] = [];
  for (const r of rows) {
    ids.push(r.token_id);
    if (!tokenText.has(r.token_id)) tokenText.set(r.token_id, r.token ?? '');
    const p = (JSON.parse(r.metadata) as { window_position?: unknown }).window_position;
    if (typeof p === 'number') positions.push(p);
    else allPositioned = false;
    const all = decodeHalf(r.ffn);
    if (all.length !== layers * neurons) throw new Error(`samples: a sample of dataset ${datasetId} has ${all.length} FFN values, expected ${layers} x ${neurons}`);
    chunks.push(all);
  }
  const S = ids.length;
  const values = Array.from({ length: layers }, (_, l) => {
    const out = new Float32Array(S * neurons);
    chunks.forEach((all, s) => out.set(all.subarray(l * neurons, (l + 1) * neurons), s * neurons));
    return out;
  });
  return { tokenIds: Int32Array.from(ids), tokenText, windowPositions: allPositioned && S > 0 ? Int32Array.from(positions) : null, values };
}
