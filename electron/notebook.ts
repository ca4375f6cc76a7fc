// The study notebook of one model (common/notebook/types.ts): its import, weight scans,
// captures, ablation runs and projections in the order they were made, read from the tables the
// app already keeps (models, jobs, datasets, ablations, projection runs). Each step says how to
// run it again through the API where the API allows it.
import type { Db } from '../db/database.js';
import { getModel } from '../db/models.js';
import { listCorpora } from '../db/corpora.js';
import { listDatasets, type DatasetRecord } from '../db/datasets.js';
import { listJobs } from '../db/jobs.js';
import { ablationResult, ablationSummaries } from './ablations.js';
import { listRuns } from './manifold.js';
import { layerSummary } from './neurons.js';
import { CaptureParams, ProjectParams, type AblationResult, type ProjectionRun } from './api.js';
import { ApiError } from './errors.js';
import { APP_VERSION } from './version.js';
import { flattenSettings } from '../common/notebook/settings.js';
import { formatStat } from '../common/format.js';
import type { Notebook, NotebookFigure, NotebookStep } from '../common/notebook/types.js';

const kindOrder: Record<NotebookStep['kind'], number> = { import: 0, 'weight-scan': 1, capture: 2, ablation: 3, projection: 4 };

export function buildNotebook(db: Db, modelId: number, now: Date = new Date()): Notebook {
  const model = getModel(db, modelId);
  if (!model) throw new ApiError('not-found', `model ${modelId} does not exist; see the Models page or ffn-lab models list`);
  const corpusName = new Map(listCorpora(db).map((c) => [c.id, c.name]));
  const named = (id: number | null | undefined) => (id == null ? null : `${corpusName.get(id) ?? 'deleted corpus'} (#${id})`);
  const steps: NotebookStep[] = [];

  steps.push({
    kind: 'import',
    id: model.id,
    at: model.createdAt,
    title: `imported ${model.name}`,
    settings: [
      ['path', model.path],
      ['format', model.format],
      ['architecture', model.architecture],
      ['family', model.family],
      ['sha256', model.sha256],
    ],
    summary: `${model.family} checkpoint, ${model.params} parameters`,
    datasetId: null,
    rerun: null,
    figure: null,
  });

  for (const job of listJobs(db, 100_000)) {
    if (job.kind !== 'weight-scan' || job.state !== 'done' || (job.params as { modelId?: number }).modelId !== modelId) continue;
    const r = job.result as { tensors?: number; invalidWeights?: number } | null;
    steps.push({
      kind: 'weight-scan',
      id: job.id,
      at: job.finishedAt ?? job.createdAt,
      title: 'weight scan again',
      settings: [],
      summary: `${r?.tensors ?? '?'} tensors read, ${r?.invalidWeights ?? '?'} NaN/Inf values`,
      datasetId: null,
      rerun: { method: 'model.rescan', params: { id: modelId } },
      figure: null,
    });
  }

  const datasets = listDatasets(db).filter((d) => d.modelId === modelId);
  for (const d of datasets) {
    steps.push(captureStep(db, d, named(d.corpusId)));
    for (const run of listRuns(db, d.id)) steps.push(projectionStep(run, d));
  }
  for (const a of ablationSummaries(db, modelId)) steps.push(ablationStep(ablationResult(db, a.id), named(a.corpusId)));

  steps.sort((a, b) => a.at.localeCompare(b.at) || kindOrder[a.kind] - kindOrder[b.kind] || a.id - b.id);
  return {
    model: { id: model.id, name: model.name, path: model.path, format: model.format, family: model.family, architecture: model.architecture, sha256: model.sha256, params: model.params },
    appVersion: APP_VERSION,
    generatedAt: now.toISOString(),
    steps,
  };
}

function captureStep(db: Db, d: DatasetRecord, corpus: string | null): NotebookStep {
  let figure: NotebookFigure | null = null;
  let silent: number | null = null;
  try {
    const layers = layerSummary(db, d.id);
    silent = layers.reduce((n, l) => n + l.dead, 0);
    figure = {
      title: `Silent (dead) neurons per layer: ${d.name}`,
      caption: `Neurons that never fired in ${d.tokens} tokens, per layer (the Neurons page's verdict "dead").`,
      unit: 'neurons',
      bars: layers.map((l) => ({ label: `layer ${l.layer}`, value: l.dead, low: null, high: null })),
    };
  } catch {
    // statistics unreadable (e.g. a model spec this build no longer maps): the step stays, without its figure
  }
  const again = CaptureParams.safeParse(stripCaptureParams(d.params, d.name));
  return {
    kind: 'capture',
    id: d.id,
    at: d.createdAt,
    title: d.name,
    settings: [['corpus', corpus ?? '?'], ...flattenSettings(d.params, ['modelId', 'corpusId', 'residTopK', 'samplePicks'])],
    summary: `${d.tokens} tokens captured${silent !== null ? `; ${silent} silent neurons` : ''}`,
    datasetId: d.id,
    rerun: again.success ? { method: 'capture.start', params: again.data } : null,
    figure,
  };
}

/** A capture's stored params as capture.start takes them again: derived fields dropped, a new name. */
function stripCaptureParams(params: unknown, name: string): Record<string, unknown> {
  const p = { ...(params as Record<string, unknown>) };
  delete p.residTopK;
  delete p.samplePicks;
  p.name = `${name} (again)`.slice(0, 200);
  return p;
}

function projectionStep(run: ProjectionRun, d: DatasetRecord): NotebookStep {
  const again = ProjectParams.safeParse({ ...(run.params as Record<string, unknown>), datasetId: d.id });
  return {
    kind: 'projection',
    id: run.id,
    at: run.createdAt,
    title: `${run.method.toUpperCase()} ${run.dims}-D of ${run.space === 'ffn' ? 'the FFN activations' : 'the residual stream'} of ${d.name}`,
    settings: [['dataset', `${d.name} (#${d.id})`], ...flattenSettings(run.params, ['datasetId', 'ablation.neurons']), ...(run.ablation ? ([['ablation.neurons', String(run.ablation.neurons)]] as Array<[string, string]>) : [])],
    summary: `${run.points} points, layers ${run.layers.join(', ')}`,
    datasetId: d.id,
    rerun: again.success ? { method: 'projection.start', params: again.data } : null,
    figure: null,
  };
}

function ablationStep(r: AblationResult, corpus: string | null): NotebookStep {
  const label = (c: AblationResult['results'][number]) => (r.kind === 'sweep' ? `${c.series ?? c.label} ${c.fraction ?? ''}`.trim() : c.label);
  const shown = r.results.slice(0, 3).map((c) => `${label(c)}: Δ loss ${formatStat(c.metrics.delta_loss.value)}`);
  return {
    kind: 'ablation',
    id: r.id,
    at: r.createdAt,
    title: r.name,
    settings: [
      ['corpus', corpus ?? '?'],
      ['kind', r.kind],
      ['method', r.method],
      ...r.results.map((c, i): [string, string] => [`condition ${i + 1}`, `${label(c)} (${c.neurons} neurons)`]),
      ...flattenSettings(r.params, ['modelId', 'corpusId', 'conditions', 'kind', 'method']),
    ],
    summary: `intact loss ${formatStat(r.baseline.loss.value)} on ${r.tokens} tokens${shown.length > 0 ? `; ${shown.join('; ')}` : ''}`,
    datasetId: r.datasetId,
    rerun: { method: 'ablation.rerun', params: { id: r.id } },
    figure:
      r.results.length === 0
        ? null
        : {
            title: `Change in loss: ${r.name}`,
            caption: `Δ loss (nats/token) of each condition against the intact model, with bootstrap 95% intervals over ${r.documents} documents.`,
            unit: 'Δ loss (nats/token)',
            bars: r.results.map((c) => ({ label: label(c), value: c.metrics.delta_loss.value, low: c.metrics.delta_loss.low, high: c.metrics.delta_loss.high })),
          },
  };
}
