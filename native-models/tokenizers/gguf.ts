// The tokenizer stored in a GGUF file's metadata (tokenizer.ggml.*), so a .gguf needs no
// tokenizer.json:
// - `tokenizer.ggml.model` = "gpt2": byte-level BPE (tokens + merges). Rebuilt in memory as the
//   equivalent Hugging Face tokenizer.json (BPE model, ByteLevel pre-tokenizer with GPT-2's regex,
//   ByteLevel decoder; control/user-defined tokens as added tokens) and run by the HF path (hf.ts).
// - `tokenizer.ggml.model` = "llama": SentencePiece BPE (tokens + scores + token_type), as
//   llama.cpp's llm_tokenizer_spm runs it: " " -> "▁", a "▁" prefix (add_space_prefix), one symbol
//   per character, then repeatedly the adjacent pair whose concatenation is a token with the
//   highest score (leftmost on a tie), and UTF-8 byte tokens <0xXX> for what is left that is not
//   a token. That is run.c's algorithm (llama2c.ts), reused here with the GGUF's own BOS and byte
//   token ids. What differs from llama.cpp, only for vocabularies SentencePiece would not make: a
//   character that is not itself a token becomes byte tokens at once (llama.cpp could still merge
//   it into a longer token that contains it), and pairs scoring <= -1e10 are not merged (run.c).
//   tokenizer.ggml.pre picks the pre-tokenizer: absent/default/gpt-2 = GPT-2's regex; llama-bpe
//   (Llama 3/3.1/3.2; also llama3, llama-v3, falcon3, and smaug-bpe/dbrx with the same regex) and
//   qwen2 (Qwen2/2.5; also deepseek-r1-qwen) = a Split with the model's regex before a ByteLevel
//   without regex, exactly as their tokenizer.json (see PRE_TOKENIZERS).
// Other tokenizer models (bert, t5, rwkv, ...) and other pre-tokenizers are refused by name.

import { quote } from '../formats/errors.js';
import { hfTokenizerFromObjects } from './hf.js';
import { METASPACE, TokenizerError, checkId, parseByteToken, renderBytes, renderText } from './common.js';
import { llama2cEncode, type Llama2cVocab } from './llama2c.js';
import type { Tokenizer } from './tokenizer.js';

export const GGUF_TOKENIZER_MODELS = ['gpt2', 'llama'] as const;

/** Llama 3's pre-tokenizer regex, as in its tokenizer.json (llama.cpp LLAMA_VOCAB_PRE_TYPE_LLAMA3). */
export const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** Qwen2/2.5's: Llama 3's with single digits (\p{N} instead of \p{N}{1,3}; LLAMA_VOCAB_PRE_TYPE_QWEN2). */
export const QWEN2_REGEX = LLAMA3_REGEX.replace('\\p{N}{1,3}', '\\p{N}');

/**
 * How each accepted tokenizer.ggml.pre is rebuilt (llama.cpp llama_vocab::load names the same
 * groups): `regex` null = GPT-2's own (the ByteLevel pre-tokenizer with use_regex), otherwise a
 * Split(regex, Isolated) before a ByteLevel without regex, as these models' tokenizer.json have it;
 * `ignoreMerges`: a pre-token that is itself a token is taken whole (HF BPE ignore_merges, llama.cpp
 * ignore_merges); `addBos`: llama.cpp's default when tokenizer.ggml.add_bos_token is absent;
 * `nfc`: the NFC normalizer of Qwen2's tokenizer.json (llama.cpp does not normalize; the two differ
 * only on text not already in NFC).
 */
interface PreTokenizer {
  regex: string | null;
  ignoreMerges: boolean;
  addBos: boolean;
  nfc: boolean;
}
const GPT2_PRE: PreTokenizer = { regex: null, ignoreMerges: false, addBos: false, nfc: false };
const LLAMA3_PRE: PreTokenizer = { regex: LLAMA3_REGEX, ignoreMerges: true, addBos: true, nfc: false };
const PRE_TOKENIZERS: Readonly<Record<string, PreTokenizer>> = {
  default: GPT2_PRE,
  'gpt-2': GPT2_PRE,
  gpt2: GPT2_PRE,
  'llama-bpe': LLAMA3_PRE, // Llama 3, 3.1, 3.2
  llama3: LLAMA3_PRE,
  'llama-v3': LLAMA3_PRE,
  falcon3: LLAMA3_PRE,
  'smaug-bpe': { ...LLAMA3_PRE, ignoreMerges: false, addBos: false }, // the same regex, plain BPE
  dbrx: { ...LLAMA3_PRE, ignoreMerges: false, addBos: false },
  qwen2: { regex: QWEN2_REGEX, ignoreMerges: false, addBos: false, nfc: true }, // Qwen2, Qwen2.5
  'deepseek-r1-qwen': { regex: QWEN2_REGEX, ignoreMerges: false, addBos: false, nfc: true },
};

/** llama.cpp's token types (llama_token_type / LLAMA_TOKEN_TYPE_*). */
const TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

type Meta = Record<string, unknown>;

function asInt(v: unknown): number | undefined {
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n) return Number(v);
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/**
 * The tokenizer of a GGUF file from its metadata (`meta`: the reader's config); `file` names it
 * in errors. Throws TokenizerError when the metadata is missing, malformed or of an unsupported model.
 */
export function ggufTokenizer(file: string, meta: Meta): Tokenizer {
  const fail = (key: string, value: unknown, expected: string): never => {
    throw new TokenizerError(file, `GGUF metadata "${key}" is ${quote(value)}; expected ${expected}`, key);
  };
  const model = meta['tokenizer.ggml.model'];
  if (typeof model !== 'string' || !(GGUF_TOKENIZER_MODELS as readonly string[]).includes(model)) {
    fail('tokenizer.ggml.model', model, `one of ${GGUF_TOKENIZER_MODELS.join(', ')} (the GGUF tokenizer models this app reads)`);
  }
  const tokens = meta['tokenizer.ggml.tokens'];
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === 'string')) {
    fail('tokenizer.ggml.tokens', Array.isArray(tokens) ? `(an array of ${tokens.length})` : tokens, 'a non-empty array of strings');
  }
  const pieces = tokens as string[];
  const V = pieces.length;
  const typesRaw = meta['tokenizer.ggml.token_type'];
  let types: number[];
  if (typesRaw === undefined) types = pieces.map(() => TYPE.normal);
  else {
    const ok = Array.isArray(typesRaw) && typesRaw.length === V && typesRaw.every((t) => asInt(t) !== undefined);
    if (!ok) fail('tokenizer.ggml.token_type', Array.isArray(typesRaw) ? `(an array of ${typesRaw.length})` : typesRaw, `an array of ${V} integers (one per token)`);
    types = (typesRaw as unknown[]).map((t) => asInt(t) as number);
  }
  const tokenId = (key: string): number | null => {
    const v = meta[key];
    if (v === undefined) return null;
    const id = asInt(v);
    if (id === undefined || id < 0 || id >= V) fail(key, v, `a token id in 0..${V - 1}`);
    return id as number;
  };
  const flag = (key: string, dflt: boolean): boolean => {
    const v = meta[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') fail(key, v, 'true or false');
    return v as boolean;
  };
  const bos = tokenId('tokenizer.ggml.bos_token_id');
  const eos = tokenId('tokenizer.ggml.eos_token_id');
  let pre = GPT2_PRE;
  if (model === 'gpt2') {
    const name = meta['tokenizer.ggml.pre'];
    const known = typeof name === 'string' && Object.hasOwn(PRE_TOKENIZERS, name) ? PRE_TOKENIZERS[name] : undefined;
    if (name !== undefined && known === undefined) {
      fail('tokenizer.ggml.pre', name, `absent or one of ${Object.keys(PRE_TOKENIZERS).join(', ')} (the pre-tokenizers this app rebuilds)`);
    }
    pre = known ?? GPT2_PRE;
  }
  // llama.cpp's defaults: SentencePiece vocabularies add BOS, byte-level BPE ones do not, except
  // Llama 3's pre-tokenizer group.
  const addBos = flag('tokenizer.ggml.add_bos_token', model === 'llama' || pre.addBos);
  const addEos = flag('tokenizer.ggml.add_eos_token', false);
  if (addBos && bos === null) fail('tokenizer.ggml.add_bos_token', true, 'false when there is no tokenizer.ggml.bos_token_id');
  if (addEos && eos === null) fail('tokenizer.ggml.add_eos_token', true, 'false when there is no tokenizer.ggml.eos_token_id');

  if (model === 'gpt2') {
    const merges = meta['tokenizer.ggml.merges'];
    if (!Array.isArray(merges) || !merges.every((m) => typeof m === 'string' && m.includes(' '))) {
      fail('tokenizer.ggml.merges', Array.isArray(merges) ? `(an array of ${merges.length})` : merges, 'an array of "left right" strings');
    }
    const vocab: Record<string, number> = {};
    pieces.forEach((p, id) => {
      if (!Object.hasOwn(vocab, p)) vocab[p] = id;
    });
    const added = pieces
      .map((content, id) => ({ id, content, type: types[id] }))
      .filter((t) => t.type === TYPE.control || t.type === TYPE.userDefined)
      .map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.type === TYPE.control }));
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    const preTokenizer =
      pre.regex === null
        ? byteLevel
        : {
            type: 'Sequence',
            pretokenizers: [
              { type: 'Split', pattern: { Regex: pre.regex }, behavior: 'Isolated', invert: false },
              { ...byteLevel, use_regex: false },
            ],
          };
    const json = {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: pre.nfc ? { type: 'NFC' } : null,
      pre_tokenizer: preTokenizer,
      post_processor: null,
      decoder: byteLevel,
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: pre.ignoreMerges, vocab, merges },
    };
    const cfg = {
      bos_token: bos === null ? null : pieces[bos],
      eos_token: eos === null ? null : pieces[eos],
      add_bos_token: addBos,
      add_eos_token: addEos,
      clean_up_tokenization_spaces: false,
    };
    const label = `${file} (tokenizer.ggml.*)`;
    return hfTokenizerFromObjects(label, json, label, cfg);
  }

  // SentencePiece ("llama")
  const scoresRaw = meta['tokenizer.ggml.scores'];
  const scoresOk = Array.isArray(scoresRaw) && scoresRaw.length === V && scoresRaw.every((s) => typeof s === 'number' && !Number.isNaN(s));
  if (!scoresOk) fail('tokenizer.ggml.scores', Array.isArray(scoresRaw) ? `(an array of ${scoresRaw.length})` : scoresRaw, `an array of ${V} numbers (one score per token)`);
  const unk = tokenId('tokenizer.ggml.unknown_token_id');
  const spacePrefix = flag('tokenizer.ggml.add_space_prefix', true);
  // Pieces as run.c holds them: UTF-8 bytes in a binary string, "▁" written as a space.
  const binary = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  const v: Llama2cVocab = {
    maxTokenLength: 0,
    pieces: pieces.map((p, id) => (types[id] === TYPE.normal || types[id] === TYPE.userDefined ? binary(p.replaceAll(METASPACE, ' ')) : binary(p))),
    scores: Float32Array.from(scoresRaw as number[]),
  };
  const index = new Map<string, number>();
  v.pieces.forEach((p, id) => {
    if (!index.has(p)) index.set(p, id);
  });
  const byteIds = new Map<number, number>();
  pieces.forEach((p, id) => {
    const b = types[id] === TYPE.byte || types[id] === undefined ? parseByteToken(p) : null;
    if (b !== null && !byteIds.has(b)) byteIds.set(b, id);
  });
  const byteId = (b: number): number => {
    const id = byteIds.get(b) ?? unk;
    if (id === null) throw new TokenizerError(file, `the text needs byte ${byteTokenText(b)}, which this vocabulary has no token for (and no tokenizer.ggml.unknown_token_id)`);
    return id;
  };
  const layout = { bos, byteId, spacePrefix };
  const isControl = (id: number): boolean => types[id] === TYPE.control || types[id] === TYPE.unknown || types[id] === TYPE.unused;

  return {
    kind: 'spm',
    vocabSize: V,
    bos,
    eos,
    encode(text, opts) {
      const addSpecial = opts?.addSpecial ?? true;
      const ids = llama2cEncode(v, index, text, addSpecial && addBos, layout);
      if (addSpecial && addEos && eos !== null) ids.push(eos);
      return ids;
    },
    decode(ids, opts) {
      const skip = opts?.skipSpecial ?? false;
      const bytes: number[] = [];
      let first = true;
      for (const id of ids) {
        checkId(id, V);
        if (isControl(id)) {
          if (!skip) for (const b of Buffer.from(pieces[id] as string, 'utf8')) bytes.push(b);
          continue;
        }
        const byte = types[id] === TYPE.byte ? parseByteToken(pieces[id] as string) : null;
        let piece = byte === null ? (v.pieces[id] as string) : String.fromCharCode(byte);
        // SentencePiece drops the dummy-prefix space of the first piece of the text.
        if (first && spacePrefix && byte === null && piece.startsWith(' ')) piece = piece.slice(1);
        first = false;
        for (let i = 0; i < piece.length; i++) bytes.push(piece.charCodeAt(i));
      }
      return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
    },
    tokenText(id) {
      checkId(id, V);
      if (types[id] === TYPE.byte) {
        const b = parseByteToken(pieces[id] as string);
        if (b !== null) return renderBytes(Uint8Array.of(b));
      }
      return renderText((pieces[id] as string).replaceAll(METASPACE, ' '));
    },
  };
}

function byteTokenText(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}
