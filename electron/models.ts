// Model rows as the API shows them.
import { ApiError } from './errors.js';
import * as path from 'node:path';
import { loadTokenizer, tokenizerSource } from '../native-models/tokenizers/tokenizer.js';
import { setModelTokenizer, type ModelRecord } from '../db/models.js';
import type { Db } from '../db/database.js';
import type { ModelSpec } from '../native-models/spec.js';
import type { Model } from './api.js';

export function modelSummary(r: ModelRecord): Model {
  const spec = r.spec as ModelSpec;
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    format: r.format as Model['format'],
    architecture: r.architecture,
    family: spec.family,
    layers: spec.nLayers,
    dModel: spec.dModel,
    dFf: spec.dFf,
    heads: spec.nHeads,
    kvHeads: spec.nKvHeads,
    vocabSize: spec.vocabSize,
    maxPositions: spec.maxPositions,
    activation: spec.activation,
    gated: spec.gated,
    experts: spec.moe?.experts ?? null,
    tokenizer: tokenizerSource(r.path, r.tokenizerPath),
    tokenizerPath: r.tokenizerPath,
    params: r.params,
    sha256: r.sha256,
    createdAt: r.createdAt,
  };
}

/** Refuses, before a job starts, a model that has no tokenizer: the job would read text it cannot encode. */
export function requireTokenizer(r: ModelRecord, what: string): void {
  if (tokenizerSource(r.path, r.tokenizerPath) === null) {
    const attached = r.tokenizerPath === null ? '' : `; the attached ${r.tokenizerPath} holds none any more`;
    throw new ApiError('bad-request', `model "${r.name}" has no tokenizer (tokenizer.json in its folder, tokenizer.bin beside a llama2.c .bin, or one in the GGUF's metadata${attached}); ${what} needs one to read the corpus (attach one: ffn-lab tokenizer attach --model ${r.name} PATH, or on the Models page)`);
  }
}

/**
 * Attaches the tokenizer at `tokenizerPath` to the model after loading it, or detaches the attached
 * one (null). Refused: a path that holds no tokenizer or a malformed one (the TokenizerError's
 * message), and a vocabulary larger than the model's (its ids would index past the embedding).
 */
export function attachTokenizer(db: Db, r: ModelRecord, tokenizerPath: string | null): void {
  if (tokenizerPath === null) {
    setModelTokenizer(db, r.id, null);
    return;
  }
  const absolute = path.resolve(tokenizerPath);
  const tokenizer = loadTokenizer(r.path, absolute);
  // loadTokenizer with an attached path throws rather than returning null; this guards the type.
  if (!tokenizer) throw new ApiError('bad-request', `${absolute} holds no tokenizer; expected a tokenizer.json file, a llama2.c tokenizer.bin, or a folder holding one of them`);
  const modelVocab = (r.spec as ModelSpec).vocabSize;
  if (tokenizer.vocabSize > modelVocab) {
    throw new ApiError(
      'bad-request',
      `the tokenizer at ${absolute} has ${tokenizer.vocabSize} tokens but model "${r.name}" has a vocabulary of ${modelVocab}; expected at most ${modelVocab} (is it the tokenizer of another model?)`,
    );
  }
  setModelTokenizer(db, r.id, absolute);
}
