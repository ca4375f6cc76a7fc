// Warnings about what a job read, stored with its capture or run and shown wherever its numbers
// are: a capture of one genre says nothing about the others, and a bootstrap over a handful of
// documents gives intervals that look tighter than the evidence is.

/** Fewer held-out documents than this: the bootstrap over documents has too few units to trust. */
export const MIN_HELD_OUT_DOCUMENTS = 30;

/** A metadata field of the corpus, with its distinct values in the corpus and in what was read. */
export interface FieldCoverage {
  field: string;
  corpusValues: number;
  values: readonly string[];
}

/**
 * One warning per categorical field that the corpus varies but the documents read do not (e.g.
 * every document read is news). A field with a value per document (a name, a date) is not a
 * category: it is skipped when the corpus has about as many values as documents.
 */
export function coverageWarnings(fields: readonly FieldCoverage[], corpusDocuments: number, documentsRead: number): string[] {
  return fields
    .filter((f) => f.corpusValues >= 2 && f.corpusValues <= corpusDocuments / 2 && f.values.length === 1)
    .map(
      (f) =>
        `covers one value of "${f.field}" only (${f.field} = ${f.values[0]}, 1 of the corpus's ${f.corpusValues} values, over ${documentsRead} document${documentsRead === 1 ? '' : 's'}): ` +
        `its statistics describe that ${f.field} alone; use a shuffled or stratified order, or a larger budget, to cover the corpus`,
    );
}

/** A warning when the held-out evaluation rests on fewer than MIN_HELD_OUT_DOCUMENTS documents. */
export function heldOutWarnings(documents: number): string[] {
  if (documents >= MIN_HELD_OUT_DOCUMENTS) return [];
  return [
    `the held-out set has ${documents} document${documents === 1 ? '' : 's'} (fewer than ${MIN_HELD_OUT_DOCUMENTS}): the 95% intervals bootstrap over documents, ` +
      `so they rest on ${documents} unit${documents === 1 ? '' : 's'}; evaluate more documents (a larger --max-tokens, or --tokens-per-document to read more of them within the budget)`,
  ];
}

/**
 * A warning when the intact model's loss is above ln(vocabulary size), the loss of a uniform guess:
 * a trained model does better than that on text of its language, so the likeliest cause is a
 * tokenizer that does not match the model (its ids mean other tokens).
 */
export function tokenizerWarnings(loss: number, vocabSize: number): string[] {
  const uniform = Math.log(vocabSize);
  if (!(loss > uniform)) return [];
  return [
    `the intact model's loss ${loss.toFixed(3)} nats/token is above ln(${vocabSize}) = ${uniform.toFixed(3)}, the loss of a uniform guess over its vocabulary: ` +
      `most likely the wrong tokenizer (check that tokenizer.json belongs to this model, or attach the right one), or text unlike anything the model was trained on`,
  ];
}
