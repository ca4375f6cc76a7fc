// JSON.parse silently keeps the last of two equal keys, so a header naming a tensor twice would
// parse "fine" and point at the wrong bytes. This scanner walks a text JSON.parse has already
// accepted and reports the first repeated key in any object, plus the top-level keys in text
// order (JS objects reorder integer-like keys, and we want file order).

export interface JsonKeyScan {
  topLevelKeys: string[];
  /** the first key seen twice in one object, with the keys leading to that object */
  duplicate: { path: string[]; key: string } | null;
}

interface Frame {
  /** null for arrays */
  keys: Set<string> | null;
  expectKey: boolean;
  lastKey: string;
  /** the enclosing container and this one's key there; the path is built only when reported */
  parent: Frame | null;
  keyInParent: string;
}

function pathOf(frame: Frame): string[] {
  const path: string[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) path.unshift(f.keyInParent);
  return path;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Deepest nesting of {} and [] outside strings, stopping once past `limit`. Runs before
 * JSON.parse: a 100 MB header of "[[[[..." would otherwise cost gigabytes to parse.
 */
export function jsonDepthExceeds(text: string, limit: number): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== QUOTE) j += text.charCodeAt(j) === BACKSLASH ? 2 : 1;
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return null;
}

/** Scans valid JSON text (call after JSON.parse succeeded); iterative, so depth cannot overflow. */
export function scanJsonKeys(text: string): JsonKeyScan {
  const topLevelKeys: string[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== QUOTE) j += text.charCodeAt(j) === BACKSLASH ? 2 : 1;
      if (top?.keys && top.expectKey) {
        // Decode escapes so "a" and "\u0061" count as the same key, as JSON.parse sees them.
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { topLevelKeys, duplicate: { path: pathOf(top), key } };
        top.keys.add(key);
        top.expectKey = false;
        top.lastKey = key;
        if (stack.length === 1) topLevelKeys.push(key);
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const keyInParent = top?.keys ? top.lastKey : '[]';
      stack.push({ keys: c === 0x7b ? new Set() : null, expectKey: true, lastKey: '', parent: top ?? null, keyInParent });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */ && top?.keys) {
      top.expectKey = true;
    }
  }
  return { topLevelKeys, duplicate: null };
}

/** Index just past the JSON value starting at `i` in valid JSON text (containers and strings skipped whole). */
function skipValue(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j++;
      while (j < text.length && text.charCodeAt(j) !== QUOTE) j += text.charCodeAt(j) === BACKSLASH ? 2 : 1;
      if (depth === 0) return j + 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return j; // end of the enclosing container: a number or literal ended here
      if (--depth === 0) return j + 1;
    } else if (depth === 0 && (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
      return j;
    }
  }
  return text.length;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

/** Start of the value of `key` in the object starting at `i`, or -1. */
function memberValue(text: string, i: number, key: string): number {
  i = skipSpace(text, i + 1);
  while (i < text.length && text.charCodeAt(i) === QUOTE) {
    const end = skipValue(text, i);
    const name = JSON.parse(text.slice(i, end)) as string;
    const value = skipSpace(text, skipSpace(text, end) + 1); // past ':'
    if (name === key) return value;
    i = skipSpace(text, skipValue(text, value));
    if (text.charCodeAt(i) !== 0x2c) return -1;
    i = skipSpace(text, i + 1);
  }
  return -1;
}

/**
 * The source text of the value at `keys` (object keys from the top) in valid JSON text, or null.
 * JSON.parse rounds integers above 2^53; an error about such an offset quotes this instead, so
 * the number printed is the one in the file, digit for digit.
 */
export function rawValueAt(text: string, keys: readonly string[]): string | null {
  let i = skipSpace(text, 0);
  for (const key of keys) {
    if (text.charCodeAt(i) !== 0x7b) return null;
    i = memberValue(text, i, key);
    if (i < 0) return null;
  }
  return text.slice(i, skipValue(text, i));
}
