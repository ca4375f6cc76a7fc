// Model rows as the API shows them.
import { ApiError } from './errors.js';
import { tokenizerSource } from '../native-models/tokenizers/tokenizer.js';
import type { ModelRecord } from '../db/models.js';
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
    tokenizer: tokenizerSource(r.path),
    params: r.params,
    sha256: r.sha256,
    createdAt: r.createdAt,
  };
}

/** Refuses, before a job starts, a model that has no tokenizer: the job would read text it cannot encode. */
export function requireTokenizer(r: ModelRecord, what: string): void {
  if (tokenizerSource(r.path) === null) {
    throw new ApiError('bad-request', `model "${r.name}" has no tokenizer (tokenizer.json in its folder, tokenizer.bin beside a llama2.c .bin, or one in the GGUF's metadata); ${what} needs one to read the corpus`);
  }
}
