// A tokenizer attached to a model (models.tokenizer_path) is preferred over the lookup beside the
// checkpoint, whether the attached path is the tokenizer.json itself or a folder holding it, and
// one that is missing or malformed is refused rather than silently replaced by another.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, tokenizerSource, TokenizerError } from './tokenizer.js';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** A 96-token character-level tokenizer.json of the test fixtures. */
const fixtureTokenizer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'patching', 'tokenizer.json');

/** The fixture tokenizer.json written into `dir`, its vocabulary grown by `extra` tokens. */
function writeTokenizer(dir: string, extra = 0): string {
  const tok = JSON.parse(fs.readFileSync(fixtureTokenizer, 'utf8')) as { model: { vocab: Record<string, number> } };
  const size = Object.keys(tok.model.vocab).length;
  for (let i = 0; i < extra; i++) tok.model.vocab[String.fromCharCode(0x100 + i)] = size + i;
  const file = path.join(dir, 'tokenizer.json');
  fs.writeFileSync(file, JSON.stringify(tok));
  return file;
}

describe('attached tokenizer', () => {
  it('is used instead of none beside the checkpoint, given as the file or its folder', () => {
    const model = tmp('model-');
    const tokDir = tmp('tok-');
    const file = writeTokenizer(tokDir);
    expect(loadTokenizer(model)).toBeNull();
    expect(tokenizerSource(model)).toBeNull();
    for (const attached of [file, tokDir]) {
      const t = loadTokenizer(model, attached);
      expect(t?.vocabSize).toBe(96);
      expect(t?.decode(t.encode('cab', { addSpecial: false }))).toBe('cab');
      expect(tokenizerSource(model, attached)).toBe(`attached ${file}`);
    }
  });

  it('is preferred over the tokenizer.json beside the checkpoint', () => {
    const model = tmp('model-');
    writeTokenizer(model);
    const file = writeTokenizer(tmp('tok-'), 8);
    expect(loadTokenizer(model)?.vocabSize).toBe(96);
    expect(loadTokenizer(model, file)?.vocabSize).toBe(104);
    expect(loadTokenizer(model, null)?.vocabSize).toBe(96);
  });

  it('refuses an attached path that holds no tokenizer, naming what was expected', () => {
    const model = tmp('model-');
    writeTokenizer(model);
    const empty = tmp('empty-');
    expect(() => loadTokenizer(model, empty)).toThrow(TokenizerError);
    expect(() => loadTokenizer(model, empty)).toThrow(/holds no tokenizer; expected a tokenizer\.json file/);
    expect(tokenizerSource(model, empty)).toBeNull();
  });

  it('refuses a malformed attached tokenizer.json with the reader\'s message', () => {
    const dir = tmp('bad-');
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": ');
    expect(() => loadTokenizer(tmp('model-'), path.join(dir, 'tokenizer.json'))).toThrow(/tokenizer\.json.*is not valid JSON/);
  });
});
