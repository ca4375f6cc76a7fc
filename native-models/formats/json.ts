// Turning untrusted bytes into a JSON object with errors that say which file and what is wrong:
// strict UTF-8, a real parse error message, a plain object at the top, no repeated keys.

import { causeText, type FormatErrorClass, quote } from './errors.js';
import { fdSize, readRange, withFd } from './io.js';
import { jsonDepthExceeds, scanJsonKeys } from './json-keys.js';

/** Checkpoint headers and configs nest a few levels; anything deeper is hostile or broken. */
const MAX_DEPTH = 64;

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629), or -1; only used to locate an error. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => (b[k] ?? -1) >= lo && (b[k] ?? 256) <= hi;
  for (let i = 0; i < b.length; ) {
    const c = b[i] ?? 0;
    let n: number;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf && cont(i + 1)) n = 2;
    else if (c === 0xe0 && cont(i + 1, 0xa0) && cont(i + 2)) n = 3;
    else if (((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) && cont(i + 1) && cont(i + 2)) n = 3;
    else if (c === 0xed && cont(i + 1, 0x80, 0x9f) && cont(i + 2)) n = 3;
    else if (c === 0xf0 && cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3)) n = 4;
    else if (c >= 0xf1 && c <= 0xf3 && cont(i + 1) && cont(i + 2) && cont(i + 3)) n = 4;
    else if (c === 0xf4 && cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3)) n = 4;
    else return i;
    i += n;
  }
  return -1;
}

/** Decodes strict UTF-8; `keepBom` makes a byte-order mark part of the text (so it can be rejected). */
export function decodeUtf8(bytes: Uint8Array, file: string, what: string, Err: FormatErrorClass, keepBom = false): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: keepBom }).decode(bytes);
  } catch {
    // The offset, never the byte: errors must not reveal a file's content (see jsonSyntaxError).
    const at = firstInvalidUtf8(bytes);
    const found = at >= 0 ? ` at byte ${at}` : '';
    throw new Err(file, `${what} is not valid UTF-8${found}; expected UTF-8 JSON text`);
  }
}

/** Line and column (1-based) of a character offset, for messages a user can jump to in an editor. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * What is wrong with text JSON.parse refused, without quoting the text: V8's "Unexpected token
 * 'x', "<the start of the file>" is not valid JSON" would turn an error about a file someone
 * else made (a crafted model folder, a link to a private file) into a way to read it.
 */
export function jsonSyntaxError(err: unknown, text: string): string {
  const message = causeText(err);
  const at = /at position (\d+)/.exec(message);
  const where = at ? ` at ${lineColumn(text, Number(at[1]))} (character ${at[1]})` : '';
  if (/^Unexpected end of JSON input/.test(message)) return 'the JSON text ends early';
  if (/^Unexpected token/.test(message)) return `an unexpected character${where}`;
  // V8's other messages name only JSON grammar ("Expected ',' or '}' after property value").
  const what = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*at position \d+.*$/s, '').replace(/"/g, '');
  return `${what.slice(0, 80)}${where}`;
}

/** Parses text that must be one JSON object with no key repeated anywhere inside it. */
export function parseJsonObject(text: string, file: string, what: string, Err: FormatErrorClass): { value: JsonObject; keys: string[] } {
  const depth = jsonDepthExceeds(text, MAX_DEPTH);
  if (depth !== null) throw new Err(file, `${what} nests more than ${MAX_DEPTH} levels of objects/arrays; expected a shallow JSON object`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Err(file, `${what} is not valid JSON (${jsonSyntaxError(err, text)}); expected a JSON object`);
  }
  if (!isPlainObject(value)) throw new Err(file, `${what} is ${kindOf(value)}; expected a JSON object`);
  const scan = scanJsonKeys(text);
  if (scan.duplicate) {
    const where = scan.duplicate.path.length ? `object ${quote(scan.duplicate.path.join('.'))}` : 'the top-level object';
    throw new Err(file, `${what} has the key ${quote(scan.duplicate.key)} twice in ${where}; expected each key once`, scan.duplicate.key);
  }
  return { value, keys: scan.topLevelKeys };
}

/** Reads a small JSON file (config.json, an index) with a size cap, so a hostile file cannot exhaust memory. */
export function readJsonFile(file: string, maxBytes: number, what: string, Err: FormatErrorClass): JsonObject {
  const bytes = withFd(file, Err, (fd) => {
    const size = fdSize(fd, file, Err);
    if (size > maxBytes) throw new Err(file, `${what} is ${size} bytes; expected at most ${maxBytes}`);
    return readRange(fd, 0, size, file, Err);
  });
  return parseJsonObject(decodeUtf8(bytes, file, what, Err), file, what, Err).value;
}

