// A Hugging Face tokenizer folder (tokenizer.json, and tokenizer_config.json when present) run by
// Tokenizers.js (@huggingface/tokenizers), the pure-JS port of the Rust `tokenizers` crate. The
// files are validated here first so a bad folder gets a TokenizerError naming the file and field,
// not a TypeError from inside the library.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer as LibTokenizer } from '@huggingface/tokenizers';
import { causeText, quote } from '../formats/errors.js';
import { notRegularFile } from '../formats/io.js';
import { jsonSyntaxError } from '../formats/json.js';
import { checkLinkInFolder } from '../formats/links.js';
import { GPT2_BYTES, METASPACE, TokenizerError, checkId, renderBytes, renderText } from './common.js';
import type { Tokenizer } from './tokenizer.js';

/** The models Tokenizers.js implements (it has no WordLevel). */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'] as const;
/** Generous for real files (Gemma's tokenizer.json is ~35 MB); stops a hostile one early. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parsed JSON object of `file`; undefined when the file is absent and not required. */
function readJsonObject(file: string, required: boolean, expected: string): Json | undefined {
  let text: string;
  // A link out of the model folder is refused as for weights; a FIFO would block readFileSync forever.
  checkLinkInFolder(file, path.dirname(file), TokenizerError);
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new TokenizerError(file, notRegularFile(st));
    const size = st.size;
    if (size > MAX_JSON_BYTES) throw new TokenizerError(file, `is ${size} bytes; expected at most ${MAX_JSON_BYTES} for ${expected}`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof TokenizerError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!required) return undefined;
      throw new TokenizerError(file, `not found; expected ${expected}`);
    }
    throw new TokenizerError(file, `cannot be read (${causeText(err)}); expected ${expected}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TokenizerError(file, `is not valid JSON (${jsonSyntaxError(err, text)}); expected ${expected}`);
  }
  if (!isObject(value)) throw new TokenizerError(file, `top level is ${quote(value)}; expected a JSON object (${expected})`);
  return value;
}

/** A special token in tokenizer_config.json: "<s>", {"content": "<s>", ...}, or null. */
function tokenName(file: string, cfg: Json, key: string): string | null | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return v;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  throw new TokenizerError(file, `${key} = ${quote(v)}; expected a token string, {"content": string}, or null`, key);
}

function optionalBool(file: string, cfg: Json, key: string): boolean | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || typeof v === 'boolean') return v ?? undefined;
  throw new TokenizerError(file, `${key} = ${quote(v)}; expected true or false`, key);
}

/** Checks the parts of tokenizer.json the library indexes blindly; returns a copy it can take. */
function checkTokenizerJson(file: string, json: Json): Json {
  const model = json.model;
  if (!isObject(model)) throw new TokenizerError(file, `model = ${quote(model)}; expected an object with "type" and "vocab"`, 'model');
  const type = model.type;
  if (!MODEL_TYPES.includes(type as (typeof MODEL_TYPES)[number])) {
    throw new TokenizerError(file, `model.type = ${quote(type)}; expected one of ${MODEL_TYPES.join(', ')} (the models Tokenizers.js supports)`, 'model.type');
  }
  const vocab = model.vocab;
  if (type === 'Unigram') {
    const ok = Array.isArray(vocab) && vocab.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number');
    if (!ok) throw new TokenizerError(file, `model.vocab = ${quote(vocab)}; expected an array of [piece, score] pairs`, 'model.vocab');
  } else {
    const ok = isObject(vocab) && Object.values(vocab).every((id) => Number.isInteger(id) && (id as number) >= 0);
    if (!ok) throw new TokenizerError(file, `model.vocab = ${quote(vocab)}; expected an object mapping each token to a non-negative integer id`, 'model.vocab');
  }
  if (type === 'BPE') {
    const merges = model.merges ?? [];
    const ok = Array.isArray(merges) && merges.every((m) => (typeof m === 'string' && m.includes(' ')) || (Array.isArray(m) && m.length === 2 && m.every((s) => typeof s === 'string')));
    if (!ok) throw new TokenizerError(file, `model.merges = ${quote(merges)}; expected an array of "left right" strings or [left, right] pairs`, 'model.merges');
  }
  const added = json.added_tokens ?? [];
  const addedOk = Array.isArray(added) && added.every((t) => isObject(t) && typeof t.content === 'string' && Number.isInteger(t.id) && (t.id as number) >= 0);
  if (!addedOk) throw new TokenizerError(file, `added_tokens = ${quote(added)}; expected an array of {"id": integer, "content": string, ...}`, 'added_tokens');
  const out: Json = { ...json, added_tokens: added, model: type === 'BPE' ? { ...model, merges: model.merges ?? [] } : model };
  for (const key of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) {
    const v = json[key] ?? null;
    if (v !== null && !isObject(v)) throw new TokenizerError(file, `${key} = ${quote(v)}; expected an object or null`, key);
    out[key] = v; // the library requires every key to be present, null when unused
  }
  return out;
}

/** Whether a component tree (a "Sequence" nests others) contains a component of this type. */
function hasComponent(config: unknown, type: string): boolean {
  if (!isObject(config)) return false;
  if (config.type === type) return true;
  return [config.decoders, config.pretokenizers].some((list) => Array.isArray(list) && list.some((c) => hasComponent(c, type)));
}

/** The special tokens a TemplateProcessing post-processor puts before and after the text. */
function templateSpecials(postProcessor: unknown): { before: string[]; after: string[] } {
  const out = { before: [] as string[], after: [] as string[] };
  if (!isObject(postProcessor) || postProcessor.type !== 'TemplateProcessing' || !Array.isArray(postProcessor.single)) return out;
  let seenText = false;
  for (const item of postProcessor.single) {
    if (isObject(item) && isObject(item.Sequence)) seenText = true;
    else if (isObject(item) && isObject(item.SpecialToken) && typeof item.SpecialToken.id === 'string') {
      (seenText ? out.after : out.before).push(item.SpecialToken.id);
    }
  }
  return out;
}

/** BOS/EOS by name when no tokenizer_config.json says: the conventions of the common families. */
const KNOWN_SPECIALS: [bos: string, eos: string][] = [
  ['<s>', '</s>'], // Llama 1/2, Mistral, OPT
  ['<|begin_of_text|>', '<|end_of_text|>'], // Llama 3
  ['<|endoftext|>', '<|endoftext|>'], // GPT-2, GPT-NeoX: one token for both
];

/**
 * Loads `folder`/tokenizer.json (required) and `folder`/tokenizer_config.json (optional: bos/eos
 * tokens, add_bos_token / add_eos_token, clean_up_tokenization_spaces).
 */
export function loadHfTokenizer(folder: string): Tokenizer {
  const jsonFile = path.join(folder, 'tokenizer.json');
  const cfgFile = path.join(folder, 'tokenizer_config.json');
  const json = readJsonObject(jsonFile, true, "a Hugging Face tokenizer.json ({\"model\": {...}, ...})") as Json;
  const cfg = readJsonObject(cfgFile, false, 'a Hugging Face tokenizer_config.json object') ?? {};
  return hfTokenizerFromObjects(jsonFile, json, cfgFile, cfg);
}

/**
 * The same from the two objects already in memory (a GGUF's tokenizer.ggml.* rebuilt as a
 * tokenizer.json, see gguf.ts); `jsonFile` / `cfgFile` name them in error messages.
 */
export function hfTokenizerFromObjects(jsonFile: string, rawJson: Json, cfgFile: string, cfg: Json): Tokenizer {
  const json = checkTokenizerJson(jsonFile, rawJson);

  const names = {
    bos: tokenName(cfgFile, cfg, 'bos_token'),
    eos: tokenName(cfgFile, cfg, 'eos_token'),
    unk: tokenName(cfgFile, cfg, 'unk_token'),
  };
  const addBos = optionalBool(cfgFile, cfg, 'add_bos_token');
  const addEos = optionalBool(cfgFile, cfg, 'add_eos_token');
  const cleanUp = optionalBool(cfgFile, cfg, 'clean_up_tokenization_spaces') ?? false;

  let lib: LibTokenizer;
  try {
    // Only the config fields the library reads, as plain strings (configs may spell tokens as objects).
    lib = new LibTokenizer(json, {
      ...(names.bos ? { bos_token: names.bos } : {}),
      ...(names.eos ? { eos_token: names.eos } : {}),
      ...(names.unk ? { unk_token: names.unk } : {}),
      clean_up_tokenization_spaces: cleanUp,
    });
  } catch (err) {
    throw new TokenizerError(jsonFile, `Tokenizers.js cannot build this tokenizer (${causeText(err)}); expected components it supports (see @huggingface/tokenizers README)`);
  }

  const vocab = lib.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const addedIds = new Set(lib.get_added_tokens_decoder().keys());

  const idOf = (file: string, key: string, name: string): number => {
    const id = lib.token_to_id(name);
    if (id === undefined) throw new TokenizerError(file, `${key} = ${quote(name)} is not a token of ${jsonFile}; expected a token of its vocabulary`, key);
    return id;
  };
  const template = templateSpecials(json.post_processor);
  const guess = (pick: 0 | 1, fromTemplate: string | undefined): number | null => {
    if (fromTemplate !== undefined && lib.token_to_id(fromTemplate) !== undefined) return lib.token_to_id(fromTemplate) as number;
    for (const pair of KNOWN_SPECIALS) if (addedIds.has(lib.token_to_id(pair[pick]) ?? -1)) return lib.token_to_id(pair[pick]) as number;
    return null;
  };
  // tokenizer_config.json decides when it names the token (null: the model has none).
  const bos = names.bos !== undefined ? (names.bos === null ? null : idOf(cfgFile, 'bos_token', names.bos)) : guess(0, template.before[0]);
  const eos = names.eos !== undefined ? (names.eos === null ? null : idOf(cfgFile, 'eos_token', names.eos)) : guess(1, template.after.at(-1));
  if (addBos && bos === null) throw new TokenizerError(cfgFile, 'add_bos_token is true but no bos_token is known; expected a bos_token', 'add_bos_token');
  if (addEos && eos === null) throw new TokenizerError(cfgFile, 'add_eos_token is true but no eos_token is known; expected an eos_token', 'add_eos_token');

  // transformers rebuilds the post-processor from add_bos_token / add_eos_token when the config
  // states them (LlamaTokenizerFast and kin), so they override the template in tokenizer.json.
  const explicit = addBos !== undefined || addEos !== undefined;
  const specialIds = (names: string[]): number[] => names.map((n) => lib.token_to_id(n)).filter((id): id is number => id !== undefined);
  const before = addBos === undefined ? specialIds(template.before) : addBos ? [bos as number] : [];
  const after = addEos === undefined ? specialIds(template.after) : addEos ? [eos as number] : [];

  const byteLevel = hasComponent(json.decoder, 'ByteLevel') || (json.decoder === null && hasComponent(json.pre_tokenizer, 'ByteLevel'));

  return {
    kind: 'hf',
    vocabSize,
    bos,
    eos,
    encode(text, opts) {
      const addSpecial = opts?.addSpecial ?? true;
      const ids = lib.encode(text, { add_special_tokens: addSpecial && !explicit }).ids as (number | undefined)[];
      // The library yields no id for a piece outside the vocabulary when there is no unk token.
      const known = ids.filter((id): id is number => id !== undefined);
      return addSpecial && explicit ? [...before, ...known, ...after] : known;
    },
    decode(ids, opts) {
      if (ids.length === 0) return ''; // the library throws on an empty list
      for (const id of ids) {
        checkId(id, vocabSize);
        if (lib.id_to_token(id) === undefined) throw new RangeError(`token id ${id} has no token in ${jsonFile}`);
      }
      return lib.decode([...ids], { skip_special_tokens: opts?.skipSpecial ?? false, clean_up_tokenization_spaces: cleanUp });
    },
    tokenText(id) {
      checkId(id, vocabSize);
      const raw = lib.id_to_token(id) ?? '';
      // Added tokens are stored verbatim, never byte-level encoded.
      if (addedIds.has(id) || !byteLevel) return renderText(addedIds.has(id) ? raw : raw.replaceAll(METASPACE, ' '));
      const bytes = Array.from(raw, (c) => GPT2_BYTES.charToByte.get(c));
      return bytes.every((b) => b !== undefined) ? renderBytes(Uint8Array.from(bytes as number[])) : renderText(raw);
    },
  };
}
