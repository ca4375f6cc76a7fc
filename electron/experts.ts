// What a capture of a mixture-of-experts model says about its experts: the router statistics per
// layer and expert (analysis/router-stats.ts), as the capture stored them. Used by the CLI
// (`experts`) and later the Experts view.
import { getDataset, loadRouterState } from '../db/datasets.js';
import { getModel } from '../db/models.js';
import type { Db } from '../db/database.js';
import type { ModelSpec } from '../native-models/spec.js';
import { routerStatsFromJson, summarizeRouter, type RouterLayerRow } from './analysis/router-stats.js';
import { ApiError } from './errors.js';

export interface ExpertsSummary {
  experts: number;
  topK: number;
  /** the experts' units: expert e holds neurons e * expertFf .. (e + 1) * expertFf - 1 of each layer */
  expertFf: number;
  shared: { ff: number; gated: boolean } | null;
  layers: RouterLayerRow[];
}

export function expertsSummary(db: Db, datasetId: number, options: { rareBound?: number; pairs?: number } = {}): ExpertsSummary {
  const d = getDataset(db, datasetId);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${datasetId} does not exist; make one with ffn-lab capture`);
  const spec = getModel(db, d.modelId)!.spec as ModelSpec;
  const moe = spec.moe;
  if (!moe) throw new ApiError('bad-request', `dataset ${datasetId} is a capture of ${spec.architecture}, a dense model: it has no experts`);
  const state = loadRouterState(db, datasetId);
  if (state === null) throw new ApiError('bad-request', `dataset ${datasetId} has no router statistics (captured before they existed); capture the model again`);
  return { experts: moe.experts, topK: moe.topK, expertFf: moe.expertFf, shared: moe.shared ?? null, layers: summarizeRouter(routerStatsFromJson(state), options) };
}
