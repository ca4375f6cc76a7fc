// What every job that runs a model checks first: the model exists, its files are the ones imported
// (same sha256), its weights are finite (the import's scan says so) and it has a tokenizer; the
// corpus exists. Each failure is a message the user can act on. Also: tokenize documents up to a
// token budget.
import type { Db } from '../../db/database.js';
import { getCorpus, type CorpusRecord } from '../../db/corpora.js';
import { getModel, type ModelRecord } from '../../db/models.js';
import { firstInvalidWeight } from '../../db/weights.js';
import { loadModel } from '../../native-models/load.js';
import type { LoadedModel } from '../../native-models/spec.js';
import { loadTokenizer, type Tokenizer } from '../../native-models/tokenizers/tokenizer.js';
import { JobInputError } from './definition.js';

export interface JobModel {
  record: ModelRecord;
  model: LoadedModel;
  tokenizer: Tokenizer;
}

/** `purpose` completes "… needs finite weights" / "… needs a tokenizer", e.g. "capture". */
export function openJobModel(db: Db, modelId: number, purpose: string): JobModel {
  const record = getModel(db, modelId);
  if (!record) throw new JobInputError(`model ${modelId} does not exist; import it first (ffn-lab import <path>)`);
  const model = loadModel(record.path);
  if (model.source.sha256 !== record.sha256) {
    throw new JobInputError(`the files of model "${record.name}" at ${record.path} changed since import (sha256 differs); import them again`);
  }
  // The import's weight scan already read every tensor; the sha256 check above says it still holds.
  const invalid = firstInvalidWeight(db, record.id);
  const bad = invalid && `${invalid.tensor}[${invalid.index.join(', ')}] = ${invalid.value}`;
  if (bad) throw new JobInputError(`model "${record.name}" has invalid weights (${bad}); ${purpose} needs finite weights: run the weight scan (ffn-lab scan ${record.id}) to list them`);
  const tokenizer = loadTokenizer(record.path, record.tokenizerPath);
  if (!tokenizer) throw new JobInputError(`model "${record.name}" has no tokenizer (tokenizer.json in its folder, or tokenizer.bin beside a llama2.c .bin); ${purpose} needs one to read the corpus`);
  return { record, model, tokenizer };
}

/** A ready corpus, or an error that says how to make one. */
export function openJobCorpus(db: Db, corpusId: number): CorpusRecord {
  const corpus = getCorpus(db, corpusId);
  if (!corpus || corpus.status !== 'ready') throw new JobInputError(`corpus ${corpusId} does not exist; import one first (ffn-lab corpus import <path|brown>)`);
  return corpus;
}

/**
 * Token ids of the documents in order, each cut to its first `perDocument` tokens (when given),
 * stopping once `maxTokens` are reached.
 */
export function tokenizeDocuments(tokenizer: Tokenizer, docs: readonly { text: string }[], maxTokens = Infinity, perDocument = Infinity): number[][] {
  const tokens: number[][] = [];
  for (let i = 0, total = 0; i < docs.length && total < maxTokens; i++) {
    const all = tokenizer.encode((docs[i] as { text: string }).text);
    const ids = all.length > perDocument ? all.slice(0, perDocument) : all;
    tokens.push(ids);
    total += ids.length;
  }
  return tokens;
}

/** A stratified order needs a metadata field the corpus has: say which ones it has when not. */
export function checkDocumentOrder(corpus: CorpusRecord, filter: { order?: string; stratifyBy?: string }): void {
  if (filter.order !== 'stratified') return;
  const field = filter.stratifyBy ?? 'genre';
  if (!corpus.metadataFields.includes(field)) {
    const fields = corpus.metadataFields.length > 0 ? corpus.metadataFields.join(', ') : 'none';
    throw new JobInputError(`a stratified order needs a metadata field of corpus "${corpus.name}" to deal round-robin over; it has no field "${field}" (its fields: ${fields})`);
  }
}
