// Tiny tokenizer files written by the tests themselves (no network, no committed binaries): a
// GPT-2-style byte-level BPE tokenizer.json, a Llama-style SentencePiece-BPE tokenizer.json, and
// a llama2.c tokenizer.bin.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onTestFinished } from 'vitest';
import { GPT2_BYTES, METASPACE, byteTokenName } from './common.js';

/** A temporary folder removed when the calling test ends. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-tokenizers-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * GPT-2's layout: ids 0..255 are the byte symbols in bytes_to_unicode order (printable bytes
 * first, so "!" = 0, "t" = 83, then the shifted ones: "Ċ" (\n) = 198, "Ġ" (space) = 220), then
 * one id per merge, then <|endoftext|>.
 */
export const GPT2_MERGES: [string, string][] = [
  ['Ġ', 't'], // 256 "Ġt"
  ['h', 'e'], // 257 "he"
  ['Ġt', 'he'], // 258 "Ġthe"
  ['i', 's'], // 259 "is"
  ['Ġ', 'is'], // 260 "Ġis"
  ['t', 'h'], // 261 "th": ranked below "h e", so a bare "the" becomes t + he
];
export const GPT2_EOT = 262;

export function gpt2TokenizerJson(): object {
  const order = [...GPT2_BYTES.byteToChar].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
  const vocab: Record<string, number> = {};
  order.forEach((c, i) => (vocab[c] = i));
  GPT2_MERGES.forEach(([a, b], i) => (vocab[a + b] = 256 + i));
  vocab['<|endoftext|>'] = GPT2_EOT;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: GPT2_EOT, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: GPT2_MERGES.map(([a, b]) => `${a} ${b}`) },
  };
}

/** SentencePiece-BPE as Llama ships it: <unk> <s> </s>, 256 byte tokens, then pieces. */
export const LLAMA_MERGES: [string, string][] = [
  ['l', 'l'],
  [METASPACE, 'h'],
  ['e', 'll'],
  [`${METASPACE}h`, 'ell'],
  [`${METASPACE}hell`, 'o'],
];
const LLAMA_CHARS = [METASPACE, 'h', 'e', 'l', 'o', 'i', 'w', 'r', 'd', 'c', 'a', 'f', 'é'];

export function llamaVocab(): Record<string, number> {
  const pieces = ['<unk>', '<s>', '</s>', ...Array.from({ length: 256 }, (_, b) => byteTokenName(b)), ...LLAMA_CHARS, ...LLAMA_MERGES.map(([a, b]) => a + b)];
  return Object.fromEntries(pieces.map((p, i) => [p, i]));
}

/**
 * "metaspace": the current conversion (Metaspace pre-tokenizer, prepend_scheme "first");
 * "normalizer": the Llama 2 era one (Prepend "▁" + Replace " " -> "▁" normalizer, no pre-tokenizer).
 */
export function llamaTokenizerJson(style: 'metaspace' | 'normalizer'): object {
  const special = (id: number, content: string): object => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const replaceSpace = { type: 'Replace', pattern: { String: ' ' }, content: METASPACE };
  return {
    version: '1.0',
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: style === 'normalizer' ? { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: METASPACE }, replaceSpace] } : null,
    pre_tokenizer: style === 'metaspace' ? { type: 'Metaspace', replacement: METASPACE, prepend_scheme: 'first', split: false } : null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: METASPACE }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab: llamaVocab(), merges: LLAMA_MERGES.map(([a, b]) => [a, b]) },
  };
}

/** Writes `name` in `dir` as JSON and returns `dir`. */
export function writeJson(dir: string, name: string, value: object): string {
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
  return dir;
}

/** A llama2.c tokenizer.bin: <unk>, "\n<s>\n", "\n</s>\n", <0x00>..<0xFF>, then `extra`. */
export function llama2cTokenizerBin(extra: [piece: string, score: number][]): Buffer {
  const tokens: [string, number][] = [['<unk>', 0], ['\n<s>\n', 0], ['\n</s>\n', 0], ...Array.from({ length: 256 }, (_, b): [string, number] => [byteTokenName(b), 0]), ...extra];
  const encoded = tokens.map(([p, s]) => [Buffer.from(p, 'utf8'), s] as const);
  const maxLen = Math.max(...encoded.map(([b]) => b.length));
  const parts: Buffer[] = [Buffer.alloc(4)];
  (parts[0] as Buffer).writeInt32LE(maxLen, 0);
  for (const [bytes, score] of encoded) {
    const head = Buffer.alloc(8);
    head.writeFloatLE(score, 0);
    head.writeInt32LE(bytes.length, 4);
    parts.push(head, bytes);
  }
  return Buffer.concat(parts);
}
