// Tokenizers read from GGUF metadata (tokenizer.ggml.*) reproduce the ids of make_gguf.py's
// reference tokenizers (a byte-level BPE and a SentencePiece BPE written in Python), through
// loadTokenizer(<file>.gguf); unsupported tokenizer metadata is refused by name.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../architectures/testing.js';
import { openCheckpoint } from '../formats/checkpoint.js';
import { thrown } from '../test-support/thrown.js';
import { TokenizerError } from './common.js';
import { ggufTokenizer } from './gguf.js';
import { loadTokenizer } from './tokenizer.js';

const DIR = join(FIXTURES_DIR, 'gguf-models');
interface Case {
  text: string;
  ids: number[];
  ids_plain: number[];
}
const cases = (name: string): Case[] => (JSON.parse(readFileSync(join(DIR, name, 'golden.json'), 'utf8')) as { tokenization: Case[] }).tokenization;
const file = (name: string): string => join(DIR, name, 'model.gguf');
const meta = (name: string): Record<string, unknown> => openCheckpoint(file(name)).config ?? {};

describe('GGUF tokenizers', () => {
  for (const name of ['gpt2-f32', 'llama-f32', 'llama-q4_k', 'llama31-f32', 'qwen2-q8_0']) {
    it(`${name}: loadTokenizer(model.gguf) encodes the reference ids`, () => {
      const tok = loadTokenizer(file(name));
      expect(tok).not.toBeNull();
      for (const c of cases(name)) {
        expect(tok?.encode(c.text), c.text).toEqual(c.ids);
        expect(tok?.encode(c.text, { addSpecial: false }), c.text).toEqual(c.ids_plain);
        // qwen2 normalizes to NFC before encoding, so a decomposed input decodes composed
        expect(tok?.decode(c.ids_plain), c.text).toBe(name === 'qwen2-q8_0' ? c.text.normalize('NFC') : c.text);
      }
    });
  }

  it('gpt2: byte-level BPE through the HF path; <|endoftext|> is BOS and EOS, no BOS added', () => {
    const tok = loadTokenizer(file('gpt2-f32'));
    expect(tok?.kind).toBe('hf');
    expect(tok?.vocabSize).toBe(121);
    expect(tok?.bos).toBe(120);
    expect(tok?.eos).toBe(120);
    expect(tok?.tokenText(tok.encode(' cat')[0] ?? -1)).toBe(' cat');
  });

  it('llama: SentencePiece with scores; BOS 1 added, byte fallback for characters outside the vocabulary', () => {
    const tok = loadTokenizer(file('llama-f32'));
    expect(tok?.kind).toBe('spm');
    expect(tok?.bos).toBe(1);
    expect(tok?.eos).toBe(2);
    const ids = tok?.encode('the H', { addSpecial: false }) ?? [];
    expect(ids.map((i) => tok?.tokenText(i))).toEqual([' the', ' ', 'H']);
    expect(tok?.decode([1, ...ids], { skipSpecial: true })).toBe('the H');
    expect(tok?.decode([1, ...ids])).toBe('<s>the H');
  });

  it('llama-bpe (Llama 3): the Split regex + ByteLevel pre-tokenizer, ignore_merges, <|begin_of_text|> added by default', () => {
    const tok = loadTokenizer(file('llama31-f32'));
    expect(tok?.kind).toBe('hf');
    const m = meta('llama31-f32');
    expect(m['tokenizer.ggml.pre']).toBe('llama-bpe');
    expect(m['tokenizer.ggml.add_bos_token']).toBeUndefined(); // llama.cpp's default for llama-bpe: add BOS
    expect(tok?.tokenText(tok.bos ?? -1)).toBe('<|begin_of_text|>');
    expect(tok?.tokenText(tok.eos ?? -1)).toBe('<|end_of_text|>');
    expect(tok?.encode('hi')[0]).toBe(tok?.bos);
    const pieces = (text: string, pre?: string): (string | undefined)[] => {
      const t = pre === undefined ? tok : ggufTokenizer('x.gguf', { ...m, 'tokenizer.ggml.pre': pre });
      return (t?.encode(text, { addSpecial: false }) ?? []).map((id) => t?.tokenText(id));
    };
    // digits in runs of at most 3 (llama-bpe), one by one (qwen2), whole (gpt-2)
    expect(pieces('12345')).toEqual(['123', '45']);
    expect(pieces('12345', 'qwen2')).toEqual(['1', '2', '3', '4', '5']);
    expect(pieces('12345', 'gpt-2')).toEqual(['12345']);
    // case-insensitive contractions, newline runs, a run of spaces before a word
    expect(pieces("I'll")).toEqual(["I", "'ll"]);
    expect(pieces("He'LL")).toEqual(['H', 'e', "'LL"]);
    expect(pieces('a\n\nb')).toEqual(['a', '<0x0A><0x0A>', 'b']); // tokenText shows control bytes as <0xXX>
    expect(pieces('a   b')).toEqual(['a', '  ', ' b']);
    // ignore_merges: " zz" is a token no merge builds; llama-bpe takes it whole, smaug-bpe (same regex) does not
    expect(pieces(' zz')).toEqual([' zz']);
    expect(pieces(' zz', 'smaug-bpe')).toEqual([' ', 'z', 'z']);
    // control (3) and user-defined (4) tokens are split out of the text
    expect(pieces('hi<|eot_id|>x<tool>')).toEqual(['hi', '<|eot_id|>', 'x', '<tool>']);
  });

  it('the same vocabulary under the qwen2, smaug-bpe and gpt-2 pre-tokenizers encodes the reference ids', () => {
    const g = JSON.parse(readFileSync(join(DIR, 'llama31-f32', 'golden.json'), 'utf8')) as { tokenization_by_pre: Record<string, { text: string; ids_plain: number[] }[]> };
    const m = meta('llama31-f32');
    expect(Object.keys(g.tokenization_by_pre).sort()).toEqual(['gpt-2', 'qwen2', 'smaug-bpe']);
    for (const [pre, list] of Object.entries(g.tokenization_by_pre)) {
      const tok = ggufTokenizer('x.gguf', { ...m, 'tokenizer.ggml.pre': pre });
      expect(tok.encode('hi', { addSpecial: true })[0], `${pre}: no BOS by default`).not.toBe(tok.bos);
      for (const c of list) expect(tok.encode(c.text, { addSpecial: false }), `${pre}: ${JSON.stringify(c.text)}`).toEqual(c.ids_plain);
    }
    // qwen2's tokenizer.json normalizes to NFC: a decomposed "é" encodes as the composed one
    const qwen = ggufTokenizer('x.gguf', { ...m, 'tokenizer.ggml.pre': 'qwen2' });
    expect(qwen.encode('cafe\u0301', { addSpecial: false })).toEqual(qwen.encode('caf\u00e9', { addSpecial: false }));
  });

  it('refuses unsupported or malformed tokenizer metadata by name', () => {
    const err = (m: Record<string, unknown>): string => thrown(TokenizerError, () => ggufTokenizer('x.gguf', m)).message;
    const llama = meta('llama-f32');
    const gpt2 = meta('gpt2-f32');
    expect(err({ ...llama, 'tokenizer.ggml.model': 'bert' })).toContain('"tokenizer.ggml.model" is "bert"; expected one of gpt2, llama');
    expect(err({ ...gpt2, 'tokenizer.ggml.pre': 'deepseek-llm' })).toContain('"tokenizer.ggml.pre" is "deepseek-llm"; expected absent or one of default, gpt-2, gpt2, llama-bpe');
    expect(err({ ...gpt2, 'tokenizer.ggml.merges': undefined })).toContain('"tokenizer.ggml.merges"');
    expect(err({ ...llama, 'tokenizer.ggml.scores': [1, 2] })).toContain('"tokenizer.ggml.scores" is "(an array of 2)"');
    expect(err({ ...llama, 'tokenizer.ggml.bos_token_id': 100000 })).toContain('"tokenizer.ggml.bos_token_id" is 100000; expected a token id');
    expect(err({ ...llama, 'tokenizer.ggml.token_type': [1] })).toContain('"tokenizer.ggml.token_type"');
  });
});
