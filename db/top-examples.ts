// A capture's top examples as stored since migration 16: one top_examples row per neuron whose
// `examples` blob holds its list best first, TOP_ENTRY_BYTES per entry, little-endian:
//   value float32       the activation as the graph computes it (electron/analysis/top-k.ts keeps float32)
//   document_id uint32  documents.id (top-k.ts keeps uint32 and refuses a larger id)
//   position uint32     the token's offset within its document (uint32 in top-k.ts too)
// A commit rewrites one row per neuron (GPT-2 small: 36,864) instead of one per example (590k).
import type { TopExample } from './datasets.js';
import type { TopK } from '../common/top-k-lists.js';

export const TOP_ENTRY_BYTES = 12;

/** Writes entry `entry` of a blob viewed by `view`. */
export function writeTopEntry(view: DataView, entry: number, value: number, documentId: number, position: number): void {
  const at = entry * TOP_ENTRY_BYTES;
  view.setFloat32(at, value, true);
  view.setUint32(at + 4, documentId, true);
  view.setUint32(at + 8, position, true);
}

/**
 * The rows of every neuron that has entries, [layer, neuron, examples], in (layer, neuron) order.
 * The blobs are views of one buffer: one allocation for all neurons, copied by SQLite when bound.
 */
export function packTopK(top: TopK): Array<[number, number, Buffer]> {
  const { neurons, k, size } = top;
  const total = size.reduce((n, s) => n + s, 0);
  const buffer = new ArrayBuffer(total * TOP_ENTRY_BYTES);
  const view = new DataView(buffer);
  const rows: Array<[number, number, Buffer]> = [];
  let entry = 0;
  for (let i = 0; i < size.length; i++) {
    const n = size[i]!;
    if (n === 0) continue;
    const first = entry;
    for (let j = i * k; j < i * k + n; j++) writeTopEntry(view, entry++, top.values[j]!, top.docs[j]!, top.positions[j]!);
    rows.push([Math.floor(i / neurons), i % neurons, Buffer.from(buffer, first * TOP_ENTRY_BYTES, n * TOP_ENTRY_BYTES)]);
  }
  return rows;
}

/** Appends a neuron's stored entries to `out` as TopExample rows (rank = place in the list). */
export function unpackTopExamples(datasetId: number, layer: number, neuron: number, blob: Buffer, out: TopExample[]): void {
  if (blob.length % TOP_ENTRY_BYTES !== 0) {
    throw new Error(`capture ${datasetId}: the top examples of layer ${layer} neuron ${neuron} are ${blob.length} bytes, not whole ${TOP_ENTRY_BYTES}-byte entries; the database is damaged (capture again)`);
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let rank = 0; rank < blob.length / TOP_ENTRY_BYTES; rank++) {
    const at = rank * TOP_ENTRY_BYTES;
    out.push({ layer, neuron, rank, value: view.getFloat32(at, true), documentId: view.getUint32(at + 4, true), position: view.getUint32(at + 8, true) });
  }
}
