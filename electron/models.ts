// Model rows as the API shows them.
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
    params: r.params,
    sha256: r.sha256,
    createdAt: r.createdAt,
  };
}
