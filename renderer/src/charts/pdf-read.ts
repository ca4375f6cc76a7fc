// For tests (unit and e2e): reads back a PDF that pdf.ts wrote and checks its structure the way a
// viewer depends on it: the header, startxref pointing at the xref table, every xref offset at
// its "N 0 obj", /Size, every stream's /Length. Returns the objects and the page's drawing:
// its content stream and the strings it shows, one per text object (BT ... ET).
import { MINUS_CODE } from './helvetica';

export interface ReadPdf {
  version: string;
  objects: Map<number, { dict: string; stream: string | null }>;
  content: string;
  texts: string[];
}

function fail(why: string): never {
  throw new Error(`not a well-formed PDF: ${why}`);
}

/** Text shown by the (…) Tj operators of each BT … ET block, decoded from the font's encoding. */
function shownTexts(content: string): string[] {
  const texts: string[] = [];
  for (const [, block] of content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)) {
    let text = '';
    for (const [, literal] of block!.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)) {
      text += literal!.replace(/\\([0-7]{3}|[\\()])/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e));
    }
    texts.push(text.replace(new RegExp(String.fromCharCode(MINUS_CODE), 'g'), '\u2212'));
  }
  return texts;
}

export function readPdf(bytes: Uint8Array): ReadPdf {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  const header = /^%PDF-(\d\.\d)\n/.exec(s);
  if (!header) fail('it does not start with %PDF-x.y');
  const startxref = /startxref\n(\d+)\n%%EOF\n?$/.exec(s);
  if (!startxref) fail('no startxref at its end');
  const xrefAt = Number(startxref[1]);
  const table = /^xref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)trailer\n<<([\s\S]*?)>>\n/.exec(s.slice(xrefAt));
  if (!table) fail(`startxref (${xrefAt}) does not point at an xref table`);
  const size = Number(table[1]);
  const entries = table[2]!.split('\n').filter(Boolean);
  if (entries.length !== size) fail(`the xref table says ${size} entries and has ${entries.length}`);
  if (!new RegExp(`/Size ${size}\\b`).test(table[3]!)) fail('the trailer /Size differs from the xref table');
  const objects: ReadPdf['objects'] = new Map();
  entries.forEach((e, n) => {
    if (n === 0) return;
    const offset = Number(e.slice(0, 10));
    const obj = new RegExp(`^${n} 0 obj\\n([\\s\\S]*?)\\n(?:stream\\n)?`).exec(s.slice(offset));
    if (!obj) fail(`xref entry ${n} (offset ${offset}) does not point at "${n} 0 obj"`);
    const dict = obj[1]!;
    let stream: string | null = null;
    if (obj[0].endsWith('stream\n')) {
      const length = /\/Length (\d+)/.exec(dict);
      if (!length) fail(`object ${n} has a stream without /Length`);
      const start = offset + obj[0].length;
      stream = s.slice(start, start + Number(length[1]));
      if (s.slice(start + stream.length, start + stream.length + 10) !== '\nendstream') fail(`object ${n}'s /Length does not end at endstream`);
    }
    objects.set(n, { dict, stream });
  });
  const root = /\/Root (\d+) 0 R/.exec(table[3]!);
  const pages = root && /\/Pages (\d+) 0 R/.exec(objects.get(Number(root[1]))?.dict ?? '');
  const kid = pages && /\/Kids \[(\d+) 0 R/.exec(objects.get(Number(pages[1]))?.dict ?? '');
  const contents = kid && /\/Contents (\d+) 0 R/.exec(objects.get(Number(kid[1]))?.dict ?? '');
  const content = contents && objects.get(Number(contents[1]))?.stream;
  if (typeof content !== 'string') fail('no page content stream reachable from /Root');
  return { version: header[1]!, objects, content, texts: shownTexts(content) };
}
