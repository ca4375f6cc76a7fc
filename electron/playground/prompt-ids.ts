// A playground prompt given as token ids, "[1, 345, 17]": the exact input, whatever the tokenizer
// would make of text (and the way to test what a model does with ids a tokenizer never emits).
import { ApiError } from '../errors.js';

/**
 * The ids of a prompt written as a JSON-style list of whole numbers, or null when the prompt is
 * text. A list with an id outside the vocabulary is refused, naming the id and the range.
 */
export function promptIds(prompt: string, vocabSize: number): number[] | null {
  const m = /^\s*\[([\s\d,]*)\]\s*$/.exec(prompt);
  if (!m) return null;
  const parts = (m[1] as string).split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') throw new ApiError('bad-request', 'the prompt is an empty list of token ids; give at least one, e.g. [1, 345, 17]');
  const ids = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const bad = ids.findIndex((id) => !Number.isSafeInteger(id) || id >= vocabSize);
  if (bad >= 0) throw new ApiError('bad-request', `token id "${parts[bad]}" at position ${bad} of the prompt is not in the model's vocabulary (0..${vocabSize - 1})`);
  return ids;
}
