import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from './common.js';
import { loadHfTokenizer } from './hf.js';
import { GPT2_EOT, gpt2TokenizerJson, llamaTokenizerJson, llamaVocab, tempDir, writeJson } from './test-fixtures.js';

const ROUND_TRIP = ['Hello, world!', 'the cat is the hat', 'café naïve — déjà vu, Ærøskøbing', 'emoji 🎉👍🏽 ok', 'two\nlines\tand  spaces ', ''];

describe('GPT-2-style byte-level BPE', () => {
  const load = () => loadHfTokenizer(writeJson(tempDir(), 'tokenizer.json', gpt2TokenizerJson()));

  it('applies merges by rank, not left to right', () => {
    const tok = load();
    // "the" -> t h e: "h e" (rank 1) beats "t h" (rank 5) -> t + he; " cat": no merges;
    // " is" -> "i s" then "Ġ is"; " the" -> "Ġ t", "h e", "Ġt he".
    expect(tok.encode('the cat is the')).toEqual([83, 257, 220, 66, 64, 83, 260, 258]);
    expect(tok.encode('\n')).toEqual([198]); // "Ċ"
    expect(tok.encode('hi<|endoftext|>')).toEqual([71, 72, GPT2_EOT]); // added token matched whole
  });

  it('round-trips ASCII, accented and emoji text byte for byte', () => {
    const tok = load();
    for (const s of ROUND_TRIP) expect(tok.decode(tok.encode(s))).toBe(s);
    // no clean-up of tokenization spaces: " ," stays as written
    expect(tok.decode(tok.encode('a , b .'))).toBe('a , b .');
  });

  it('knows its size and specials and shows tokens readably', () => {
    const tok = load();
    expect(tok).toMatchObject({ kind: 'hf', vocabSize: 263, bos: GPT2_EOT, eos: GPT2_EOT });
    expect(tok.tokenText(258)).toBe(' the');
    expect(tok.tokenText(220)).toBe(' ');
    expect(tok.tokenText(198)).toBe('<0x0A>');
    // "Ã" is byte 0xC3, the first half of "é": not a character on its own
    expect(tok.tokenText(tok.encode('é')[0] as number)).toBe('<0xC3>');
    expect(tok.tokenText(GPT2_EOT)).toBe('<|endoftext|>');
    expect(tok.decode([83, GPT2_EOT, 83], { skipSpecial: true })).toBe('tt');
    expect(tok.decode([])).toBe('');
    expect(() => tok.decode([263])).toThrow(RangeError);
    expect(() => tok.tokenText(-1)).toThrow(RangeError);
  });
});

describe('Llama-style SentencePiece BPE with byte fallback', () => {
  const V = llamaVocab();
  const id = (piece: string): number => V[piece] as number;

  for (const style of ['metaspace', 'normalizer'] as const) {
    it(`encodes with BOS and byte fallback (${style})`, () => {
      const tok = loadHfTokenizer(writeJson(tempDir(), 'tokenizer.json', llamaTokenizerJson(style)));
      expect(tok).toMatchObject({ kind: 'hf', bos: 1, eos: 2, vocabSize: Object.keys(V).length });
      // "▁hello": l l, ▁ h, e ll, ▁h ell, ▁hell o
      expect(tok.encode('hello')).toEqual([1, id('▁hello')]);
      expect(tok.encode('hello', { addSpecial: false })).toEqual([id('▁hello')]);
      expect(tok.encode('')).toEqual([1]);
      // "✓" (E2 9C 93) is not in the vocabulary -> its bytes, ids 3 + byte
      expect(tok.encode('hi ✓', { addSpecial: false })).toEqual([id('▁h'), id('i'), id('▁'), 3 + 0xe2, 3 + 0x9c, 3 + 0x93]);
      for (const s of ['hello world', 'café hello', 'hi ✓ 🎉 done']) {
        expect(tok.decode(tok.encode(s), { skipSpecial: true })).toBe(s);
      }
      expect(tok.decode(tok.encode('hello'))).toBe('<s> hello'); // as HF's decoder chain does
      expect(tok.tokenText(id('▁hello'))).toBe(' hello');
      expect(tok.tokenText(3 + 0x0a)).toBe('<0x0A>');
    });
  }

  it('takes BOS/EOS and add_bos/add_eos from tokenizer_config.json', () => {
    const dir = writeJson(tempDir(), 'tokenizer.json', llamaTokenizerJson('metaspace'));
    writeJson(dir, 'tokenizer_config.json', { bos_token: { content: '<s>', special: true }, eos_token: '</s>', add_bos_token: false, add_eos_token: true });
    const tok = loadHfTokenizer(dir);
    expect(tok.encode('hello')).toEqual([id('▁hello'), 2]);
    expect(tok.encode('hello', { addSpecial: false })).toEqual([id('▁hello')]);
  });
});

describe('loadHfTokenizer errors', () => {
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(TokenizerError);
      return (err as Error).message;
    }
    throw new Error('expected a TokenizerError');
  };

  it('names a missing tokenizer.json', () => {
    const dir = tempDir();
    expect(message(() => loadHfTokenizer(dir))).toBe(`${path.join(dir, 'tokenizer.json')}: not found; expected a Hugging Face tokenizer.json ({"model": {...}, ...})`);
  });

  it('names bad JSON in either file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": ');
    expect(message(() => loadHfTokenizer(dir))).toMatch(/tokenizer\.json: is not valid JSON \(.*\); expected a Hugging Face tokenizer\.json/);
    writeJson(dir, 'tokenizer.json', gpt2TokenizerJson());
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), 'nope');
    expect(message(() => loadHfTokenizer(dir))).toMatch(/tokenizer_config\.json: is not valid JSON/);
    writeJson(dir, 'tokenizer_config.json', { bos_token: '<missing>' });
    expect(message(() => loadHfTokenizer(dir))).toMatch(/tokenizer_config\.json: bos_token = "<missing>" is not a token of .*tokenizer\.json/);
  });

  it('rejects model types and components the library lacks', () => {
    const json = gpt2TokenizerJson() as { model: Record<string, unknown>; decoder: unknown };
    const dir = writeJson(tempDir(), 'tokenizer.json', { ...json, model: { ...json.model, type: 'WordLevel' } });
    expect(message(() => loadHfTokenizer(dir))).toMatch(/tokenizer\.json: model\.type = "WordLevel"; expected one of BPE, WordPiece, Unigram/);
    writeJson(dir, 'tokenizer.json', { ...json, model: { ...json.model, vocab: ['a'] } });
    expect(message(() => loadHfTokenizer(dir))).toMatch(/model\.vocab = \["a"\]; expected an object/);
    writeJson(dir, 'tokenizer.json', { ...json, decoder: { type: 'Nonesuch' } });
    expect(message(() => loadHfTokenizer(dir))).toMatch(/tokenizer\.json: Tokenizers\.js cannot build this tokenizer \(Unknown Decoder type: Nonesuch\)/);
    writeJson(dir, 'tokenizer.json', [1, 2]);
    expect(message(() => loadHfTokenizer(dir))).toMatch(/top level is \[1,2\]; expected a JSON object/);
  });
});
