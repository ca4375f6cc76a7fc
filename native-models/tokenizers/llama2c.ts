// llama2.c's tokenizer.bin, read and run as run.c does (build_tokenizer / encode / decode):
//   int32 max_token_length, then per token: float32 score, int32 len, len bytes (no NUL), LE.
// The file holds no token count; run.c takes vocab_size from the checkpoint header, so callers
// pass it when they know it and the file must then hold exactly that many tokens.
// Pieces are handled as "binary" strings (one char per byte) because run.c works on bytes: a
// piece may be any byte string, and merging concatenates bytes, not characters.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { causeText, quote } from '../formats/errors.js';
import { notRegularFile } from '../formats/io.js';
import { checkLinkInFolder } from '../formats/links.js';
import { METASPACE, TokenizerError, byteTokenName, checkId, parseByteToken, renderBytes } from './common.js';
import type { Tokenizer } from './tokenizer.js';

const BOS = 1;
const EOS = 2;
/** run.c's byte fallback: byte b is token b + 3 (after <unk>, <s>, </s>). */
const BYTE_OFFSET = 3;
/** run.c only merges pairs scoring above its initial best_score, float(-1e10). */
const MIN_MERGE_SCORE = Math.fround(-1e10);
/** Llama 2's own vocabulary needs 27; anything near this bound is not a tokenizer.bin. */
const MAX_TOKEN_LENGTH = 1 << 16;

/** The parsed vocabulary: pieces as binary strings, their scores, and the piece -> id index. */
export interface Llama2cVocab {
  maxTokenLength: number;
  pieces: string[];
  scores: Float32Array;
}

/**
 * Parses tokenizer.bin bytes. `vocabSize`: the checkpoint's vocab_size; the file must hold
 * exactly that many tokens. Without it, tokens are read to the end of the file.
 */
export function parseLlama2cVocab(file: string, bytes: Uint8Array, vocabSize?: number): Llama2cVocab {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (offset: number, n: number, what: string): void => {
    if (offset + n > bytes.length) {
      throw new TokenizerError(file, `truncated at byte offset ${offset}: expected ${n} bytes of ${what}, the file has ${bytes.length - offset} left (${bytes.length} bytes in all)`);
    }
  };
  need(0, 4, 'the int32 max_token_length');
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength < 1 || maxTokenLength > MAX_TOKEN_LENGTH) {
    throw new TokenizerError(file, `max_token_length at byte offset 0 is ${maxTokenLength}; expected an integer in 1..${MAX_TOKEN_LENGTH}`, 'max_token_length');
  }
  const pieces: string[] = [];
  const scores: number[] = [];
  let o = 4;
  while (vocabSize === undefined ? o < bytes.length : pieces.length < vocabSize) {
    const i = pieces.length;
    need(o, 8, `token ${i}'s float32 score and int32 length`);
    const score = view.getFloat32(o, true);
    const len = view.getInt32(o + 4, true);
    if (Number.isNaN(score)) throw new TokenizerError(file, `token ${i}'s score at byte offset ${o} is NaN; expected a number`);
    if (len < 0 || len > maxTokenLength) {
      throw new TokenizerError(file, `token ${i}'s length at byte offset ${o + 4} is ${len}; expected 0..${maxTokenLength} (max_token_length)`);
    }
    need(o + 8, len, `token ${i}'s text`);
    pieces.push(Buffer.from(bytes.buffer, bytes.byteOffset + o + 8, len).toString('latin1'));
    scores.push(score);
    o += 8 + len;
  }
  if (o < bytes.length) {
    throw new TokenizerError(file, `${bytes.length - o} bytes left after token ${pieces.length - 1} at byte offset ${o}; expected the file to end (the checkpoint's vocab_size is ${vocabSize})`);
  }
  // encode() maps an unknown byte b to id b + 3, so those ids must be the byte tokens.
  if (pieces.length < BYTE_OFFSET + 256) {
    throw new TokenizerError(file, `has ${pieces.length} tokens; expected at least ${BYTE_OFFSET + 256} (<unk>, <s>, </s> and the 256 byte tokens run.c's byte fallback uses)`);
  }
  for (let b = 0; b < 256; b++) {
    const piece = pieces[BYTE_OFFSET + b] as string;
    if (piece !== byteTokenName(b)) {
      throw new TokenizerError(file, `token ${BYTE_OFFSET + b} is ${quote(piece)}; expected ${quote(byteTokenName(b))} (run.c maps byte ${b} to id ${b} + 3)`);
    }
  }
  return { maxTokenLength, pieces, scores: Float32Array.from(scores) };
}

/** Where a SentencePiece vocabulary keeps BOS and the byte tokens (run.c: BOS 1, byte b = b + 3). */
export interface SpmLayout {
  bos: number | null;
  byteId(b: number): number;
  /** SentencePiece's dummy prefix: a " " before non-empty text */
  spacePrefix: boolean;
}

/** A binary-heap of merge candidates: best score first, then leftmost, as run.c's scan picks. */
interface Candidate {
  score: number;
  left: number;
  right: number;
  leftStamp: number;
  rightStamp: number;
  id: number;
}
function better(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}
class Heap {
  private items: Candidate[] = [];
  get size(): number {
    return this.items.length;
  }
  push(c: Candidate): void {
    const h = this.items;
    h.push(c);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!better(h[i] as Candidate, h[p] as Candidate)) break;
      [h[i], h[p]] = [h[p] as Candidate, h[i] as Candidate];
      i = p;
    }
  }
  pop(): Candidate {
    const h = this.items;
    const top = h[0] as Candidate;
    const last = h.pop() as Candidate;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && better(h[l] as Candidate, h[m] as Candidate)) m = l;
        if (r < h.length && better(h[r] as Candidate, h[m] as Candidate)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Candidate, h[i] as Candidate];
        i = m;
      }
    }
    return top;
  }
}

const utf8 = new TextEncoder();

/**
 * run.c's encode: BOS (when addSpecial), the " " dummy prefix when the text is non-empty, one
 * token per UTF-8 character (its bytes + 3 when the character is not a token), then merges: at
 * each step the adjacent pair whose concatenation is a token with the highest score, the leftmost
 * on a tie. run.c rescans every pair per merge (quadratic); a heap with stamps that invalidate
 * stale pairs picks the same pair in O(log n).
 * `layout`: where BOS and the byte tokens are, and whether the " " prefix is added (run.c's
 * fixed layout by default; a GGUF SentencePiece vocabulary states its own, see gguf.ts).
 */
export function llama2cEncode(v: Llama2cVocab, index: ReadonlyMap<string, number>, text: string, addSpecial: boolean, layout?: SpmLayout): number[] {
  const bos = layout ? layout.bos : BOS;
  const byteId = layout ? layout.byteId : (b: number): number => b + BYTE_OFFSET;
  const ids: number[] = [];
  if (addSpecial && bos !== null) ids.push(bos);
  if (text.length > 0 && (layout?.spacePrefix ?? true)) ids.push(index.get(' ') ?? byteId(0x20));
  const bytes = utf8.encode(text);
  for (let i = 0; i < bytes.length; ) {
    // run.c: a character is a lead byte plus up to 3 continuation bytes (10xxxxxx).
    let n = 1;
    while (n < 4 && i + n < bytes.length && ((bytes[i + n] as number) & 0xc0) === 0x80) n++;
    const id = index.get(Buffer.from(bytes.buffer, bytes.byteOffset + i, n).toString('latin1'));
    if (id !== undefined) ids.push(id);
    else for (let k = 0; k < n; k++) ids.push(byteId(bytes[i + k] as number));
    i += n;
  }

  const next = ids.map((_, i) => (i + 1 < ids.length ? i + 1 : -1));
  const prev = ids.map((_, i) => i - 1);
  const stamp = ids.map(() => 0);
  const alive = ids.map(() => true);
  const heap = new Heap();
  const consider = (left: number): void => {
    const right = next[left] as number;
    if (left < 0 || right < 0) return;
    const id = index.get((v.pieces[ids[left] as number] as string) + (v.pieces[ids[right] as number] as string));
    if (id === undefined || !((v.scores[id] as number) > MIN_MERGE_SCORE)) return;
    heap.push({ score: v.scores[id] as number, left, right, leftStamp: stamp[left] as number, rightStamp: stamp[right] as number, id });
  };
  for (let i = 0; i + 1 < ids.length; i++) consider(i);
  while (heap.size > 0) {
    const c = heap.pop();
    if (!alive[c.left] || !alive[c.right] || stamp[c.left] !== c.leftStamp || stamp[c.right] !== c.rightStamp) continue;
    ids[c.left] = c.id;
    stamp[c.left] = (stamp[c.left] as number) + 1;
    alive[c.right] = false;
    const after = next[c.right] as number;
    next[c.left] = after;
    if (after >= 0) prev[after] = c.left;
    consider(prev[c.left] as number);
    consider(c.left);
  }
  return ids.filter((_, i) => alive[i]);
}

/** Builds the run.c tokenizer from a parsed vocabulary. */
export function llama2cTokenizer(v: Llama2cVocab): Tokenizer {
  const index = new Map<string, number>();
  // Duplicate pieces: run.c's bsearch may land on either; the lowest id is the stable choice.
  v.pieces.forEach((p, id) => {
    if (!index.has(p)) index.set(p, id);
  });
  const vocabSize = v.pieces.length;
  const isSpecial = (id: number): boolean => id === BOS || id === EOS;
  /** BOS/EOS are exported as "\n<s>\n" / "\n</s>\n" (to print on their own line); shown bare. */
  const specialText = (id: number): string => (v.pieces[id] as string).trim();
  const binary = (s: string): Uint8Array => Buffer.from(s, 'latin1');

  return {
    kind: 'llama2c',
    vocabSize,
    bos: BOS,
    eos: EOS,
    encode: (text, opts) => llama2cEncode(v, index, text, opts?.addSpecial ?? true),
    decode(ids, opts) {
      const skip = opts?.skipSpecial ?? false;
      let out = '';
      let prevId = -1;
      for (const id of ids) {
        checkId(id, vocabSize);
        let piece = isSpecial(id) ? (skip ? '' : specialText(id)) : (v.pieces[id] as string);
        // run.c: after BOS, SentencePiece drops the dummy-prefix space.
        if (prevId === BOS && piece.startsWith(' ')) piece = piece.slice(1);
        const byte = parseByteToken(piece);
        out += byte === null ? piece : String.fromCharCode(byte);
        prevId = id;
      }
      // Bytes were collected as a binary string so byte tokens join into whole characters.
      return new TextDecoder('utf-8').decode(binary(out));
    },
    tokenText(id) {
      checkId(id, vocabSize);
      const piece = isSpecial(id) ? specialText(id) : (v.pieces[id] as string);
      // Exports that kept SentencePiece's "▁" instead of a space are shown the same way.
      return renderBytes(binary(piece)).replaceAll(METASPACE, ' ');
    },
  };
}

/** Reads and validates `file` (a llama2.c tokenizer.bin). */
export function loadLlama2cTokenizer(file: string, opts?: { vocabSize?: number | undefined }): Tokenizer {
  let bytes: Uint8Array;
  // As for weights: no link out of the checkpoint's folder, and no FIFO (readFileSync would wait forever).
  checkLinkInFolder(file, path.dirname(file), TokenizerError);
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new TokenizerError(file, notRegularFile(st));
    bytes = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof TokenizerError) throw err;
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TokenizerError(file, missing ? "not found; expected llama2.c's tokenizer.bin" : `cannot be read (${causeText(err)})`);
  }
  return llama2cTokenizer(parseLlama2cVocab(file, bytes, opts?.vocabSize));
}
