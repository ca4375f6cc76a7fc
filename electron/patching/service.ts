// Patching and the residual lens as the API and the CLI see them: a stored model by id, prompts as
// text (tokenized here; target and foil must be one token each), results with token texts, and
// patching runs stored with their exact request so that they can be repeated.
import type { Db } from '../../db/database.js';
import { getModel, type ModelRecord } from '../../db/models.js';
import { getPatchRun, savePatchRun } from '../../db/patching.js';
import { loadModel } from '../../native-models/load.js';
import type { LoadedModel } from '../../native-models/spec.js';
import { loadTokenizer, modelTokenText, type Tokenizer } from '../../native-models/tokenizers/tokenizer.js';
import type { LensRequest, PatchRequest } from '../api.js';
import { ApiError } from '../errors.js';
import { graphCacheDir } from '../inference.js';
import { APP_VERSION } from '../version.js';
import { runResidualLens } from './lens.js';
import { PatchError, runPatching, type PatchPairIds, type PatchRun } from './run.js';

export interface PatchView extends PatchRun {
  id: number;
  name: string;
  modelId: number;
  modelSha256: string;
  appVersion: string;
  createdAt: string;
  /** the request that made it (re-run it with patch.run) */
  params: PatchRequest;
  /** the first pair's corrupted prompt, token by token (the positions of the heat map) */
  tokens: string[];
  /** neuron labels are layer:neuron; the tokens' texts */
  target: string;
  foil: string | null;
}

export interface LensView {
  tokens: { id: number; text: string }[];
  target: { id: number; text: string } | null;
  /** per layer, per position: the top tokens and the target's rank (1 = most likely) */
  layers: { layer: number; positions: { top: { token: number; text: string; logit: number; prob: number }[]; target?: { rank: number; logit: number; prob: number } }[] }[];
}

interface Loaded {
  record: ModelRecord;
  model: LoadedModel;
  tokenizer: Tokenizer;
}

function load(db: Db, modelId: number): Loaded {
  const record = getModel(db, modelId);
  if (!record) throw new ApiError('not-found', `model ${modelId} does not exist`);
  const model = loadModel(record.path);
  if (model.source.sha256 !== record.sha256) throw new ApiError('conflict', `the files of model "${record.name}" at ${record.path} changed since import (sha256 differs); import them again`);
  const tokenizer = loadTokenizer(record.path, record.tokenizerPath);
  if (!tokenizer) throw new ApiError('bad-request', `model "${record.name}" has no tokenizer; patching and the lens read prompts as text`);
  return { record, model, tokenizer };
}

/** The single token a target or foil text stands for, or an error naming how it splits. */
function oneToken(tokenizer: Tokenizer, text: string, what: string): number {
  const ids = tokenizer.encode(text, { addSpecial: false });
  if (ids.length !== 1) {
    const parts = ids.map((id) => JSON.stringify(tokenizer.tokenText(id))).join(' + ');
    throw new ApiError('bad-request', `the ${what} ${JSON.stringify(text)} is ${ids.length} tokens (${parts || 'none'}); it must be exactly one token (e.g. with its leading space: " Paris")`);
  }
  return ids[0] as number;
}

export async function runPatchRequest(db: Db, dataDir: string, request: PatchRequest): Promise<PatchView> {
  const { record, model, tokenizer } = load(db, request.modelId);
  const pairs: PatchPairIds[] = request.pairs.map((p, i) => {
    const where = request.pairs.length === 1 ? '' : ` of pair ${i + 1}`;
    if (request.metric === 'logit-diff' && p.foil === undefined) throw new ApiError('bad-request', `the logit-diff metric needs a foil token${where} (the corrupted prompt's answer); give one, or use the loss metric`);
    const target = oneToken(tokenizer, p.target, `target${where}`);
    return { clean: tokenizer.encode(p.clean), corrupt: tokenizer.encode(p.corrupt), target, foil: p.foil === undefined ? target : oneToken(tokenizer, p.foil, `foil${where}`) };
  });
  let run: PatchRun;
  try {
    run = await runPatching(model, pairs, { metric: request.metric, top: request.top, searchLayers: request.searchLayers, cacheDir: graphCacheDir(dataDir) });
  } catch (e) {
    if (e instanceof PatchError) throw new ApiError('bad-request', `${e.message} (model "${record.name}")`);
    throw e;
  }
  const first = request.pairs[0] as PatchRequest['pairs'][number];
  const name = request.name ?? `${request.pairs.length === 1 ? JSON.stringify(first.clean) : `${request.pairs.length} pairs`} → ${first.target.trim()}`;
  const layerEffects = (['denoise', 'noise'] as const).flatMap((d) =>
    run.layers[d].flatMap((e) => (e.all ? [{ condition: `layer ${e.layer} ${d}`, value: e.all.effect, low: e.all.low, high: e.all.high }] : [])),
  );
  const stored = { ...run, tokens: (pairs[0] as PatchPairIds).corrupt.map((id) => tokenizer.tokenText(id)), target: first.target, foil: first.foil ?? null };
  const id = savePatchRun(db, { name, modelId: record.id, metric: request.metric, params: request, result: stored, modelSha256: record.sha256, appVersion: APP_VERSION, layerEffects });
  return patchView(db, id) as PatchView;
}

/** A stored run as the API shows it. */
export function patchView(db: Db, id: number): PatchView | undefined {
  const r = getPatchRun(db, id);
  if (!r) return undefined;
  const result = r.result as Omit<PatchView, 'id' | 'name' | 'modelId' | 'modelSha256' | 'appVersion' | 'createdAt' | 'params'>;
  return { ...result, id: r.id, name: r.name, modelId: r.modelId, modelSha256: r.modelSha256, appVersion: r.appVersion, createdAt: r.createdAt, params: r.params as PatchRequest };
}

export async function runLensRequest(db: Db, dataDir: string, request: LensRequest): Promise<LensView> {
  const { record, model, tokenizer } = load(db, request.modelId);
  const ids = tokenizer.encode(request.prompt);
  const target = request.target === undefined ? undefined : oneToken(tokenizer, request.target, 'target');
  let run;
  try {
    run = await runResidualLens(model, ids, { top: request.top, ...(target !== undefined ? { target } : {}), cacheDir: graphCacheDir(dataDir) });
  } catch (e) {
    if (e instanceof PatchError) throw new ApiError('bad-request', `${e.message} (model "${record.name}")`);
    throw e;
  }
  // the lens ranks the model's whole vocabulary, which may pass the tokenizer's
  const text = (id: number) => modelTokenText(tokenizer, id);
  return {
    tokens: ids.map((id) => ({ id, text: text(id) })),
    target: target === undefined ? null : { id: target, text: text(target) },
    layers: run.layers.map((row, layer) => ({
      layer,
      positions: row.map((cell) => ({
        top: cell.top.map((x) => ({ ...x, text: text(x.token) })),
        ...(cell.target ? { target: { rank: cell.target.rank, logit: cell.target.logit, prob: cell.target.prob } } : {}),
      })),
    })),
  };
}
