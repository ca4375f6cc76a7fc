import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModelIds, loadTokenizer, modelTokenText } from './tokenizer.js';
import { gpt2TokenizerJson, llama2cTokenizerBin, tempDir, writeJson } from './test-fixtures.js';

/** A llama2.c checkpoint header is enough here: loadTokenizer reads only its vocab_size. */
function checkpointHeader(vocabSize: number): Buffer {
  const h = Buffer.alloc(28);
  [8, 16, 1, 2, 2, vocabSize, 32].forEach((v, i) => h.writeInt32LE(v, i * 4));
  return h;
}

describe('loadTokenizer', () => {
  it('finds tokenizer.json in a model folder (or beside a file in it)', () => {
    const dir = writeJson(tempDir(), 'tokenizer.json', gpt2TokenizerJson());
    fs.writeFileSync(path.join(dir, 'model.safetensors'), '');
    expect(loadTokenizer(dir)?.kind).toBe('hf');
    expect(loadTokenizer(path.join(dir, 'model.safetensors'))?.kind).toBe('hf');
  });

  it('finds tokenizer.bin beside a llama2.c checkpoint, sized by its header', () => {
    const dir = tempDir();
    const bin = llama2cTokenizerBin([[' ', 0]]);
    fs.writeFileSync(path.join(dir, 'tokenizer.bin'), bin);
    fs.writeFileSync(path.join(dir, 'model.bin'), checkpointHeader(-260)); // negative: unshared classifier
    expect(loadTokenizer(path.join(dir, 'model.bin'))).toMatchObject({ kind: 'llama2c', vocabSize: 260 });
    fs.writeFileSync(path.join(dir, 'model.bin'), checkpointHeader(512));
    expect(() => loadTokenizer(path.join(dir, 'model.bin'))).toThrow(/tokenizer\.bin: truncated at byte offset \d+: expected 8 bytes of token 260/);
  });

  it('returns null when there is no tokenizer', () => {
    const dir = tempDir();
    expect(loadTokenizer(dir)).toBeNull();
    fs.writeFileSync(path.join(dir, 'model.bin'), checkpointHeader(260));
    expect(loadTokenizer(path.join(dir, 'model.bin'))).toBeNull();
    expect(loadTokenizer(path.join(dir, 'absent'))).toBeNull();
  });
});

describe('ids the model produces past the tokenizer', () => {
  it('shows ids past the vocabulary as ⟨id N⟩ between decoded runs, and decodes the rest as decode does', () => {
    const t = loadTokenizer(writeJson(tempDir(), 'tokenizer.json', gpt2TokenizerJson()))!;
    const known = t.encode('hello world', { addSpecial: false });
    const past = t.vocabSize + 2;
    expect(decodeModelIds(t, known)).toBe(t.decode(known));
    expect(decodeModelIds(t, [...known, past, ...known])).toBe(`${t.decode(known)}⟨id ${past}⟩${t.decode(known)}`);
    expect(modelTokenText(t, past)).toBe(`⟨id ${past}⟩`);
    expect(modelTokenText(t, known[0]!)).toBe(t.tokenText(known[0]!));
    // a negative or fractional id is still a caller bug
    expect(() => decodeModelIds(t, [-1])).toThrow(/outside the vocabulary/);
  });
});
