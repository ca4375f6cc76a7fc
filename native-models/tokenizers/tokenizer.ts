// The one tokenizer interface the rest of the app uses, whatever file the vocabulary came from,
// and the lookup that finds the tokenizer belonging to a checkpoint path.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { openGguf } from '../formats/gguf.js';
import { ggufTokenizer } from './gguf.js';
import { loadHfTokenizer } from './hf.js';
import { loadLlama2cTokenizer } from './llama2c.js';

import { TokenizerError } from './common.js';

export { TokenizerError };

export interface Tokenizer {
  /** spm: SentencePiece BPE from a GGUF's metadata (a GGUF's byte-level BPE is 'hf') */
  kind: 'hf' | 'llama2c' | 'spm';
  /** ids are 0..vocabSize-1 */
  vocabSize: number;
  bos: number | null;
  eos: number | null;
  /** addSpecial (default true): the BOS/EOS the model was trained with, as its tokenizer adds them */
  encode(text: string, opts?: { addSpecial?: boolean }): number[];
  /** throws RangeError for an id outside the vocabulary */
  decode(ids: readonly number[], opts?: { skipSpecial?: boolean }): string;
  /** the text of one token as shown in the UI (byte tokens rendered like "<0x0A>", "Ġ" turned into a space) */
  tokenText(id: number): string;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The vocab_size a llama2.c checkpoint's header states (int32 at byte 20; negative means an
 * unshared classifier), so the tokenizer is read with the count run.c would use. Undefined when
 * the header is unreadable: the checkpoint reader reports that, and the tokenizer is then read
 * to its end.
 */
function llama2cVocabSize(checkpoint: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(checkpoint, 'r');
    const header = Buffer.alloc(28);
    if (fs.readSync(fd, header, 0, 28, 0) < 28) return undefined;
    const v = Math.abs(header.readInt32LE(20));
    // "ak42" opens llama2.c's versioned exports, whose header is laid out differently.
    return header.readUInt32LE(0) === 0x616b3432 || v === 0 ? undefined : v;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The tokenizer of a checkpoint: a folder (or a file in a folder) holding tokenizer.json -> the
 * Hugging Face tokenizer; a llama2.c .bin with tokenizer.bin beside it -> run.c's tokenizer; a
 * .gguf with tokenizer.ggml.* metadata -> that tokenizer (gguf.ts).
 * Null when there is none; throws TokenizerError when there is one but it is malformed.
 */
/**
 * Where the model's tokenizer would come from, without reading it (a cheap check for lists and
 * before a job starts): "tokenizer.json", "tokenizer.bin" (llama2.c), "GGUF metadata", or null.
 */
export function tokenizerSource(modelPath: string, attached?: string | null): string | null {
  // An attached path that no longer holds a tokenizer is no tokenizer: loadTokenizer refuses it too.
  if (attached !== undefined && attached !== null) {
    const file = attachedFile(attached);
    return file === null ? null : `attached ${file}`;
  }
  const dir = isDir(modelPath) ? modelPath : path.dirname(modelPath);
  if (isFile(modelPath) && modelPath.toLowerCase().endsWith('.bin')) {
    const vocabFile = path.join(dir, 'tokenizer.bin');
    if (isFile(vocabFile) && path.resolve(vocabFile) !== path.resolve(modelPath)) return 'tokenizer.bin';
  }
  if (isFile(modelPath) && modelPath.toLowerCase().endsWith('.gguf')) {
    const meta = openGguf(modelPath).config ?? {};
    if (meta['tokenizer.ggml.model'] !== undefined) return 'GGUF metadata';
  }
  return isFile(path.join(dir, 'tokenizer.json')) ? 'tokenizer.json' : null;
}

export function loadTokenizer(modelPath: string, attached?: string | null): Tokenizer | null {
  if (attached !== undefined && attached !== null) return loadAttachedTokenizer(modelPath, attached);
  const dir = isDir(modelPath) ? modelPath : path.dirname(modelPath);
  if (isFile(modelPath) && modelPath.toLowerCase().endsWith('.bin')) {
    const vocabFile = path.join(dir, 'tokenizer.bin');
    // A llama2.c checkpoint is never itself named tokenizer.bin; that is the vocabulary.
    if (isFile(vocabFile) && path.resolve(vocabFile) !== path.resolve(modelPath)) {
      return loadLlama2cTokenizer(vocabFile, { vocabSize: llama2cVocabSize(modelPath) });
    }
  }
  // A GGUF carries its tokenizer in its metadata (tokenizer.ggml.*); one without falls through.
  if (isFile(modelPath) && modelPath.toLowerCase().endsWith('.gguf')) {
    const meta = openGguf(modelPath).config ?? {};
    if (meta['tokenizer.ggml.model'] !== undefined) return ggufTokenizer(modelPath, meta);
  }
  if (isFile(path.join(dir, 'tokenizer.json'))) return loadHfTokenizer(dir);
  return null;
}

/**
 * The file an attached tokenizer path names: a tokenizer.json (or any .json) file, a llama2.c
 * tokenizer.bin, or a folder holding tokenizer.json / tokenizer.bin. Null when nothing is attached
 * or the path no longer holds one (the model then reads as having no attached tokenizer).
 */
function attachedFile(attached: string | null | undefined): string | null {
  if (attached === undefined || attached === null) return null;
  if (isFile(attached)) return attached;
  if (isDir(attached)) {
    for (const name of ['tokenizer.json', 'tokenizer.bin']) {
      const file = path.join(attached, name);
      if (isFile(file)) return file;
    }
  }
  return null;
}

/**
 * A tokenizer the user attached to the model (models.tokenizer_path). Throws TokenizerError when
 * the path holds none (it was moved, or never held one) or the file is malformed: an attached
 * tokenizer that cannot be read must not silently fall back to another one.
 */
function loadAttachedTokenizer(modelPath: string, attached: string): Tokenizer {
  const file = attachedFile(attached);
  if (file === null) {
    throw new TokenizerError(attached, 'holds no tokenizer; expected a tokenizer.json file, a llama2.c tokenizer.bin, or a folder holding one of them');
  }
  if (file.toLowerCase().endsWith('.json')) {
    if (path.basename(file) !== 'tokenizer.json') {
      throw new TokenizerError(file, 'is not named tokenizer.json; expected a Hugging Face tokenizer.json (rename it, or attach its folder)');
    }
    return loadHfTokenizer(path.dirname(file));
  }
  const vocabSize = isFile(modelPath) && modelPath.toLowerCase().endsWith('.bin') ? llama2cVocabSize(modelPath) : undefined;
  return loadLlama2cTokenizer(file, { vocabSize });
}

/** How an id the model can emit but the tokenizer does not know (a padded embedding row) is shown. */
export const unknownIdText = (id: number): string => `⟨id ${id}⟩`;

/**
 * Text of ids the model produced (greedy continuations, top candidates): a model's vocabulary can
 * be larger than its tokenizer's (embedding rows padded to a multiple of 64 or 128), and a strong
 * edit can make it pick one of those rows; each such id is shown as ⟨id N⟩ between the decoded
 * runs instead of failing the whole request.
 */
export function decodeModelIds(t: Tokenizer, ids: readonly number[], opts?: { skipSpecial?: boolean }): string {
  let out = '';
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) out += t.decode(run, opts);
    run = [];
  };
  for (const id of ids) {
    if (Number.isInteger(id) && id >= t.vocabSize) {
      flush();
      out += unknownIdText(id);
    } else run.push(id);
  }
  flush();
  return out;
}

/** tokenText for an id the model produced (see decodeModelIds). */
export function modelTokenText(t: Tokenizer, id: number): string {
  return Number.isInteger(id) && id >= t.vocabSize ? unknownIdText(id) : t.tokenText(id);
}
