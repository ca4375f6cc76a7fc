// Pieces shared by both tokenizer loaders: the error type, and how a token is shown in the UI.
// Kept apart from tokenizer.ts so the loaders do not import the module that imports them.

import { FormatError } from '../formats/errors.js';

/**
 * A tokenizer file is missing, unreadable or malformed. Extends the readers' FormatError so a
 * caller that catches "the file is bad" for checkpoints catches tokenizers too; the message
 * starts with the file and says what was expected.
 */
export class TokenizerError extends FormatError {}

/** GPT-2's bytes_to_unicode: byte-level BPE spells every byte as one printable code point. */
function gpt2ByteTable(): { byteToChar: string[]; charToByte: Map<string, number> } {
  const byteToChar: string[] = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    // Printable Latin-1 stands for itself; the rest (controls, space, 0x7F-0xA0, 0xAD) is
    // shifted to 256+ in byte order, which is why a space reads "Ġ" (U+0120) and "\n" "Ċ".
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    byteToChar[b] = String.fromCodePoint(printable ? b : next++);
  }
  return { byteToChar, charToByte: new Map(byteToChar.map((c, b) => [c, b])) };
}

export const GPT2_BYTES = gpt2ByteTable();

/** SentencePiece's word-boundary mark, U+2581 "▁". */
export const METASPACE = '\u2581';

/** "<0x0A>": how byte-fallback vocabularies (SentencePiece, llama2.c) name a raw byte. */
export function byteTokenName(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** The byte a "<0xXX>" token stands for, or null for any other token. */
export function parseByteToken(piece: string): number | null {
  const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
  return m ? parseInt(m[1] as string, 16) : null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Length of the UTF-8 sequence a lead byte announces; 0 for a byte that cannot lead one. */
function utf8Length(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Bytes as one token's label: valid UTF-8 as text, but control characters and bytes that are
 * not (or only part of) a character as "<0xXX>", so a newline or half an emoji stays visible in
 * a one-line cell instead of breaking the layout or turning into U+FFFD.
 */
export function renderBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = utf8Length(bytes[i] as number);
    let ch: string | null = null;
    if (n > 0 && i + n <= bytes.length) {
      try {
        ch = strictUtf8.decode(bytes.subarray(i, i + n)); // rejects overlongs and surrogates
      } catch {
        ch = null;
      }
    }
    const cp = ch === null ? -1 : (ch.codePointAt(0) as number);
    if (ch === null || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      out += byteTokenName(bytes[i] as number);
      i += 1;
    } else {
      out += ch;
      i += n;
    }
  }
  return out;
}

const utf8 = new TextEncoder();

/** A token's text as a label (see renderBytes). */
export function renderText(text: string): string {
  return renderBytes(utf8.encode(text));
}

/** The common check of an id passed to decode/tokenText; a wrong id is a caller bug. */
export function checkId(id: number, vocabSize: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new RangeError(`token id ${String(id)} is outside the vocabulary (expected an integer in 0..${vocabSize - 1})`);
  }
}
