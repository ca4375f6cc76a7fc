// Merging ablation runs over disjoint documents (the shards of a cluster study, in document order)
// into the run over all of them: the per-document totals (NLL, KL, top-1 agreement, tokens: the
// bootstrap's inputs, kept in each run's details) are concatenated, and the metrics and their
// bootstrap intervals are computed from them exactly as one run computes them, so the merged run
// equals the uninterrupted one. The tokens hurt most are the top of the union of each run's top.
import type { Db } from '../db/database.js';
import { getAblation, saveAblation, type AblationMetricRow } from '../db/ablations.js';
import { conditionMetrics, type DocTotals } from './analysis/ablation-metrics.js';
import type { AblateParams, AblationResult } from './api.js';
import { ApiError } from './errors.js';
import { APP_VERSION } from './version.js';

/** tokens hurt most, kept per condition (as the ablation job keeps them) */
const HURT_KEPT = 25;

export interface AblationSource {
  db: Db;
  ablationId: number;
  /** how to name it in messages */
  label: string;
}

interface Details {
  tokens: number;
  documents: number;
  baseline: AblationResult['baseline'];
  results: AblationResult['results'];
  perDocument: AblationResult['perDocument'];
  docTotals?: { base: DocTotals[]; conditions: DocTotals[][] };
}

export interface MergedAblationTarget {
  modelId: number;
  corpusId: number;
  name: string;
  /** the merged run's parameters (model, corpus and the whole study's documents) */
  params: AblateParams;
}

export function mergeAblations(target: Db, sources: readonly AblationSource[], into: MergedAblationTarget): number {
  if (sources.length === 0) throw new ApiError('bad-request', 'merging ablation runs needs at least one run');
  const runs = sources.map((s) => {
    const a = getAblation(s.db, s.ablationId);
    if (!a) throw new ApiError('not-found', `ablation run ${s.label} does not exist`);
    const d = a.details as Details;
    if (!d.docTotals) throw new ApiError('bad-request', `ablation run ${s.label} was stored without its per-document totals (made by an older FFN Lab); run it again to merge it`);
    return { source: s, record: a.record, details: d, totals: d.docTotals };
  });
  const first = runs[0]!;
  const labels = (r: (typeof runs)[number]) => r.details.results.map((c) => c.label).join('\n');
  for (const r of runs) {
    if (r.record.modelSha256 !== first.record.modelSha256) throw new ApiError('bad-request', `ablation run ${r.source.label} used other model weights than ${first.source.label}; only runs of one model merge`);
    if (r.record.method !== first.record.method || labels(r) !== labels(first)) throw new ApiError('bad-request', `ablation run ${r.source.label} ran other conditions than ${first.source.label}; only runs of the same conditions merge`);
  }
  const base = runs.flatMap((r) => r.totals.base);
  const C = first.totals.conditions.length;
  const conditions = Array.from({ length: C }, (_, c) => runs.flatMap((r) => r.totals.conditions[c] as DocTotals[]));
  const { resamples, seed } = into.params;
  const baseMetrics = conditionMetrics(base, base, resamples, seed);
  const results: AblationResult['results'] = first.details.results.map((c, k) => ({
    ...c,
    metrics: conditionMetrics(base, conditions[k] as DocTotals[], resamples, seed),
    hurt: runs
      .flatMap((r) => (r.details.results[k] as AblationResult['results'][number]).hurt)
      .sort((a, b) => b.delta - a.delta)
      .slice(0, HURT_KEPT),
  }));
  const rows: AblationMetricRow[] = [
    { condition: 'intact', metric: 'loss', value: baseMetrics.loss.value, low: baseMetrics.loss.low, high: baseMetrics.loss.high },
    { condition: 'intact', metric: 'ppl', value: baseMetrics.ppl.value, low: baseMetrics.ppl.low, high: baseMetrics.ppl.high },
    ...results.flatMap((r) => Object.entries(r.metrics).map(([metric, m]) => ({ condition: r.label, metric, value: m.value, low: m.low, high: m.high }))),
  ];
  return saveAblation(target, {
    name: into.name,
    kind: into.params.kind,
    modelId: into.modelId,
    datasetId: null,
    corpusId: into.corpusId,
    jobId: null,
    // a saved set's id would be of the planning database, not this one
    neuronSetId: null,
    method: first.record.method,
    params: { ...into.params, merged: runs.map((r) => ({ run: r.source.label, documents: r.details.documents, tokens: r.details.tokens })) },
    modelSha256: first.record.modelSha256,
    appVersion: APP_VERSION,
    results: rows,
    details: {
      tokens: runs.reduce((n, r) => n + r.details.tokens, 0),
      documents: base.length,
      baseline: { loss: baseMetrics.loss, ppl: baseMetrics.ppl },
      results,
      perDocument: runs.flatMap((r) => r.details.perDocument),
      docTotals: { base, conditions },
    },
  });
}
