// One .safetensors file: u64 LE header length N, N bytes of UTF-8 JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the data,
// offsets relative to its start. The header is checked completely when opened (tensors tile the
// data exactly, lengths agree with shapes) so read() can trust every range it is given.

import * as path from 'node:path';
import { DTYPES, dtypeSize, isDType } from './dtype.js';
import { type FormatErrorClass, quote, SafetensorsError } from './errors.js';
import { fdSize, readRange, withFd } from './io.js';
import { decodeUtf8, isPlainObject, parseJsonObject } from './json.js';
import { rawValueAt } from './json-keys.js';
import { type CheckpointReader, FileCheckpoint, type TensorInfo } from './reader.js';

/** Same cap as the reference implementation: a larger header is an attack or a mistake. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA = '__metadata__';
const SNIFF_BYTES = 64;

export interface SafetensorsHeader {
  /** absolute path */
  file: string;
  fileSize: number;
  /** in header order, offsets absolute in the file */
  tensors: TensorInfo[];
  metadata: Record<string, string> | null;
}

/** "Mine or not" from the first bytes: a header length that fits the file, then '{'. Never throws. */
export function sniffSafetensors(file: string): boolean {
  try {
    return withFd(file, SafetensorsError, (fd) => {
      const size = fdSize(fd, file, SafetensorsError);
      if (size < 10) return false;
      const head = readRange(fd, 0, Math.min(size, 8 + SNIFF_BYTES), file, SafetensorsError);
      const n = new DataView(head.buffer).getBigUint64(0, true);
      if (n < 2n || n > BigInt(size - 8)) return false;
      const end = Math.min(head.length, 8 + Number(n));
      let i = 8;
      while (i < end && head[i] === 0x20) i++;
      return head[i] === 0x7b;
    });
  } catch {
    return false;
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A field of a tensor entry as the header text spells it: integers above 2^53 exactly, not as JSON.parse rounded them. */
function asWritten(headerText: string, name: string, field: string, parsed: unknown): string {
  const raw = Array.isArray(parsed) || typeof parsed === 'number' ? rawValueAt(headerText, [name, field]) : null;
  if (raw === null) return quote(parsed);
  const compact = raw.replace(/\s+/g, '');
  return compact.length > 120 ? `${compact.slice(0, 120)}…` : compact;
}

/** Checks one header entry and returns it with absolute offsets. */
function parseEntry(file: string, name: string, entry: unknown, dataStart: number, Err: FormatErrorClass, headerText: string): TensorInfo {
  const t = `tensor ${quote(name)}`;
  if (!isPlainObject(entry)) throw new Err(file, `${t}: entry is ${quote(entry)}; expected an object {dtype, shape, data_offsets}`, name);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (!isDType(dtype)) {
    throw new Err(file, `${t}: dtype ${quote(dtype)} is not supported; expected one of ${DTYPES.join(', ')}`, name);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new Err(file, `${t}: shape ${asWritten(headerText, name, 'shape', shape)}; expected an array of non-negative integers below 2^53`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new Err(file, `${t}: data_offsets ${asWritten(headerText, name, 'data_offsets', offsets)}; expected [begin, end], two non-negative integers below 2^53`, name);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new Err(file, `${t}: data_offsets [${begin}, ${end}] end before they begin; expected begin <= end`, name);
  // BigInt: a shape like [2^40, 2^40] must not wrap or round to a plausible length.
  const bytes = (shape as number[]).reduce((acc, d) => acc * BigInt(d), BigInt(dtypeSize(dtype)));
  if (bytes !== BigInt(end - begin)) {
    throw new Err(file, `${t}: shape ${quote(shape)} of ${dtype} is ${bytes} bytes but data_offsets [${begin}, ${end}] span ${end - begin}; expected them equal`, name);
  }
  return { name, dtype, shape: [...(shape as number[])], file, byteOffset: dataStart + begin, byteLength: end - begin };
}

function parseMetadata(file: string, value: unknown, Err: FormatErrorClass): Record<string, string> {
  if (!isPlainObject(value)) throw new Err(file, `${METADATA} is ${quote(value)}; expected an object of strings`, METADATA);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Err(file, `${METADATA}.${k} is ${quote(v)}; expected a string`, METADATA);
  }
  return value as Record<string, string>;
}

/** Tensors sorted by offset must tile the data region exactly: from 0, no gap, no overlap, to the end. */
function checkTiling(file: string, tensors: TensorInfo[], dataStart: number, fileSize: number, Err: FormatErrorClass): void {
  const sorted = [...tensors].sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  let pos = dataStart;
  let prev: TensorInfo | null = null;
  for (const t of sorted) {
    const rel = (abs: number): number => abs - dataStart;
    if (t.byteOffset > pos) {
      const after = prev ? `after tensor ${quote(prev.name)}` : 'at the start of the data';
      throw new Err(file, `gap: data bytes ${rel(pos)}..${rel(t.byteOffset)} ${after} belong to no tensor (tensor ${quote(t.name)} begins at ${rel(t.byteOffset)}); expected tensors to be contiguous`, t.name);
    }
    if (t.byteOffset < pos) {
      throw new Err(file, `overlap: tensor ${quote(t.name)} begins at data byte ${rel(t.byteOffset)} but tensor ${quote(prev?.name ?? '')} ends at ${rel(pos)}; expected tensors not to overlap`, t.name);
    }
    pos = t.byteOffset + t.byteLength;
    prev = t;
  }
  if (pos < fileSize) {
    throw new Err(file, `trailing bytes: tensors end at file byte ${pos} but the file has ${fileSize} bytes; expected the last tensor to end at the end of the file`);
  }
}

/** Reads and validates the header; throws `Err` (SafetensorsError unless a caller needs its own). */
export function readSafetensorsHeader(file: string, Err: FormatErrorClass = SafetensorsError): SafetensorsHeader {
  file = path.resolve(file);
  const { fileSize, headerBytes } = withFd(file, Err, (fd) => {
    const size = fdSize(fd, file, Err);
    if (size < 8) throw new Err(file, `file is ${size} bytes; expected at least 8 (the header length)`);
    // The length is the file's first 8 bytes: never printed, or any file could be read 8 bytes
    // at a time through this message (a link named model.safetensors, a crafted index).
    const n = new DataView(readRange(fd, 0, 8, file, Err).buffer).getBigUint64(0, true);
    if (n > BigInt(MAX_HEADER_BYTES)) {
      throw new Err(file, `the header length (the first 8 bytes) is implausible; expected at most ${MAX_HEADER_BYTES} bytes (and at most the ${size - 8} bytes that follow it). Is this a safetensors file?`);
    }
    if (n > BigInt(size - 8)) throw new Err(file, `the header length (the first 8 bytes) exceeds the file: only ${size - 8} bytes follow it (truncated?)`);
    return { fileSize: size, headerBytes: readRange(fd, 8, Number(n), file, Err) };
  });
  const text = decodeUtf8(headerBytes, file, 'header', Err, true);
  const start = text.search(/[^ ]/);
  if (text.startsWith('\ufeff')) throw new Err(file, "header starts with a UTF-8 byte-order mark; expected a JSON object starting with '{'");
  if (start < 0 || text[start] !== '{') {
    throw new Err(file, `header does not start with '{' (after any spaces); expected a JSON object`);
  }
  const { value, keys } = parseJsonObject(text, file, 'header', Err);
  const dataStart = 8 + headerBytes.length;
  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  for (const name of keys) {
    if (name === METADATA) {
      metadata = parseMetadata(file, value[name], Err);
      continue;
    }
    const info = parseEntry(file, name, value[name], dataStart, Err, text);
    if (info.byteOffset + info.byteLength > fileSize) {
      throw new Err(file, `truncated: tensor ${quote(name)} ends at file byte ${info.byteOffset + info.byteLength} but the file has ${fileSize} bytes`, name);
    }
    tensors.push(info);
  }
  checkTiling(file, tensors, dataStart, fileSize, Err);
  return { file, fileSize, tensors, metadata };
}

/** Opens one .safetensors file, with the config.json found beside it when there is one. */
export function openSafetensors(file: string, config: Record<string, unknown> | null = null): CheckpointReader {
  const header = readSafetensorsHeader(file);
  const map = new Map(header.tensors.map((t) => [t.name, t]));
  return new FileCheckpoint('safetensors', [header.file], config, map, SafetensorsError);
}
