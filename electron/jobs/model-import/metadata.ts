// A checkpoint's metadata summarized for display and storage: every key with its type and its
// value as text. Long arrays (GGUF's tokenizer.ggml.tokens: 32,000 strings) are kept as their
// length and first few elements; 64-bit integers beyond 2^53 (bigint) are written in full.
import type { MetadataRow } from '../../../db/metadata.js';
import type { CheckpointReader } from '../../../native-models/formats/checkpoint.js';
import { readGgufHeader } from '../../../native-models/formats/gguf.js';

/** Array elements shown before "…". */
export const ARRAY_PREVIEW = 5;
/** Longest string value kept, in characters. */
export const MAX_TEXT = 300;

const clip = (s: string, max = MAX_TEXT) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const count = (n: number) => n.toLocaleString('en-US');

/** The shortest decimal that reads back as the same float32 (GGUF FLOAT32 values are float32). */
function float32Text(v: number): string {
  if (!Number.isFinite(v) || Math.fround(v) !== v) return String(v);
  for (let p = 1; p < 17; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === v) return String(t);
  }
  return String(v);
}

function scalarText(v: unknown, float32 = false): string {
  if (typeof v === 'number' && float32) return float32Text(v);
  if (typeof v === 'string') return JSON.stringify(clip(v, 80));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return clip(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v), 80);
}

/** "strings" for GGUF's ARRAY[STRING], "float32" for ARRAY[FLOAT32]; for JSON arrays, what they hold. */
function elementNoun(type: string, arr: readonly unknown[]): string {
  const m = /^ARRAY\[(.+)\]$/.exec(type);
  if (m) return m[1] === 'STRING' ? 'strings' : m[1]!.toLowerCase();
  const kinds = new Set(arr.map((x) => (Array.isArray(x) ? 'array' : typeof x)));
  const nouns: Record<string, string> = { string: 'strings', number: 'numbers', boolean: 'booleans', bigint: 'integers', array: 'arrays', object: 'objects' };
  if (kinds.size === 1) return nouns[[...kinds][0]!] ?? 'values';
  return 'values';
}

/** One value as text: scalars as they are (strings quoted), arrays as "array of N <type>: a, b, …". */
export function metadataText(value: unknown, type: string): { value: string; length: number | null } {
  if (Array.isArray(value)) {
    const head = value.slice(0, ARRAY_PREVIEW).map((x) => scalarText(x, type === 'ARRAY[FLOAT32]')).join(', ');
    const more = value.length > ARRAY_PREVIEW ? ', …' : '';
    return { value: `array of ${count(value.length)} ${elementNoun(type, value)}${value.length ? `: ${head}${more}` : ''}`, length: value.length };
  }
  if (typeof value === 'string') return { value: clip(value), length: null };
  return { value: scalarText(value, type === 'FLOAT32'), length: null };
}

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Key/value rows in the checkpoint's order: GGUF metadata with GGUF types, config.json / llama2.c header keys with JSON types. */
export function metadataRows(config: Record<string, unknown> | null, types: Record<string, string> = {}): MetadataRow[] {
  if (!config) return [];
  return Object.entries(config).map(([key, v]) => {
    const type = types[key] ?? jsonType(v);
    return { key, type, ...metadataText(v, type) };
  });
}

/** The reader's metadata as rows; GGUF files are read once more for their value types (the header only). */
export function checkpointMetadata(reader: CheckpointReader): MetadataRow[] {
  const types = reader.format === 'gguf' && reader.paths[0] ? readGgufHeader(reader.paths[0]).metadataTypes : {};
  return metadataRows(reader.config, types);
}
