// How a capture cuts documents into model inputs: each document on its own (no context leaks
// across documents), in windows of at most seqLen tokens that start every `stride` tokens. A token
// is counted once, in the first window that holds it with the most context before it: windows
// after the first count only what the previous window did not reach.

export interface Window {
  /** index into the documents given to planWindows */
  doc: number;
  /** first token of the window, as a position in the document */
  start: number;
  /** tokens in the window (<= seqLen; the rest of the batch row is padding) */
  length: number;
  /** tokens of the window counted in the statistics: positions [start + skip, start + skip + counted) */
  skip: number;
  counted: number;
}

export interface WindowPlan {
  windows: Window[];
  /** tokens counted over all windows (<= maxTokens when given) */
  tokens: number;
}

export function planWindows(docLengths: readonly number[], seqLen: number, stride: number, maxTokens = Infinity): WindowPlan {
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new RangeError(`sequence length must be an integer >= 2, got ${seqLen}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > seqLen) throw new RangeError(`stride must be an integer in 1..${seqLen}, got ${stride}`);
  const windows: Window[] = [];
  let tokens = 0;
  for (let doc = 0; doc < docLengths.length && tokens < maxTokens; doc++) {
    const n = docLengths[doc] as number;
    let reached = 0; // first position not yet counted
    for (let start = 0; reached < n && tokens < maxTokens; start += stride) {
      const end = Math.min(start + seqLen, n);
      const counted = Math.min(end - reached, maxTokens - tokens);
      windows.push({ doc, start, length: end - start, skip: reached - start, counted });
      tokens += counted;
      reached = end;
    }
  }
  return { windows, tokens };
}
