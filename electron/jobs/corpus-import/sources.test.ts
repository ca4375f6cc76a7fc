import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusInputError, decodeUtf8Text, firstInvalidUtf8Offset, openCorpusSource, type OpenedSource } from './sources.js';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-lab-sources-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a file under the temp dir (creating folders) and returns its absolute path. */
function write(rel: string, content: string | Uint8Array): string {
  const abs = path.join(dir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  return abs;
}

function open(p: string): OpenedSource {
  return openCorpusSource({ kind: 'path', path: p });
}

/** Runs `fn`, expecting a CorpusInputError about `file` whose message matches every pattern. */
function expectInputError(fn: () => unknown, file: string, ...patterns: RegExp[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CorpusInputError);
  const err = caught as CorpusInputError;
  expect(err.file).toBe(file);
  expect(err.message).toContain(file);
  for (const pattern of patterns) expect(err.message).toMatch(pattern);
}

describe('text file', () => {
  it('is one document, UTF-8 BOM stripped', () => {
    const file = write('notes.txt', '\uFEFFHello, wörld.\nSecond line.\n');
    const source = open(file);
    expect(source).toMatchObject({ kind: 'text-file', description: file, defaultName: 'notes', count: 1, metadataFields: [] });
    expect([...source.documents()]).toEqual([{ name: 'notes.txt', text: 'Hello, wörld.\nSecond line.\n', metadata: {} }]);
    expect([...source.documents(1)]).toEqual([]);
  });

  it('treats any file not ending .jsonl as text', () => {
    const file = write('story.md', '# Title\n');
    expect(open(file).kind).toBe('text-file');
  });

  it('resolves a relative path to an absolute description', () => {
    const file = write('rel.txt', 'x');
    const source = open(path.relative(process.cwd(), file));
    expect(source.description).toBe(file);
  });
});

describe('text folder', () => {
  it('reads every .txt file recursively in byte-wise order of relative path', () => {
    const root = path.join(dir, 'folder');
    write('folder/b.txt', 'bee');
    write('folder/a.txt', 'ay');
    write('folder/B.txt', 'capital bee'); // 'B' (0x42) sorts before 'a' (0x61) byte-wise
    write('folder/sub/c.txt', 'sea');
    write('folder/sub/deeper/d.TXT', 'dee');
    write('folder/skip.md', 'not text corpus');
    const source = open(root);
    expect(source).toMatchObject({ kind: 'text-folder', description: root, defaultName: 'folder', count: 5 });
    const docs = [...source.documents()];
    expect(docs.map((d) => d.name)).toEqual(['B.txt', 'a.txt', 'b.txt', 'sub/c.txt', 'sub/deeper/d.TXT']);
    expect(docs.map((d) => d.text)).toEqual(['capital bee', 'ay', 'bee', 'sea', 'dee']);
    expect([...source.documents(3)].map((d) => d.name)).toEqual(['sub/c.txt', 'sub/deeper/d.TXT']);
  });

  it('rejects a folder without .txt files', () => {
    const root = path.join(dir, 'no-txt');
    write('no-txt/readme.md', 'hi');
    expectInputError(() => open(root), root, /no \.txt files/);
  });

  it('checks each file lazily while reading', () => {
    const root = path.join(dir, 'lazy');
    write('lazy/1.txt', 'fine');
    const bad = write('lazy/2.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
    const source = open(root);
    expect(source.count).toBe(2);
    const docs = source.documents()[Symbol.iterator]();
    expect(docs.next().value?.text).toBe('fine');
    expectInputError(() => docs.next(), bad, /byte offset 3/, /Latin-1/);
  });
});

describe('jsonl', () => {
  it('is one document per non-blank line with scalar metadata', () => {
    const file = write(
      'data.jsonl',
      '{"text": "first", "genre": "news", "year": 1961, "ok": true, "note": null}\n\n  \r\n{"text": "second", "genre": "fiction"}\r\n',
    );
    const source = open(file);
    expect(source).toMatchObject({ kind: 'jsonl', description: file, defaultName: 'data', count: 2 });
    expect(source.metadataFields).toEqual(['genre', 'note', 'ok', 'year']);
    expect([...source.documents()]).toEqual([
      { name: 'data.jsonl:1', text: 'first', metadata: { genre: 'news', year: 1961, ok: true, note: null } },
      { name: 'data.jsonl:4', text: 'second', metadata: { genre: 'fiction' } },
    ]);
    expect([...source.documents(1)].map((d) => d.name)).toEqual(['data.jsonl:4']);
  });

  it('rejects invalid JSON with its line number, before any document is read', () => {
    const file = write('bad.jsonl', '{"text": "ok"}\n\n{"text": oops}\n');
    expectInputError(() => open(file), file, new RegExp(`bad\\.jsonl:3: invalid JSON`), /expected one JSON object per line/);
  });

  it('rejects a line that is not an object', () => {
    const file = write('array.jsonl', '["text"]\n');
    expectInputError(() => open(file), file, /array\.jsonl:1: line is an array/);
  });

  it('rejects a line without text', () => {
    const file = write('notext.jsonl', '{"text": "ok"}\n{"body": "x"}\n');
    expectInputError(() => open(file), file, /notext\.jsonl:2: missing field "text"/, /non-empty string/);
  });

  it('rejects an empty or non-string text', () => {
    const empty = write('emptytext.jsonl', '{"text": "  "}\n');
    expectInputError(() => open(empty), empty, /emptytext\.jsonl:1: field "text" is empty/);
    const num = write('numtext.jsonl', '{"text": 5}\n');
    expectInputError(() => open(num), num, /numtext\.jsonl:1: field "text" is number/);
  });

  it('rejects non-scalar metadata naming the field', () => {
    const file = write('nested.jsonl', '{"text": "a"}\n{"text": "b", "tags": ["x"]}\n');
    expectInputError(() => open(file), file, /nested\.jsonl:2: field "tags" is an array/, /scalar/);
  });
});

describe('encoding and content checks', () => {
  it('rejects Latin-1 text naming the byte offset and how to convert', () => {
    const file = write('latin1.txt', Buffer.from('Caf\u00e9 au lait\n', 'latin1'));
    expectInputError(() => open(file), file, /not valid UTF-8/, /byte 0xE9 at byte offset 3/, /Latin-1\/Windows-1252/, /iconv -f latin1 -t utf-8/);
  });

  it('counts the UTF-8 BOM in the reported offset', () => {
    const file = write('bom-latin1.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ab\u00ff', 'latin1')]));
    expectInputError(() => open(file), file, /byte offset 5/);
  });

  it('rejects UTF-16 with a BOM and without one', () => {
    const withBom = write('utf16le.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hello there, corpus\n', 'utf16le')]));
    expectInputError(() => open(withBom), withBom, /UTF-16/, /expected UTF-8/);
    const bigEndian = write('utf16be.txt', Buffer.from([0xfe, 0xff, 0x00, 0x48, 0x00, 0x69]));
    expectInputError(() => open(bigEndian), bigEndian, /UTF-16/);
    const noBom = write('utf16-nobom.txt', Buffer.from('Hello there, corpus\n'.repeat(10), 'utf16le'));
    expectInputError(() => open(noBom), noBom, /UTF-16/, /expected UTF-8/);
  });

  it('rejects UTF-16 JSONL up front', () => {
    const file = write('wide.jsonl', Buffer.from('{"text": "hi"}\n', 'utf16le'));
    expectInputError(() => open(file), file, /UTF-16/);
  });

  it('rejects binary files', () => {
    const withNul = write('image.txt', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x00, 0x01, 0x02]));
    expectInputError(() => open(withNul), withNul, /looks binary/, /expected UTF-8 text/);
    const controls = write('controls.txt', Uint8Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0x41 : 0x01 + (i % 7))));
    expectInputError(() => open(controls), controls, /looks binary/);
  });

  it('rejects empty and whitespace-only files', () => {
    const empty = write('empty.txt', '');
    expectInputError(() => open(empty), empty, /is empty \(0 bytes\)/, /expected UTF-8 text/);
    const blank = write('blank.txt', ' \n\t\r\n  ');
    expectInputError(() => open(blank), blank, /only whitespace/);
    const blankJsonl = write('blank.jsonl', '\n\n');
    expectInputError(() => open(blankJsonl), blankJsonl, /only whitespace/);
  });

  it('rejects a path that does not exist', () => {
    const missing = path.join(dir, 'nope', 'missing.txt');
    expectInputError(() => open(missing), missing, /does not exist/, /expected a \.txt file, a folder of \.txt files, or a \.jsonl file/);
  });

  it('accepts ordinary UTF-8 with tabs, CRLF and non-ASCII', () => {
    const text = 'Ünïcödé 日本語 😀\r\n\tindent\n';
    expect(decodeUtf8Text('x.txt', Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('finds the first invalid UTF-8 byte', () => {
    expect(firstInvalidUtf8Offset(Buffer.from('ok ü', 'utf8'))).toBe(-1);
    expect(firstInvalidUtf8Offset(Uint8Array.from([0x61, 0xc3, 0xbc, 0xe9, 0x62]))).toBe(3); // lone Latin-1 é
    expect(firstInvalidUtf8Offset(Uint8Array.from([0x61, 0xe2, 0x82]))).toBe(1); // truncated sequence
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // encoded surrogate
    expect(firstInvalidUtf8Offset(Uint8Array.from([0xc0, 0xaf]))).toBe(0); // overlong
  });
});
