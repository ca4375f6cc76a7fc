// Which tokens a capture stores hidden states for, chosen up front from the window plan so that a
// resumed capture picks exactly the same ones. The sample is stratified: the count is split evenly
// over the documents (a document with fewer counted tokens than its share gives the rest to the
// others; the remainder of the split goes to documents picked by the seed), and within a document
// the positions are spread evenly: its counted tokens are cut into as many equal strata as it gets
// samples and one seeded random token is drawn from each.
import type { Tokenizer } from '../../../native-models/tokenizers/tokenizer.js';
import type { WindowPlan } from './windows.js';
import { prng } from '../../../common/prng.js';

export interface SamplePick {
  /** index into plan.windows: the window that counts this token */
  window: number;
  /** index into the documents given to planWindows */
  doc: number;
  /** position in the document */
  position: number;
}

const mix = (seed: number, k: number): number => (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;

/**
 * How many tokens a capture samples when not told: 4096 (enough for the manifold view and for the
 * token-specific and positional detectors), but at most ~256 MiB of float16 hidden states, so a
 * 7B-class model (L x (D + F) ~ 0.5M values a token) keeps a few hundred.
 */
export function defaultSampleCount(layers: number, dModel: number, dFf: number): number {
  const bytesPerSample = 2 * layers * (dModel + dFf);
  return Math.max(256, Math.min(4096, Math.floor((256 * 2 ** 20) / bytesPerSample)));
}

/** `count` tokens of the plan (all counted tokens when fewer), in window order then position. */
export function planSamples(plan: WindowPlan, count: number, seed = 0): SamplePick[] {
  if (count <= 0) return [];
  // counted tokens per document: a document's windows count positions 0..n-1 in order
  const counted = new Map<number, number>();
  for (const w of plan.windows) counted.set(w.doc, (counted.get(w.doc) ?? 0) + w.counted);
  const docs = [...counted.keys()].filter((d) => (counted.get(d) as number) > 0);
  const alloc = new Map<number, number>(docs.map((d) => [d, 0]));
  let left = count;
  const order = docs.slice();
  const r = prng(mix(seed, -1));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  for (;;) {
    const open = order.filter((d) => (alloc.get(d) as number) < (counted.get(d) as number));
    if (left <= 0 || open.length === 0) break;
    const share = Math.floor(left / open.length);
    for (let i = 0; i < open.length && left > 0; i++) {
      const d = open[i] as number;
      const give = Math.min(share === 0 ? 1 : share, (counted.get(d) as number) - (alloc.get(d) as number));
      alloc.set(d, (alloc.get(d) as number) + give);
      left -= give;
    }
  }
  const positions = new Map<number, number[]>();
  for (const d of docs) {
    const k = alloc.get(d) as number;
    const n = counted.get(d) as number;
    const rd = prng(mix(seed, d));
    const ps: number[] = [];
    for (let i = 0; i < k; i++) {
      const lo = Math.floor((i * n) / k);
      const hi = Math.floor(((i + 1) * n) / k);
      ps.push(lo + Math.floor(rd() * (hi - lo)));
    }
    positions.set(d, ps);
  }
  const picks: SamplePick[] = [];
  plan.windows.forEach((w, i) => {
    const from = w.start + w.skip;
    for (const p of positions.get(w.doc) ?? []) if (p >= from && p < from + w.counted) picks.push({ window: i, doc: w.doc, position: p });
  });
  return picks;
}

/**
 * The given tokens ([document index, position]) as picks of the plan, in the order planSamples
 * gives them (window order, then position); a token the plan does not count is not sampled.
 */
export function picksAt(plan: WindowPlan, tokens: ReadonlyArray<readonly [number, number]>): SamplePick[] {
  const byDoc = new Map<number, number[]>();
  for (const [doc, position] of tokens) byDoc.set(doc, [...(byDoc.get(doc) ?? []), position]);
  for (const ps of byDoc.values()) ps.sort((a, b) => a - b);
  const picks: SamplePick[] = [];
  plan.windows.forEach((w, i) => {
    const from = w.start + w.skip;
    for (const p of byDoc.get(w.doc) ?? []) if (p >= from && p < from + w.counted) picks.push({ window: i, doc: w.doc, position: p });
  });
  return picks;
}

/**
 * The part-of-speech tag of the word a token falls in, from [start, end, tag] character spans of
 * the document text. The token's characters are found by decoding the document's tokens up to and
 * through it and matching the decoded text against the document in order, skipping document
 * characters the tokenizer dropped (characters outside its vocabulary); the tag is that of the span
 * holding the token's first non-space character. Undefined when the token is whitespace only, falls
 * between words, or the decoded text is not the document with characters dropped (a normalizing
 * tokenizer, a token that ends inside a multi-byte character).
 */
export function posOfToken(tokenizer: Tokenizer, text: string, tokens: readonly number[], position: number, spans: ReadonlyArray<readonly [number, number, string]>): string | undefined {
  const before = tokenizer.decode(tokens.slice(0, position), { skipSpecial: true });
  const through = tokenizer.decode(tokens.slice(0, position + 1), { skipSpecial: true });
  let first = before.length;
  while (first < through.length && /\s/.test(through[first] as string)) first++;
  if (first >= through.length) return undefined;
  let at = -1;
  let i = 0;
  for (let j = 0; j <= first; j++) {
    while (i < text.length && text[i] !== through[j]) i++;
    if (i >= text.length) return undefined;
    if (j === first) at = i;
    i++;
  }
  // spans are in text order: binary search for the last span starting at or before `at`
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as readonly [number, number, string])[0] <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const s = spans[found];
  return s && at < s[1] ? s[2] : undefined;
}
