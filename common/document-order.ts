// The order in which a job reads a corpus's documents, and the train/validation split by seed.
// A budget (--max-tokens, --documents) takes documents from the front of this order, so corpus
// order would read only the corpus's first genre (Brown's first 100,000 tokens are all news):
// shuffled (seeded) is the default; stratified deals the documents round-robin over the values of a
// metadata field, so every value is represented as early as possible.
import { prng } from './prng.js';

export const DOCUMENT_ORDERS = ['shuffled', 'stratified', 'corpus'] as const;
export type DocumentOrder = (typeof DOCUMENT_ORDERS)[number];

/** A split of a corpus by seed: a document is in "validation" when its name hashes below `fraction`. */
export interface SplitSpec {
  part: 'train' | 'validation';
  /** share of the documents in the validation part, in (0, 1) */
  fraction: number;
  seed: number;
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of a string. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Whether the document `name` belongs to the split's part. Decided per document from its name
 * alone (not its position), so the split does not change when documents are added or filtered.
 */
export function inSplit(name: string, split: SplitSpec): boolean {
  const validation = prng(hash32(`${split.seed}:${name}`))() < split.fraction;
  return split.part === 'validation' ? validation : !validation;
}

/** A seeded Fisher-Yates shuffle (a new array; the same seed gives the same order). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rand = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The items in stratified order: grouped by `stratum` (groups in sorted order, each shuffled by
 * seed), then dealt round-robin, one of each group in turn until every group is used up.
 */
export function stratified<T>(items: readonly T[], stratum: (item: T) => string, seed: number): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = stratum(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const decks = [...groups.keys()].sort().map((key) => shuffled(groups.get(key) as T[], (seed ^ hash32(key)) >>> 0));
  const out: T[] = [];
  for (let round = 0; out.length < items.length; round++) {
    for (const deck of decks) if (round < deck.length) out.push(deck[round] as T);
  }
  return out;
}

/** The items (given in corpus order) in the requested order. */
export function orderDocuments<T>(items: readonly T[], order: DocumentOrder, seed: number, stratum: (item: T) => string): T[] {
  if (order === 'corpus') return items.slice();
  if (order === 'stratified') return stratified(items, stratum, seed);
  return shuffled(items, seed);
}

/**
 * A filter as stored before document orders existed (no `order`) was read in corpus order: say so
 * explicitly before parsing it again, where the schema's default (shuffled) would change its documents.
 */
export function withStoredOrder(filter: unknown): unknown {
  if (filter === null || typeof filter !== 'object' || 'order' in filter) return filter;
  return { ...filter, order: 'corpus' };
}
