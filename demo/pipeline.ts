// The demo pipeline for one model, through the app's own backend and jobs: the study of Start
// here (electron/start-here.ts: capture on training documents, the detectors, the dead set ablated
// against a matched random control on the held-out documents, whose intact loss is the model's
// validation loss) with the demo's budget, and the counts and rates the summary reports.
import type { AblationResult, Job, Model } from '../electron/api.js';
import type { Backend } from '../electron/backend.js';
import { listNeurons } from '../electron/neurons.js';
import { DETECTOR_DEFAULTS } from '../electron/analysis/detectors.js';
import { finished, runToEnd } from '../electron/run-to-end.js';
import { studyAblation, studyCapture, type Split } from '../electron/start-here.js';

export interface Budget {
  /** training tokens captured */
  captureTokens: number;
  /** validation tokens evaluated; undefined: all of the validation split */
  evalTokens?: number;
  resamples: number;
  samples: number;
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
  const plan = { ...budget, captureName: `${model.name}: demo capture`, ablationName: `${model.name}: dead vs random control` };
  const seqLen = Math.min(256, model.maxPositions);
  log(`${model.name}: capture on ${budget.captureTokens.toLocaleString('en-US')} training tokens`);
  const capture = studyCapture(model.id, seqLen, corpusId, split, plan);
  const { dataset } = (await job(b, capture.method, capture.params)).result as { dataset: { id: number; tokens: number } };

  log(`${model.name}: detectors`);
  const all = listNeurons(b.db, dataset.id, {}).neurons;
  const layers: LayerCounts[] = Array.from({ length: model.layers }, (_, layer) => ({ layer, tokens: dataset.tokens, dead: 0, rare: 0, massive: 0, heavy_tailed: 0 }));
  for (const r of all) for (const v of r.verdicts) (layers[r.layer] as LayerCounts)[v.kind]++;

  const dead = all.filter((r) => r.verdicts.some((v) => v.kind === 'dead')).length;
  // without dead neurons the step measures the intact model's validation loss only
  log(dead > 0 ? `${model.name}: ablating ${dead} dead neurons and a matched random control on the validation documents` : `${model.name}: no dead neurons; measuring the validation loss`);
  const ablationStep = studyAblation(model.id, seqLen, corpusId, dataset.id, dead, split, plan);
  const ablationJob = await job(b, ablationStep.method, ablationStep.params);
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
