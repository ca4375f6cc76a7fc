// The comparison of models on the same text, gathered from the database: each capture's text
// (resolved documents, token budget, tokenizer), its statistics, verdicts (detectors.ts), massive
// dims (massive.ts), intrinsic dimension (stored, else measured once and stored), and the newest
// layer-sensitivity (or evaluation) run of each model for held-out loss and sensitivity. The
// arithmetic is analysis/compare.ts; this file only reads and hands over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getAblation, listAblations, type AblationRecord } from '../db/ablations.js';
import { getCorpus, selectDocuments, type DocumentFilter } from '../db/corpora.js';
import type { Db } from '../db/database.js';
import { getDataset, loadStats, type DatasetRecord } from '../db/datasets.js';
import { getJob } from '../db/jobs.js';
import { getModel, type ModelRecord } from '../db/models.js';
import { loadIntrinsicDims } from '../db/projections.js';
import { sampleIds, sampleSlices } from '../db/samples.js';
import type { ModelSpec } from '../native-models/spec.js';
import {
  alignLayers,
  COMPARE_DEFINITIONS,
  effectiveCut,
  flopsPerToken,
  layerProfiles,
  paramAccounting,
  partitionByText,
  textMismatch,
  type CaptureText,
  type CompareResult,
  type LayerSensitivity,
  type ModelComparison,
} from './analysis/compare.js';
import { detectAll } from './analysis/detectors.js';
import { sensitivityByLayer, isSensitivityRun, isSensitivityOrigin } from './analysis/layer-sensitivity.js';
import { summarize } from './analysis/neuron-stats.js';
import type { AblationResult } from './api.js';
import { ablationResult } from './ablations.js';
import { ApiError } from './errors.js';
import { fireRuleOf, fromStored } from './jobs/capture/checkpoint.js';
import { measureIntrinsic } from './jobs/project/run.js';
import { INTRINSIC_POINTS } from './analysis/intrinsic.js';
import { massiveDims } from './massive.js';

export interface CompareRequest {
  datasets: readonly number[];
  /** layer-sensitivity or evaluation runs to read held-out loss and sensitivity from (one per model); default: each model's newest */
  ablations?: readonly number[];
  /**
   * intrinsic dimensions not stored yet: 'cheap' measures them when that takes seconds (the API: a
   * request must not hold the backend for minutes), 'all' measures them whatever it takes (the CLI)
   */
  measure?: 'cheap' | 'all';
}

/** TwoNN and PCA cost about points^2 x width per layer; above this a request leaves them to a job or the CLI. */
const CHEAP_INTRINSIC_WORK = 4e9;

/** The tokenizer's identity: the hash of its tokenizer.json, else of the model's weights (its vocabulary is inside). */
function tokenizerId(model: ModelRecord): string {
  const file = path.join(model.path, 'tokenizer.json');
  if (fs.existsSync(file)) return `tokenizer.json:${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  return `model:${model.sha256}`;
}

function documentsOf(db: Db, corpusId: number, filter: DocumentFilter | undefined): { ids: number[]; names: string[] } {
  const docs = selectDocuments(db, corpusId, filter ?? {});
  return { ids: docs.map((d) => d.id), names: docs.map((d) => d.name) };
}

interface Capture extends CaptureText {
  dataset: DatasetRecord;
  model: ModelRecord;
  spec: ModelSpec;
}

function captureOf(db: Db, id: number): Capture {
  const dataset = getDataset(db, id);
  if (!dataset || dataset.status !== 'ready') throw new ApiError('not-found', `capture ${id} does not exist or has not finished; list captures with ffn-lab datasets`);
  const model = getModel(db, dataset.modelId)!;
  const corpus = getCorpus(db, dataset.corpusId);
  const p = dataset.params as { filter?: DocumentFilter; maxTokens?: number; merged?: unknown; threshold?: number; fire?: 'positive' | 'magnitude' };
  const rule = fireRuleOf(p);
  return {
    label: `capture ${id} "${dataset.name}"`,
    corpusId: dataset.corpusId,
    corpusName: corpus?.name ?? String(dataset.corpusId),
    documents: p.merged !== undefined ? null : documentsOf(db, dataset.corpusId, p.filter),
    cutAfterTokens: effectiveCut(p.maxTokens, dataset.tokens),
    tokensPerDocument: p.filter?.tokensPerDocument ?? null,
    tokenizer: tokenizerId(model),
    fire: { mode: rule.fireMode, threshold: rule.fireThreshold },
    dataset,
    model,
    spec: model.spec as ModelSpec,
  };
}

/** What an ablation run evaluated: its documents and budget, as a CaptureText (for the same-text rule). */
function evaluationText(db: Db, a: AblationRecord, model: ModelRecord): CaptureText {
  const p = a.params as { filter?: DocumentFilter; maxTokens?: number; corpusId: number };
  const corpus = getCorpus(db, p.corpusId);
  return {
    label: `ablation run ${a.id} "${a.name}"`,
    corpusId: p.corpusId,
    corpusName: corpus?.name ?? String(p.corpusId),
    documents: documentsOf(db, p.corpusId, p.filter),
    // an ablation run does not record whether its budget cut the text: a budget counts as a cut
    cutAfterTokens: p.maxTokens ?? null,
    tokensPerDocument: p.filter?.tokensPerDocument ?? null,
    tokenizer: tokenizerId(model),
    fire: { mode: 'positive', threshold: 0 },
  };
}

/** The run a model's held-out loss and sensitivity come from: the one asked for, else its newest sensitivity run, else its newest evaluation. */
function runFor(db: Db, model: ModelRecord, asked: readonly AblationRecord[]): AblationRecord | null {
  const mine = asked.filter((a) => a.modelId === model.id);
  if (mine.length > 1) throw new ApiError('bad-request', `ablation runs ${mine.map((a) => a.id).join(', ')} are all of model "${model.name}": give one per model`);
  if (mine[0]) return mine[0];
  const runs = listAblations(db, model.id);
  const conditionsOf = (a: AblationRecord) => (a.params as { conditions?: Array<{ origin?: unknown }> }).conditions ?? [];
  return runs.find((a) => isSensitivityRun(conditionsOf(a))) ?? runs.find((a) => conditionsOf(a).length === 0) ?? null;
}

/** Intrinsic dimension per layer of the residual stream: the stored estimates, the missing ones measured (and stored) when the capture has samples. */
function intrinsicOf(db: Db, c: Capture, measure: 'cheap' | 'all', notes: string[]): Array<{ twonn: number | null; pca90: number | null; points: number } | null> {
  const L = c.spec.nLayers;
  const D = c.spec.dModel;
  const stored = new Map(loadIntrinsicDims(db, c.dataset.id, 'residual').map((r) => [r.layer, r]));
  let ids = stored.size < L ? sampleIds(db, c.dataset.id) : [];
  const points = Math.min(ids.length, INTRINSIC_POINTS);
  if (measure === 'cheap' && (L - stored.size) * points * points * D > CHEAP_INTRINSIC_WORK) {
    notes.push(`the intrinsic dimension of ${L - stored.size} layers is not measured yet and would take a while here: run ffn-lab intrinsic-dim --dataset ${c.dataset.id} (or ffn-lab compare), or a projection on the Manifold page; the comparison then reads the stored estimates`);
    ids = [];
  }
  return Array.from({ length: L }, (_, l) => {
    const s = stored.get(l);
    if (s) return { twonn: s.twonn, pca90: s.pca90, points: s.points };
    if (ids.length < 3) return null;
    const est = measureIntrinsic(db, c.dataset.id, 'residual', l, sampleSlices(db, c.dataset.id, 'residual', l * D, D, ids), ids.length, D, 0);
    return { twonn: Number.isFinite(est.twonn) ? est.twonn : null, pca90: est.pca90, points: est.points };
  });
}

function throughput(db: Db, d: DatasetRecord): number | null {
  const job = d.jobId === null ? undefined : getJob(db, d.jobId);
  if (!job?.startedAt || !job.finishedAt || job.state !== 'done') return null;
  const seconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
  return seconds > 0 ? d.tokens / seconds : null;
}

export function compareDatasets(db: Db, req: CompareRequest): CompareResult {
  const ids = [...new Set(req.datasets)];
  if (ids.length < 2) throw new ApiError('bad-request', `a comparison needs at least two captures, got ${ids.length}`);
  const captures = ids.map((id) => captureOf(db, id));
  const { kept, refused } = partitionByText(captures);
  const refusedOut = refused.map((r) => ({ dataset: r.capture.dataset.id, name: r.capture.dataset.name, reason: r.reason }));
  if (kept.length < 2) {
    throw new ApiError('bad-request', `nothing to compare: ${refusedOut.map((r) => r.reason).join('; ')}`);
  }
  const asked = (req.ablations ?? []).map((id) => {
    const a = getAblation(db, id);
    if (!a) throw new ApiError('not-found', `ablation run ${id} does not exist`);
    return a.record;
  });

  const stray = asked.find((a) => !kept.some((c) => c.model.id === a.modelId));
  if (stray) throw new ApiError('bad-request', `ablation run ${stray.id} "${stray.name}" is of model ${stray.modelId}, which none of the compared captures is of`);
  // held-out rows compare only when every model was evaluated on the same documents as the first
  let refEval: CaptureText | null = null;
  const models: ModelComparison[] = kept.map((c) => {
    const { dataset: d, model, spec } = c;
    const notes: string[] = [];
    const stored = loadStats(db, d.id, spec.nLayers, spec.dFf);
    const summary = summarize(fromStored(stored, fireRuleOf(d.params)));
    if (!stored.activeHist) notes.push('the capture has no per-token active counts (made before they were recorded): the active-fraction columns are empty; capture again to fill them');
    const verdicts = detectAll(summary).verdicts;
    const massive = massiveDims(db, d.id);
    if (!massive.available) notes.push(`massive dims: ${massive.reason}`);
    const massiveByLayer = massive.available ? Array.from({ length: spec.nLayers }, (_, l) => massive.layers.find((x) => x.layer === l)?.dims.length ?? 0) : null;
    const samples = sampleIds(db, d.id).length;
    const intrinsic = intrinsicOf(db, c, req.measure ?? 'cheap', notes);
    if (samples === 0) notes.push('the capture kept no sampled hidden states: no intrinsic dimension (capture with --samples N)');
    const moe = spec.moe !== undefined;
    if (spec.moe) {
      const { experts, expertFf, topK, shared } = spec.moe;
      notes.push(
        `mixture of experts (${experts} experts of ${expertFf} units, top-${topK}${shared ? `, a shared expert of ${shared.ff} units` : ''}): a neuron is a unit of one expert (neuron = expert x ${expertFf} + unit${shared ? ', the shared expert\'s units last' : ''}); ` +
          'a unit\'s fire rate and verdicts count only the tokens routed to its expert, while the active fraction per token is over all the layer\'s units, the unrouted experts\' counting as silent ' +
          `(at most ${topK * expertFf + (shared?.ff ?? 0)} of ${spec.dFf} units can fire for one token); ffn_params per layer counts every expert, the router${shared?.gated ? ' and the shared gate' : ''}, and active parameters and FLOPs count only the top-${topK} experts${shared ? ', the shared expert' : ''} and the router${shared?.gated ? ' and shared gate' : ''}`,
      );
    }

    const run = runFor(db, model, asked);
    let heldout: ModelComparison['heldout'] = null;
    let sensitivity: ModelComparison['sensitivity'] = null;
    let perLayer: Array<LayerSensitivity | null> = new Array(spec.nLayers).fill(null);
    if (!run) notes.push('no layer-sensitivity or evaluation run of this model: held-out loss and sensitivity are empty (run ffn-lab sensitivity)');
    else {
      const evalText = evaluationText(db, run, model);
      refEval ??= evalText;
      const mismatch = evalText === refEval ? null : textMismatch(refEval, evalText);
      if (mismatch) notes.push(`held-out loss and sensitivity left out: ${mismatch}`);
      else {
        const r: AblationResult = ablationResult(db, run.id);
        heldout = { loss: r.baseline.loss, ppl: r.baseline.ppl, predictions: r.tokens, documents: r.documents, ablation: run.id };
        const conditions = (r.params as { conditions: Array<{ origin?: unknown; neurons: unknown[] }> }).conditions;
        if (isSensitivityRun(conditions)) {
          perLayer = sensitivityByLayer(spec.nLayers, conditions, r.results);
          const o = conditions.map((x) => x.origin).find((x) => isSensitivityOrigin(x) && x.part === 'random');
          sensitivity = { ablation: run.id, fraction: isSensitivityOrigin(o) ? o.fraction : 1, seed: isSensitivityOrigin(o) ? o.seed : 0 };
        } else notes.push(`run ${run.id} is an evaluation only: no layer sensitivity (run ffn-lab sensitivity)`);
      }
    }
    const seqLen = (d.params as { seqLen?: number }).seqLen ?? Math.min(256, spec.maxPositions);
    return {
      dataset: { id: d.id, name: d.name, tokens: d.tokens },
      model: { id: model.id, name: model.name, architecture: spec.architecture, activation: spec.activation, layers: spec.nLayers, d_model: spec.dModel, heads: spec.nHeads, ffn_width: spec.dFf, gated: spec.gated, moe },
      params: paramAccounting(spec),
      flops_per_token: flopsPerToken(spec, seqLen),
      heldout,
      tokens_per_s: throughput(db, d),
      sensitivity,
      layers: layerProfiles({ summary, activeHist: stored.activeHist, verdicts, shape: spec, massiveDims: massiveByLayer, intrinsic, sensitivity: perLayer }),
      notes,
    };
  });
  const first = kept[0] as Capture;
  const contexts = new Set(kept.map((c) => `${(c.dataset.params as { seqLen?: number }).seqLen}/${(c.dataset.params as { stride?: number }).stride}`));
  if (contexts.size > 1) models.forEach((m) => m.notes.push('the captures cut the text into windows of different lengths or strides: the same tokens were seen with different amounts of context'));
  return {
    text: {
      corpus: { id: first.corpusId, name: first.corpusName },
      documents: first.documents?.ids.length ?? 0,
      cut_after_tokens: first.cutAfterTokens,
      fire: `${first.fire.mode === 'positive' ? 'a' : '|a|'} > ${first.fire.threshold}`,
    },
    models,
    refused: refusedOut,
    aligned: alignLayers(models.map((m) => m.model.layers)),
    definitions: COMPARE_DEFINITIONS,
  };
}
