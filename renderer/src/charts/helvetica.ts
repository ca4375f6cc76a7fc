// Helvetica, one of the PDF standard fonts (every viewer has it or a metric-compatible substitute,
// so nothing is embedded): how a Unicode string becomes bytes of its WinAnsi encoding, and how wide
// those glyphs are (Adobe's AFM advance widths, in 1/1000 em), for placing anchored text.

/** Advance widths of ASCII 32..126 (space to tilde). */
// prettier-ignore
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];

/** The byte a code sits at in the font's encoding (WinAnsi, plus MINUS_CODE) and its width. */
export const MINUS_CODE = 0x81; // unused in WinAnsi; the font's /Differences put the glyph "minus" there

// prettier-ignore
const EXTRA: Record<string, [code: number, width: number]> = {
  '\u2212': [MINUS_CODE, 584], '\u00a0': [0xa0, 278], '×': [0xd7, 584], '·': [0xb7, 278], '°': [0xb0, 400], '±': [0xb1, 584],
  'µ': [0xb5, 556], '¹': [0xb9, 333], '²': [0xb2, 333], '³': [0xb3, 333], '–': [0x96, 556], '—': [0x97, 1000], '…': [0x85, 1000],
  '‘': [0x91, 222], '’': [0x92, 222], '“': [0x93, 333], '”': [0x94, 333], '•': [0x95, 350], 'ß': [0xdf, 611], 'æ': [0xe6, 889],
  'Æ': [0xc6, 1000], 'ø': [0xf8, 611], 'Ø': [0xd8, 778], 'ð': [0xf0, 556], 'Ð': [0xd0, 722], 'þ': [0xfe, 556], 'Þ': [0xde, 667],
};

const QUESTION: [number, number] = [0x3f, 556];

/** The font's byte and width for one character; what Helvetica cannot show becomes "?". */
export function glyph(ch: string): [code: number, width: number] {
  const c = ch.codePointAt(0) ?? 0x3f;
  if (c >= 32 && c <= 126) return [c, ASCII_WIDTHS[c - 32]!];
  const extra = EXTRA[ch];
  if (extra) return extra;
  // accented Latin-1 letters: WinAnsi has them at their code point, as wide as the bare letter
  if (c >= 0xc0 && c <= 0xff) {
    const base = ch.normalize('NFD').codePointAt(0) ?? 0;
    if (base >= 32 && base <= 126) return [c, ASCII_WIDTHS[base - 32]!];
  }
  return QUESTION;
}

/** Width of `text` in em (1 = the font size). */
export function textWidthEm(text: string): number {
  let w = 0;
  for (const ch of text) w += glyph(ch)[1];
  return w / 1000;
}

/** The encoded bytes of `text` as a PDF literal string, e.g. "(10 \\201 5)": ASCII only, so the content stream stays text. */
export function pdfLiteral(text: string): string {
  let out = '(';
  for (const ch of text) {
    const [code] = glyph(ch);
    if (code === 0x28 || code === 0x29 || code === 0x5c) out += `\\${String.fromCharCode(code)}`;
    else if (code < 32 || code > 126) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(code);
  }
  return `${out})`;
}
