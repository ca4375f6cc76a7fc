// Error types of the checkpoint readers. Every message starts with the file and says what was
// found (quoted) and what was expected, so a user can fix the file without reading our code.

/** Base of every reader error; callers catch this one type for "the file is bad". */
export class FormatError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    /** the tensor or header field at fault, when there is one */
    readonly field?: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = new.target.name;
  }
}

/** A single .safetensors file is malformed. */
export class SafetensorsError extends FormatError {}
/** A Hugging Face folder (index, shards, config.json) is malformed. */
export class SafetensorsFolderError extends FormatError {}
/** A llama2.c .bin is malformed. */
export class Llama2cError extends FormatError {}
/** A GGUF file is malformed, or holds what is not read (big-endian, version 1, IQ and TQ tensors). */
export class GgufError extends FormatError {}
/** The path is no checkpoint we can read, or cannot be read at all. */
export class CheckpointError extends FormatError {}

/** How a reader builds its own error type (the shared helpers throw the caller's type). */
export type FormatErrorClass = new (file: string, detail: string, field?: string) => FormatError;

const MAX_QUOTE = 80;
const MAX_ITEMS = 6;

/** A shallow, bounded rendering: a hostile value may be huge or nested a million deep. */
function preview(value: unknown, depth: number): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_QUOTE ? value.slice(0, MAX_QUOTE) : value);
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) {
    if (depth > 1) return value.length ? '[…]' : '[]';
    const items = value.slice(0, MAX_ITEMS).map((v: unknown) => preview(v, depth + 1));
    return `[${items.join(',')}${value.length > MAX_ITEMS ? ',…' : ''}]`;
  }
  if (typeof value === 'object') {
    if (depth > 1) return '{…}';
    const items: string[] = [];
    let more = false;
    const record = value as Record<string, unknown>;
    // for-in stops early; Object.entries would copy every key of a huge object first.
    for (const k in record) {
      if (!Object.hasOwn(record, k)) continue;
      if (items.length === MAX_ITEMS) {
        more = true;
        break;
      }
      items.push(`${preview(k, depth + 1)}:${preview(record[k], depth + 1)}`);
    }
    return `{${items.join(',')}${more ? ',…' : ''}}`;
  }
  return typeof value;
}

/** A bad value as it appears in a message: JSON-like, short, never throws. */
export function quote(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  const text = preview(value, 0);
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text;
}

/** The message of an unknown thrown value (fs errors carry a code worth showing). */
export function causeText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
