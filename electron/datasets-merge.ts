// Merging captures: statistics over disjoint parts of a corpus (other documents, or the same
// corpus captured on another machine and its database file copied here) add up to the statistics
// of the whole, because everything kept is a sum, a count, a min or a max (analysis/neuron-stats).
// Top examples merge by value; sampled hidden states are copied. Sources from another database are
// matched to this one by content: the model by its weights' sha256, the corpus by its checksum,
// documents by their ordinal in the corpus.
import type { Db } from '../db/database.js';
import { documentIdsByOrdinal, documentOrdinals, findCorpusByChecksum, getCorpus } from '../db/corpora.js';
import { createDataset, getDataset, loadResidTop, loadRouterState, loadStats, loadTopExamples, markDatasetReady, saveCheckpoint, type DatasetRecord, type ResidTopRow, type TopExample } from '../db/datasets.js';
import { findModelBySha, getModel } from '../db/models.js';
import { readSamples, type NewSample, type Sample } from '../db/samples.js';
import type { ModelSpec } from '../native-models/spec.js';
import { merge } from './analysis/neuron-stats.js';
import { mergeTopK } from './analysis/top-k.js';
import { mergeRouterStats, routerStatsFromJson, routerStatsToJson } from './analysis/router-stats.js';
import { mergeResidTop, residTopFromRows, residTopRows } from './analysis/resid-top.js';
import { ApiError } from './errors.js';
import { fireRuleOf, fromStored, toStored, topFromRows, type FireRule } from './jobs/capture/checkpoint.js';

export interface MergeSource {
  db: Db;
  datasetId: number;
  /** how the user named it, for messages ("3", "other.sqlite:2") */
  label: string;
}

interface Resolved {
  source: MergeSource;
  dataset: DatasetRecord;
  rule: FireRule;
  topK: number;
  /** the source's document ids -> this database's */
  docs: (id: number) => number;
  top: TopExample[];
  samples: Sample[];
  /** residual maxima kept per (layer, dim); 0: the capture has none (made before they existed) */
  residK: number;
  residTop: ResidTopRow[];
}

/**
 * `extra` is added to the merged capture's params (a cluster study says which shards it holds). One
 * source is allowed (a copy from another database: a study with one shard done); the API and the
 * CLI's merge ask for two.
 */
export function mergeCaptures(target: Db, sources: readonly MergeSource[], name: string, extra: Record<string, unknown> = {}): DatasetRecord {
  if (sources.length < 1) throw new ApiError('bad-request', 'merging needs at least one capture');
  const seen = new Set<string>();
  let modelId: number | undefined;
  let corpusId: number | undefined;
  const resolved: Resolved[] = sources.map((source) => {
    const dataset = getDataset(source.db, source.datasetId);
    if (!dataset || dataset.status !== 'ready') throw new ApiError('not-found', `capture ${source.label} does not exist or has not finished`);
    const model = getModel(source.db, dataset.modelId)!;
    const corpus = getCorpus(source.db, dataset.corpusId);
    const here = source.db === target ? model : findModelBySha(target, model.sha256);
    if (!here) throw new ApiError('bad-request', `capture ${source.label} was made with model "${model.name}" (sha256 ${model.sha256.slice(0, 12)}…), which is not imported here; import the same checkpoint first`);
    const corpusHere = source.db === target ? corpus : corpus && findCorpusByChecksum(target, corpus.checksum);
    if (!corpus || !corpusHere) throw new ApiError('bad-request', `capture ${source.label} read corpus "${corpus?.name ?? dataset.corpusId}", which is not imported here with the same texts (checksum); import it first`);
    if (modelId !== undefined && here.id !== modelId) throw new ApiError('bad-request', `capture ${source.label} is of another model than the first capture; only captures of one model merge`);
    if (corpusId !== undefined && corpusHere.id !== corpusId) throw new ApiError('bad-request', `capture ${source.label} read another corpus than the first capture; captures of one corpus merge (over disjoint documents)`);
    modelId = here.id;
    corpusId = corpusHere.id;
    const key = `${source.db.name}:${dataset.id}`;
    if (seen.has(key)) throw new ApiError('bad-request', `capture ${source.label} is given twice; merged captures must cover disjoint documents`);
    seen.add(key);
    const p = dataset.params as { topK?: number };
    const top = loadTopExamples(source.db, dataset.id);
    const samples = readSamples(source.db, dataset.id, (model.spec as ModelSpec).nLayers, { blobs: true });
    const residK = (dataset.params as { residTopK?: number }).residTopK ?? 0;
    const residTop = residK > 0 ? loadResidTop(source.db, dataset.id) : [];
    let docs = (id: number) => id;
    if (source.db !== target) {
      // every document the source refers to, by its ordinal, to this database's document of that ordinal
      const ordinals = documentOrdinals(source.db, [...top.map((t) => t.documentId), ...samples.map((x) => x.documentId), ...residTop.map((r) => r.documentId)]);
      const byOrdinal = documentIdsByOrdinal(target, corpusHere.id);
      docs = (id) => byOrdinal.get(ordinals.get(id) as number) as number;
    }
    return { source, dataset, rule: fireRuleOf(dataset.params), topK: p.topK ?? 16, docs, top, samples, residK, residTop };
  });
  const [first] = resolved as [Resolved];
  for (const r of resolved) {
    if (r.rule.fireThreshold !== first.rule.fireThreshold) throw new ApiError('bad-request', `capture ${r.source.label} counted firing above ${r.rule.fireThreshold}, capture ${first.source.label} above ${first.rule.fireThreshold}; only captures with the same threshold merge`);
    if (r.rule.fireMode !== first.rule.fireMode) throw new ApiError('bad-request', `capture ${r.source.label} counted firing as ${r.rule.fireMode === 'magnitude' ? '|a|' : 'a'} > threshold, capture ${first.source.label} as ${first.rule.fireMode === 'magnitude' ? '|a|' : 'a'} > threshold; only captures with the same firing rule merge`);
    if (r.topK !== first.topK) throw new ApiError('bad-request', `capture ${r.source.label} kept ${r.topK} top examples per neuron, capture ${first.source.label} ${first.topK}; only captures with the same top-k merge`);
  }
  const spec = getModel(target, modelId as number)!.spec as ModelSpec;
  const { nLayers: L, dFf: F } = spec;
  const stats = resolved.map((r) => fromStored(loadStats(r.source.db, r.dataset.id, L, F), r.rule)).reduce((a, b) => merge(a, b));
  const top =
    first.topK > 0
      ? resolved
          .map((r) => topFromRows(L, F, r.topK, r.top.map((t): TopExample => ({ ...t, documentId: r.docs(t.documentId) }))))
          .reduce((a, b) => mergeTopK(a, b))
      : null;
  // residual maxima: the top-k of the union is exact; with different k, the smallest k of all; a
  // source without them leaves the merged capture without them (its params say residTopK 0)
  const residK = Math.min(...resolved.map((r) => r.residK));
  const residTop =
    residK > 0
      ? resolved
          .map((r) => residTopFromRows(L, spec.dModel, residK, r.residTop.filter((t) => t.rank < residK).map((t): ResidTopRow => ({ ...t, documentId: r.docs(t.documentId) }))))
          .reduce((a, b) => mergeResidTop(a, b))
      : null;
  const samples: NewSample[] = resolved.flatMap((r) =>
    r.samples.map((s) => ({
      documentId: r.docs(s.documentId),
      position: s.position,
      tokenId: s.tokenId,
      token: s.token,
      metadata: s.metadata,
      loss: s.loss,
      residual: concat(s.residual),
      ffn: concat(s.ffn),
      experts: s.experts,
    })),
  );
  const tokens = resolved.reduce((n, r) => n + r.dataset.tokens, 0);
  // mixture of experts: the router totals add up like the neuron statistics (all sources have them, or none is kept)
  const routerStates = resolved.map((r) => loadRouterState(r.source.db, r.dataset.id));
  const router = routerStates.every((x): x is string => x !== null) && routerStates.length > 0 ? routerStatsToJson(routerStates.map(routerStatsFromJson).reduce((a, b) => mergeRouterStats(a, b))) : undefined;
  return target.transaction(() => {
    const d = createDataset(target, {
      name,
      modelId: modelId as number,
      corpusId: corpusId as number,
      jobId: null,
      params: {
        ...(first.dataset.params as object),
        residTopK: residK,
        ...(residK === 0 ? { residTopMissing: resolved.filter((r) => r.residK === 0).map((r) => r.source.label) } : {}),
        merged: resolved.map((r) => ({ capture: r.source.label, name: r.dataset.name, tokens: r.dataset.tokens })),
        ...extra,
      },
      batchesTotal: 0,
    });
    saveCheckpoint(target, d.id, { batchesDone: 0, tokens, stats: toStored(stats), top, samples, ...(residTop ? { residTop: residTopRows(residTop) } : {}), ...(router ? { router } : {}) });
    markDatasetReady(target, d.id);
    return getDataset(target, d.id) as DatasetRecord;
  })();
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
