import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from './common.js';
import { llama2cEncode, loadLlama2cTokenizer, parseLlama2cVocab, type Llama2cVocab } from './llama2c.js';
import { llama2cTokenizerBin, tempDir } from './test-fixtures.js';

// ids 259.. in this order; scores decide merges: " t" (-3) beats "th" (-5), "he" (-2) beats both.
const EXTRA: [string, number][] = [
  [' ', -10], // 259
  ['t', -10], // 260
  ['h', -10], // 261
  ['e', -10], // 262
  ['a', -10], // 263
  [' t', -3], // 264
  ['th', -5], // 265
  ['he', -2], // 266
  ['the', -1], // 267
  [' the', -0.5], // 268
  ['é', -10], // 269
];

function write(buf: Buffer): string {
  const file = path.join(tempDir(), 'tokenizer.bin');
  fs.writeFileSync(file, buf);
  return file;
}

describe('llama2.c tokenizer.bin', () => {
  it('reads the vocabulary', () => {
    const tok = loadLlama2cTokenizer(write(llama2cTokenizerBin(EXTRA)));
    expect(tok).toMatchObject({ kind: 'llama2c', vocabSize: 270, bos: 1, eos: 2 });
    expect(tok.tokenText(1)).toBe('<s>');
    expect(tok.tokenText(3 + 0x0a)).toBe('<0x0A>');
    expect(tok.tokenText(268)).toBe(' the');
  });

  it('merges by score like run.c', () => {
    const tok = loadLlama2cTokenizer(write(llama2cTokenizerBin(EXTRA)));
    // " the": " t"(-3) "th"(-5) "he"(-2) -> "he"; then " t"(-3) vs "the"(-1) -> "the"; then " the".
    expect(tok.encode('the')).toEqual([1, 268]);
    // " th": " t"(-3) beats "th"(-5) although both start left; " th" is no token.
    expect(tok.encode('th', { addSpecial: false })).toEqual([264, 261]);
    // "é" is a token; "ß" (C3 9F) is not -> bytes + 3; empty text gets no " " prefix.
    expect(tok.encode('aé ß')).toEqual([1, 259, 263, 269, 259, 3 + 0xc3, 3 + 0x9f]);
    expect(tok.encode('')).toEqual([1]);
    expect(tok.encode('', { addSpecial: false })).toEqual([]);
  });

  it('round-trips, dropping the prefix space after BOS', () => {
    const tok = loadLlama2cTokenizer(write(llama2cTokenizerBin(EXTRA)));
    for (const s of ['the hat', 'héé 🎉 ok\n', 'ß']) expect(tok.decode(tok.encode(s), { skipSpecial: true })).toBe(s);
    expect(tok.decode(tok.encode('the'))).toBe('<s>the');
    expect(tok.decode(tok.encode('the', { addSpecial: false }))).toBe(' the'); // run.c keeps it without BOS
    expect(() => tok.decode([270])).toThrow(RangeError);
  });

  it('picks the same pairs as run.c`s quadratic scan, ties included', () => {
    // A literal port of run.c's merge loop as the reference, on random small vocabularies.
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const letters = 'abc ';
    for (let trial = 0; trial < 30; trial++) {
      const extra: [string, number][] = [];
      const seen = new Set<string>();
      for (let k = 0; k < 40; k++) {
        const len = 1 + rand(4);
        let p = '';
        for (let j = 0; j < len; j++) p += letters[rand(4)];
        if (seen.has(p)) continue;
        extra.push([p, -rand(4)]); // few distinct scores: many ties
        seen.add(p);
      }
      for (const c of letters) if (!seen.has(c)) extra.push([c, -100]);
      const v = parseLlama2cVocab('t.bin', llama2cTokenizerBin(extra));
      const index = new Map<string, number>();
      v.pieces.forEach((p, i) => {
        if (!index.has(p)) index.set(p, i);
      });
      let text = '';
      for (let j = 0; j < 1 + rand(30); j++) text += letters[rand(4)];
      expect(llama2cEncode(v, index, text, true)).toEqual(runC(v, index, text));
    }
  });

  it('reports truncation and bad fields with the byte offset', () => {
    const full = llama2cTokenizerBin(EXTRA);
    const msg = (buf: Buffer, vocabSize?: number): string => {
      const file = write(buf);
      try {
        loadLlama2cTokenizer(file, { vocabSize });
      } catch (err) {
        expect(err).toBeInstanceOf(TokenizerError);
        return (err as Error).message;
      }
      throw new Error('expected a TokenizerError');
    };
    // The last token, "é", is 2 bytes of text: cut one.
    expect(msg(full.subarray(0, full.length - 1))).toMatch(/: truncated at byte offset \d+: expected 2 bytes of token 269's text, the file has 1 left/);
    expect(msg(full.subarray(0, 2))).toMatch(/truncated at byte offset 0: expected 4 bytes of the int32 max_token_length/);
    expect(msg(full, 300)).toMatch(new RegExp(`truncated at byte offset ${full.length}: expected 8 bytes of token 270's float32 score`));
    expect(msg(full, 260)).toMatch(/bytes left after token 259 at byte offset \d+; expected the file to end \(the checkpoint's vocab_size is 260\)/);
    const badLen = Buffer.from(full);
    badLen.writeInt32LE(999, 4 + 4); // token 0's length
    expect(msg(badLen)).toMatch(/token 0's length at byte offset 8 is 999; expected 0\.\.\d+ \(max_token_length\)/);
    // Cut on a token boundary with no vocab_size to check against: caught by the byte-token check.
    expect(msg(llama2cTokenizerBin([]).subarray(0, 100))).toMatch(/has 7 tokens; expected at least 259/);
    expect(() => loadLlama2cTokenizer(path.join(tempDir(), 'nope.bin'))).toThrow(/nope\.bin: not found; expected llama2\.c's tokenizer\.bin/);
  });

  it('requires the byte tokens run.c falls back to', () => {
    const buf = llama2cTokenizerBin(EXTRA);
    const at = buf.indexOf(Buffer.from('<0x0A>'));
    buf.write('<0x0B>', at, 'latin1');
    const file = write(buf);
    expect(() => loadLlama2cTokenizer(file)).toThrow(/token 13 is "<0x0B>"; expected "<0x0A>"/);
  });
});

/** run.c's encode, transcribed (quadratic scan per merge). */
function runC(v: Llama2cVocab, index: Map<string, number>, text: string): number[] {
  const ids = [1];
  if (text) ids.push(index.get(' ') as number);
  for (const ch of Buffer.from(text, 'utf8').toString('latin1')) {
    const id = index.get(ch);
    ids.push(id ?? ch.charCodeAt(0) + 3);
  }
  for (;;) {
    let best = Math.fround(-1e10);
    let bestId = -1;
    let bestIdx = -1;
    for (let i = 0; i < ids.length - 1; i++) {
      const id = index.get((v.pieces[ids[i] as number] as string) + (v.pieces[ids[i + 1] as number] as string));
      if (id !== undefined && (v.scores[id] as number) > best) [best, bestId, bestIdx] = [v.scores[id] as number, id, i];
    }
    if (bestIdx === -1) return ids;
    ids.splice(bestIdx, 2, bestId);
  }
}
