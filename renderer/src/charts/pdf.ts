// A vector PDF of a chart, written from the chart's exported SVG text (the same file the SVG
// export saves), so the two exports cannot drift apart. It converts exactly what our charts draw:
// <svg>, <g>, <rect>, <line>, <path> (M L H V C Z), <polyline>, <circle> and <text>, with fill,
// stroke, stroke width, dash arrays, line caps and joins, opacity (through ExtGState) and
// transforms; anything else is refused by name rather than silently dropped. Text is set in
// Helvetica (a PDF standard font: nothing embedded), anchored with its AFM widths; superscript
// digits (10⁻³ tick labels) become raised, smaller digits since Helvetica has no such glyphs.
// Pure: no DOM, so it runs (and is tested) anywhere.
import { MINUS_CODE, pdfLiteral, textWidthEm } from './helvetica';

// ---- a small XML reader (the SVG serializer's output: elements, attributes, text, entities) ----

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (all, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? all;
  });
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<![^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/y;
const ATTR = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const localName = (n: string) => n.slice(n.indexOf(':') + 1);

export function parseXml(text: string): XmlElement {
  const top: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack = [top];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`the SVG is not well-formed XML near character ${at}: ${JSON.stringify(text.slice(at, at + 40))}`);
    const parent = stack[stack.length - 1]!;
    const [, cdata, close, open, attrText, selfClose, chars] = m;
    if (cdata !== undefined) parent.children.push(cdata);
    else if (chars !== undefined) parent.children.push(decodeEntities(chars));
    else if (close !== undefined) {
      if (stack.length < 2 || localName(close) !== parent.name) throw new Error(`the SVG closes <${close}> where <${parent.name}> is open`);
      stack.pop();
    } else if (open !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (attrText ?? '').matchAll(ATTR)) attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? '');
      const el: XmlElement = { name: localName(open), attrs, children: [] };
      parent.children.push(el);
      if (!selfClose) stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`the SVG ends inside <${stack[stack.length - 1]!.name}>`);
  const root = top.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!root) throw new Error('the SVG has no root element');
  return root;
}

// ---- styles ----------------------------------------------------------------------------------

interface Rgb {
  r: number;
  g: number;
  b: number;
  a: number;
}

// the names a hand-written chart might use; the charts themselves use hex colours
const NAMED: Record<string, string> = { black: '#000000', white: '#ffffff', red: '#ff0000', green: '#008000', blue: '#0000ff', gray: '#808080', grey: '#808080' };

function parseColor(value: string): Rgb | null {
  const v = value.trim().toLowerCase();
  if (v === 'none' || v === 'transparent') return null;
  const hex = NAMED[v] ?? v;
  let m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(hex);
  if (m) {
    const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
    return { r: parseInt(h.slice(0, 2), 16) / 255, g: parseInt(h.slice(2, 4), 16) / 255, b: parseInt(h.slice(4, 6), 16) / 255, a: 1 };
  }
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(v);
  if (m) return { r: Number(m[1]) / 255, g: Number(m[2]) / 255, b: Number(m[3]) / 255, a: m[4] === undefined ? 1 : Number(m[4]) };
  throw new Error(`the PDF export does not understand the colour "${value}"`);
}

interface Style {
  fill: Rgb | null;
  stroke: Rgb | null;
  strokeWidth: number;
  dash: number[];
  lineCap: number;
  lineJoin: number;
  evenOdd: boolean;
  fillOpacity: number;
  strokeOpacity: number;
  /** product of the `opacity` of the element and its ancestors (exact where shapes do not overlap) */
  opacity: number;
  fontSize: number;
  anchor: 'start' | 'middle' | 'end';
}

// SVG's initial values: black fill, no stroke
const INITIAL: Style = { fill: { r: 0, g: 0, b: 0, a: 1 }, stroke: null, strokeWidth: 1, dash: [], lineCap: 0, lineJoin: 0, evenOdd: false, fillOpacity: 1, strokeOpacity: 1, opacity: 1, fontSize: 16, anchor: 'start' };

/** A presentation property: the style attribute wins over the attribute of the same name. */
function property(el: XmlElement, name: string): string | undefined {
  const style = el.attrs.style;
  if (style) {
    for (const decl of style.split(';')) {
      const i = decl.indexOf(':');
      if (i > 0 && decl.slice(0, i).trim() === name) return decl.slice(i + 1).trim();
    }
  }
  return el.attrs[name];
}

function numbers(s: string): number[] {
  return (s.match(/[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? []).map(Number);
}

/** A length in user units: plain numbers and px; pt; em relative to `fontSize`. */
function length(value: string | undefined, fontSize: number): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px|pt|em)?\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'em' ? n * fontSize : m[2] === 'pt' ? (n * 96) / 72 : n;
}

const CAPS: Record<string, number> = { butt: 0, round: 1, square: 2 };
const JOINS: Record<string, number> = { miter: 0, round: 1, bevel: 2 };

function styleOf(el: XmlElement, parent: Style): Style {
  const p = (name: string) => {
    const v = property(el, name);
    return v === undefined || v === 'inherit' ? undefined : v;
  };
  const s: Style = { ...parent };
  const fill = p('fill');
  if (fill !== undefined) s.fill = parseColor(fill);
  const stroke = p('stroke');
  if (stroke !== undefined) s.stroke = parseColor(stroke);
  const fontSize = length(p('font-size'), parent.fontSize);
  if (fontSize !== undefined) s.fontSize = fontSize;
  s.strokeWidth = length(p('stroke-width'), s.fontSize) ?? s.strokeWidth;
  const dash = p('stroke-dasharray');
  if (dash !== undefined) s.dash = dash === 'none' ? [] : numbers(dash);
  s.lineCap = CAPS[p('stroke-linecap') ?? ''] ?? s.lineCap;
  s.lineJoin = JOINS[p('stroke-linejoin') ?? ''] ?? s.lineJoin;
  const rule = p('fill-rule');
  if (rule !== undefined) s.evenOdd = rule === 'evenodd';
  s.fillOpacity = Number(p('fill-opacity') ?? s.fillOpacity);
  s.strokeOpacity = Number(p('stroke-opacity') ?? s.strokeOpacity);
  s.opacity = parent.opacity * Number(p('opacity') ?? 1);
  const anchor = p('text-anchor');
  if (anchor === 'start' || anchor === 'middle' || anchor === 'end') s.anchor = anchor;
  return s;
}

// ---- transforms ------------------------------------------------------------------------------

type Matrix = [number, number, number, number, number, number];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1], m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3], m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5]];
}

/** An SVG transform list as one matrix (same [a b c d e f] meaning as PDF's cm). */
export function parseTransform(value: string): Matrix {
  let m: Matrix = [1, 0, 0, 1, 0, 0];
  for (const [, fn, args] of value.matchAll(/(\w+)\s*\(([^)]*)\)/g)) {
    const a = numbers(args!);
    let t: Matrix;
    switch (fn) {
      case 'matrix':
        t = [a[0] ?? 1, a[1] ?? 0, a[2] ?? 0, a[3] ?? 1, a[4] ?? 0, a[5] ?? 0];
        break;
      case 'translate':
        t = [1, 0, 0, 1, a[0] ?? 0, a[1] ?? 0];
        break;
      case 'scale':
        t = [a[0] ?? 1, 0, 0, a[1] ?? a[0] ?? 1, 0, 0];
        break;
      case 'rotate': {
        const r = ((a[0] ?? 0) * Math.PI) / 180;
        const [cx, cy] = [a[1] ?? 0, a[2] ?? 0];
        t = multiply(multiply([1, 0, 0, 1, cx, cy], [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]), [1, 0, 0, 1, -cx, -cy]);
        break;
      }
      default:
        throw new Error(`the PDF export does not understand the transform "${fn}"`);
    }
    m = multiply(m, t);
  }
  return m;
}

// ---- the content stream --------------------------------------------------------------------

/** A number as PDF writes it: no exponent, at most 3 decimals. */
export function pdfNumber(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`the chart has a coordinate that is not a number (${v})`);
  const s = v.toFixed(3).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

const fmt = (...vs: number[]) => vs.map(pdfNumber).join(' ');

// Superscript characters become raised digits in a smaller size (Helvetica has only ¹²³).
const SUPERSCRIPT: Record<string, string> = { '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', '⁻': '\u2212', '⁺': '+' };
const SUPER_SIZE = 0.7;
const SUPER_RISE = 0.38;

/** `text` split into runs of ordinary and superscript characters (the latter already lowered to ordinary ones). */
export function textRuns(text: string): { text: string; sup: boolean }[] {
  const runs: { text: string; sup: boolean }[] = [];
  for (const ch of text) {
    const sup = SUPERSCRIPT[ch];
    const last = runs[runs.length - 1];
    if (last && last.sup === (sup !== undefined)) last.text += sup ?? ch;
    else runs.push({ text: sup ?? ch, sup: sup !== undefined });
  }
  return runs;
}

/** Text content as SVG lays it out by default: whitespace collapsed, ends trimmed. */
function textContent(el: XmlElement): string {
  const parts: string[] = [];
  for (const c of el.children) {
    if (typeof c === 'string') parts.push(c);
    else if (c.name === 'tspan') parts.push(textContent(c));
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

interface GraphicsCache {
  fill: string;
  stroke: string;
  width: string;
  dash: string;
  cap: number;
  join: number;
  gs: string;
}

class ContentWriter {
  readonly ops: string[] = [];
  /** ExtGState name -> [fill alpha, stroke alpha] */
  readonly alphas = new Map<string, [number, number]>();
  private cache: GraphicsCache = { fill: '0 0 0 rg', stroke: '0 0 0 RG', width: '1 w', dash: '[] 0 d', cap: 0, join: 0, gs: '' };
  private readonly saved: GraphicsCache[] = [];

  push(op: string): void {
    this.ops.push(op);
  }

  save(m?: Matrix): void {
    this.saved.push({ ...this.cache });
    this.ops.push(m ? `q ${fmt(...m)} cm` : 'q');
  }

  restore(): void {
    this.cache = this.saved.pop()!;
    this.ops.push('Q');
  }

  /** Sets what differs from the current graphics state for painting with `s`. */
  useStyle(s: Style, fill: Rgb | null, stroke: Rgb | null): void {
    const c = this.cache;
    const set = <K extends keyof GraphicsCache>(key: K, value: GraphicsCache[K], op: string) => {
      if (c[key] === value) return;
      c[key] = value;
      this.ops.push(op);
    };
    if (fill) {
      const op = `${fmt(fill.r, fill.g, fill.b)} rg`;
      set('fill', op, op);
    }
    if (stroke) {
      const op = `${fmt(stroke.r, stroke.g, stroke.b)} RG`;
      set('stroke', op, op);
      const width = `${pdfNumber(s.strokeWidth)} w`;
      set('width', width, width);
      // an odd-length dash list repeats once more (SVG), a zero-length pattern is solid
      const pattern = s.dash.length % 2 === 1 ? [...s.dash, ...s.dash] : s.dash;
      const dash = `[${pattern.every((d) => d === 0) ? '' : fmt(...pattern)}] 0 d`;
      set('dash', dash, dash);
      set('cap', s.lineCap, `${s.lineCap} J`);
      set('join', s.lineJoin, `${s.lineJoin} j`);
    }
    const fa = fill ? s.opacity * s.fillOpacity * fill.a : 1;
    const sa = stroke ? s.opacity * s.strokeOpacity * stroke.a : 1;
    const key = fa === 1 && sa === 1 ? '' : `GS${fmt(fa)}_${fmt(sa)}`.replace(/\./g, 'p');
    if (key && !this.alphas.has(key)) this.alphas.set(key, [fa, sa]);
    // back to opaque needs a state of its own once any alpha was set
    const gs = key || (c.gs ? 'GSopaque' : '');
    if (gs === 'GSopaque' && !this.alphas.has(gs)) this.alphas.set(gs, [1, 1]);
    set('gs', gs, `/${gs} gs`);
  }

  /** Paints the path just built with the element's fill and stroke. */
  paint(s: Style, path: string, closedForFill = true): void {
    const fill = closedForFill ? s.fill : null;
    const stroke = s.stroke && s.strokeWidth > 0 ? s.stroke : null;
    if (!fill && !stroke) return;
    this.useStyle(s, fill, stroke);
    const op = fill && stroke ? (s.evenOdd ? 'B*' : 'B') : fill ? (s.evenOdd ? 'f*' : 'f') : 'S';
    this.ops.push(`${path} ${op}`);
  }
}

/** A path's d attribute as PDF path operators (absolute and relative M, L, H, V, C, Z). */
export function pathOps(d: string): string {
  const ops: string[] = [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  const commands = d.match(/[a-zA-Z][^a-zA-Z]*/g) ?? [];
  for (const command of commands) {
    const letter = command[0]!;
    const rel = letter === letter.toLowerCase();
    const a = numbers(command.slice(1));
    const upper = letter.toUpperCase();
    const arity = { M: 2, L: 2, H: 1, V: 1, C: 6, Z: 0 }[upper];
    if (arity === undefined) throw new Error(`the PDF export does not understand the path command "${letter}"`);
    if (arity === 0) {
      ops.push('h');
      [x, y] = [startX, startY];
      continue;
    }
    for (let i = 0; i + arity <= a.length; i += arity) {
      const ox = rel ? x : 0;
      const oy = rel ? y : 0;
      if (upper === 'C') {
        ops.push(`${fmt(a[i]! + ox, a[i + 1]! + oy, a[i + 2]! + ox, a[i + 3]! + oy, a[i + 4]! + ox, a[i + 5]! + oy)} c`);
        [x, y] = [a[i + 4]! + ox, a[i + 5]! + oy];
        continue;
      }
      if (upper === 'H') x = a[i]! + ox;
      else if (upper === 'V') y = a[i]! + oy;
      else [x, y] = [a[i]! + ox, a[i + 1]! + oy];
      // further pairs after an M are line-tos
      const moveTo = upper === 'M' && i === 0;
      if (moveTo) [startX, startY] = [x, y];
      ops.push(`${fmt(x, y)} ${moveTo ? 'm' : 'l'}`);
    }
  }
  return ops.join(' ');
}

// a quarter circle as a cubic Bézier: control points at this fraction of the radius
const KAPPA = 0.5522847498;

function circleOps(cx: number, cy: number, r: number): string {
  const k = r * KAPPA;
  return [
    `${fmt(cx + r, cy)} m`,
    `${fmt(cx + r, cy + k, cx + k, cy + r, cx, cy + r)} c`,
    `${fmt(cx - k, cy + r, cx - r, cy + k, cx - r, cy)} c`,
    `${fmt(cx - r, cy - k, cx - k, cy - r, cx, cy - r)} c`,
    `${fmt(cx + k, cy - r, cx + r, cy - k, cx + r, cy)} c`,
    'h',
  ].join(' ');
}

const SKIPPED = new Set(['title', 'desc', 'metadata', 'defs', 'style']);

function draw(el: XmlElement, parent: Style, out: ContentWriter): void {
  if (SKIPPED.has(el.name) || property(el, 'display') === 'none' || property(el, 'visibility') === 'hidden') return;
  const s = styleOf(el, parent);
  const transform = el.attrs.transform;
  if (transform) out.save(parseTransform(transform));
  const n = (name: string) => length(el.attrs[name], s.fontSize) ?? 0;
  switch (el.name) {
    case 'g':
      for (const c of el.children) if (typeof c !== 'string') draw(c, s, out);
      break;
    case 'rect': {
      if (n('rx') > 0 || n('ry') > 0) throw new Error('the PDF export does not draw rounded rectangles');
      if (n('width') > 0 && n('height') > 0) out.paint(s, `${fmt(n('x'), n('y'), n('width'), n('height'))} re`);
      break;
    }
    case 'line':
      out.paint(s, `${fmt(n('x1'), n('y1'))} m ${fmt(n('x2'), n('y2'))} l`, false);
      break;
    case 'circle':
      if (n('r') > 0) out.paint(s, circleOps(n('cx'), n('cy'), n('r')));
      break;
    case 'path':
    case 'polyline':
    case 'polygon': {
      const ops = el.name === 'path' ? pathOps(el.attrs.d ?? '') : pointsOps(el.attrs.points ?? '', el.name === 'polygon');
      if (ops) out.paint(s, ops);
      break;
    }
    case 'text':
      drawText(el, s, out);
      break;
    default:
      throw new Error(`the PDF export does not draw <${el.name}> elements`);
  }
  if (transform) out.restore();
}

function pointsOps(points: string, close: boolean): string {
  const a = numbers(points);
  const ops: string[] = [];
  for (let i = 0; i + 1 < a.length; i += 2) ops.push(`${fmt(a[i]!, a[i + 1]!)} ${i === 0 ? 'm' : 'l'}`);
  if (close && ops.length) ops.push('h');
  return ops.join(' ');
}

function drawText(el: XmlElement, s: Style, out: ContentWriter): void {
  const text = textContent(el);
  if (!text || !s.fill) return;
  const size = s.fontSize;
  const runs = textRuns(text);
  const width = runs.reduce((w, r) => w + textWidthEm(r.text) * (r.sup ? SUPER_SIZE : 1), 0) * size;
  const x = n0(el.attrs.x, size) + n0(el.attrs.dx, size) - (s.anchor === 'middle' ? width / 2 : s.anchor === 'end' ? width : 0);
  const y = n0(el.attrs.y, size) + n0(el.attrs.dy, size);
  out.useStyle(s, s.fill, null);
  // the page's y axis points down (as SVG's): flip the text matrix back so glyphs stand upright
  const ops = [`BT 1 0 0 -1 ${fmt(x, y)} Tm`];
  for (const r of runs) ops.push(`/F1 ${pdfNumber(r.sup ? size * SUPER_SIZE : size)} Tf ${r.sup ? pdfNumber(size * SUPER_RISE) : 0} Ts ${pdfLiteral(r.text)} Tj`);
  ops.push('ET');
  out.push(ops.join(' '));
}

/** The first length of an x/y/dx/dy list, 0 when absent. */
function n0(value: string | undefined, fontSize: number): number {
  return length(value?.trim().split(/[\s,]+/)[0], fontSize) ?? 0;
}

// ---- the file ------------------------------------------------------------------------------

/** A PDF text string: literal when plain ASCII, else UTF-16BE hex with a byte-order mark. */
function pdfTextString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  let hex = 'FEFF';
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

/**
 * A PDF file of the given objects (numbered from 1; `stream` after a dictionary becomes its
 * stream with /Length set), the first being the catalog and, when `info` is set, that object
 * number the document information. Every string must hold only characters below 256.
 */
export function pdfFile(objects: readonly { dict: string; stream?: string }[], info?: number): Uint8Array {
  // a comment with high bytes, so that transfer tools treat the file as binary
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    const dict = o.stream === undefined ? o.dict : o.dict.replace(/>>\s*$/, `/Length ${o.stream.length} >>`);
    out += `${i + 1} 0 obj\n${dict}\n${o.stream === undefined ? '' : `stream\n${o.stream}\nendstream\n`}endobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${info ? ` /Info ${info} 0 R` : ''} >>\nstartxref\n${xref}\n%%EOF\n`;
  const bytes = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) {
    const c = out.charCodeAt(i);
    if (c > 255) throw new Error('a PDF object holds a character above U+00FF');
    bytes[i] = c;
  }
  return bytes;
}

/** CSS pixels (96 per inch) to PDF points (72 per inch). */
export const PT_PER_PX = 72 / 96;

/** A one-page vector PDF of the SVG text; the page is the SVG's width and height in CSS pixels, as points at 96 dpi. */
export function svgToPdf(svgText: string): Uint8Array {
  const root = parseXml(svgText);
  if (root.name !== 'svg') throw new Error(`expected an <svg> root element, found <${root.name}>`);
  const width = length(root.attrs.width, 16);
  const height = length(root.attrs.height, 16);
  if (!width || !height) throw new Error('the SVG needs a width and height in pixels for the PDF page size');
  const vb = root.attrs.viewBox ? numbers(root.attrs.viewBox) : [0, 0, width, height];
  const [vx, vy, vw, vh] = vb.length === 4 && vb[2]! > 0 && vb[3]! > 0 ? vb : [0, 0, width, height];
  const out = new ContentWriter();
  // SVG user space on the page: y down from the top-left corner, the viewBox stretched onto the page
  const sx = (width / vw!) * PT_PER_PX;
  const sy = (height / vh!) * PT_PER_PX;
  out.save([sx, 0, 0, -sy, -vx! * sx, height * PT_PER_PX + vy! * sy]);
  const style = styleOf(root, INITIAL);
  for (const c of root.children) if (typeof c !== 'string') draw(c, style, out);
  out.restore();

  const title = root.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'title');
  const titleText = title ? textContent(title) : (root.attrs['aria-label'] ?? '');
  const alphas = [...out.alphas].map(([name, [fa, sa]]) => `/${name} << /Type /ExtGState /ca ${pdfNumber(fa)} /CA ${pdfNumber(sa)} >>`).join(' ');
  const objects = [
    { dict: '<< /Type /Catalog /Pages 2 0 R >>' },
    { dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    {
      dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${fmt(width * PT_PER_PX, height * PT_PER_PX)}] /Resources << /Font << /F1 4 0 R >>${alphas ? ` /ExtGState << ${alphas} >>` : ''} >> /Contents 5 0 R >>`,
    },
    { dict: `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [${MINUS_CODE} /minus] >> >>` },
    { dict: '<< >>', stream: out.ops.join('\n') },
    { dict: `<< /Title ${pdfTextString(titleText)} /Producer (FFN Lab) >>` },
  ];
  return pdfFile(objects, 6);
}
