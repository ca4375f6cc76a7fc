// The demo pipeline for one model, through the app's own backend and jobs: capture on training
// documents, the detectors, and the dead set ablated against a matched random control on the
// held-out validation documents (whose intact loss is the model's validation loss).
import type { AblationResult, Job, Model } from '../electron/api.js';
import type { Backend } from '../electron/backend.js';
import { listNeurons } from '../electron/neurons.js';
import { DETECTOR_DEFAULTS } from '../electron/analysis/detectors.js';
import { finished, runToEnd } from '../electron/run-to-end.js';

export interface Budget {
  /** training tokens captured */
  captureTokens: number;
  /** validation tokens evaluated; undefined: all of the validation split */
  evalTokens: number | undefined;
  resamples: number;
  samples: number;
}

export interface Split {
  train: string[];
  validation: string[];
}

export interface LayerCounts {
  layer: number;
  tokens: number;
  dead: number;
  rare: number;
  massive: number;
  heavy_tailed: number;
}

export interface ModelOutcome {
  model: Model;
  datasetId: number;
  tokensSeen: number;
  /** the detectors' thresholds (their defaults) and the dead verdict's 95% bound on the fire rate */
  thresholds: typeof DETECTOR_DEFAULTS & { fire: number; dead_upper95: number };
  layers: LayerCounts[];
  fireRates: Array<{ layer: number; neuron: number; fire_rate: number | null }>;
  ablation: AblationResult;
}

async function job(b: Backend, method: string, params: unknown): Promise<Job> {
  const { job: started } = (await b.handle(method, params)) as { job: Job };
  return finished(await runToEnd(b, started));
}

export async function runModel(b: Backend, model: Model, corpusId: number, split: Split, budget: Budget, log: (line: string) => void): Promise<ModelOutcome> {
  log(`${model.name}: capture on ${budget.captureTokens.toLocaleString('en-US')} training tokens`);
  const cap = await job(b, 'capture.start', {
    modelId: model.id,
    corpusId,
    filter: { names: split.train },
    seqLen: Math.min(256, model.maxPositions),
    batch: 8,
    maxTokens: budget.captureTokens,
    topK: 8,
    samples: budget.samples,
    name: `${model.name}: demo capture`,
  });
  const { dataset } = cap.result as { dataset: { id: number; tokens: number } };

  log(`${model.name}: detectors`);
  const all = listNeurons(b.db, dataset.id, {}).neurons;
  const layers: LayerCounts[] = Array.from({ length: model.layers }, (_, layer) => ({ layer, tokens: dataset.tokens, dead: 0, rare: 0, massive: 0, heavy_tailed: 0 }));
  for (const r of all) for (const v of r.verdicts) (layers[r.layer] as LayerCounts)[v.kind]++;

  const dead = all.filter((r) => r.verdicts.some((v) => v.kind === 'dead'));
  const evalFilter = { names: split.validation };
  const common = { modelId: model.id, corpusId, datasetId: dataset.id, filter: evalFilter, method: 'zero', seqLen: Math.min(256, model.maxPositions), batch: 4, resamples: budget.resamples, seed: 0, ...(budget.evalTokens ? { maxTokens: budget.evalTokens } : {}) };
  let ablationJob: Job;
  if (dead.length > 0) {
    log(`${model.name}: ablating ${dead.length} dead neurons and a matched random control on the validation documents`);
    ablationJob = await job(b, 'ablation.start', { ...common, set: { kind: 'verdict', datasetId: dataset.id, verdict: 'dead' }, control: { seed: 0 }, name: `${model.name}: dead vs random control` });
  } else {
    // nothing to ablate: the run measures the intact model's validation loss only
    log(`${model.name}: no dead neurons; measuring the validation loss`);
    const started = b.jobs.start('ablate', { ...common, kind: 'compare', conditions: [], name: `${model.name}: validation loss` });
    ablationJob = finished(await runToEnd(b, started));
  }
  const ablation = (await b.handle('ablation.get', { id: (ablationJob.result as { ablation: { id: number } }).ablation.id })) as AblationResult;
  return {
    model,
    datasetId: dataset.id,
    tokensSeen: dataset.tokens,
    thresholds: { ...DETECTOR_DEFAULTS, fire: 0, dead_upper95: 3 / dataset.tokens },
    layers,
    fireRates: all.map((r) => ({ layer: r.layer, neuron: r.neuron, fire_rate: r.fire_rate })),
    ablation,
  };
}
