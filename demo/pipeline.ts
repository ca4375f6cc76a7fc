// The demo pipeline for one model, through the app's own backend and jobs: the study of Start
// here (electron/start-here.ts: capture on training documents, the detectors, the quiet set (silent, else never-positive neurons) ablated
// against a matched random control on the held-out documents, whose intact loss is the model's
// validation loss) with the demo's budget, and the counts and rates the summary reports.
import { VerdictKind, type AblationResult, type Job, type Model } from '../electron/api.js';
import type { Backend } from '../electron/backend.js';
import { listNeurons } from '../electron/neurons.js';
import { DETECTOR_DEFAULTS } from '../electron/analysis/detectors.js';
import { finished, runToEnd } from '../electron/run-to-end.js';
import { quietSet, studyAblation, studyCapture, type Split } from '../electron/start-here.js';
import { expertsSummary, type ExpertsSummary } from '../electron/experts.js';

export interface Budget {
  /** training tokens captured */
  captureTokens: number;
  /** validation tokens evaluated; undefined: all of the validation split */
  evalTokens?: number;
  resamples: number;
  samples: number;
}

export type LayerCounts = { layer: number; tokens: number } & Record<VerdictKind, number>;

export interface ModelOutcome {
  model: Model;
  datasetId: number;
  tokensSeen: number;
  /** the detectors' thresholds (their defaults) and the dead verdict's 95% bound on the fire rate */
  thresholds: typeof DETECTOR_DEFAULTS & { fire: number; dead_upper95: number };
  layers: LayerCounts[];
  fireRates: Array<{ layer: number; neuron: number; fire_rate: number | null }>;
  ablation: AblationResult;
  /** a mixture of experts' router statistics per layer (load, entropy, dead and rare experts); null for a dense model */
  experts: ExpertsSummary | null;
}

async function job(b: Backend, method: string, params: unknown): Promise<Job> {
  const { job: started } = (await b.handle(method, params)) as { job: Job };
  return finished(await runToEnd(b, started));
}

export async function runModel(b: Backend, model: Model, corpusId: number, split: Split, budget: Budget, log: (line: string) => void): Promise<ModelOutcome> {
  const plan = { ...budget, captureName: `${model.name}: demo capture`, ablationName: `${model.name}: quiet set vs random control` };
  const seqLen = Math.min(256, model.maxPositions);
  log(`${model.name}: capture on ${budget.captureTokens.toLocaleString('en-US')} training tokens`);
  const capture = studyCapture(model.id, seqLen, corpusId, split, plan);
  const { dataset } = (await job(b, capture.method, capture.params)).result as { dataset: { id: number; tokens: number } };

  log(`${model.name}: detectors`);
  const all = listNeurons(b.db, dataset.id, {}).neurons;
  const noVerdicts = Object.fromEntries(VerdictKind.options.map((k) => [k, 0])) as Record<VerdictKind, number>;
  const layers: LayerCounts[] = Array.from({ length: model.layers }, (_, layer) => ({ layer, tokens: dataset.tokens, ...noVerdicts }));
  for (const r of all) for (const v of r.verdicts) (layers[r.layer] as LayerCounts)[v.kind]++;

  const quiet = quietSet(b.db, dataset.id);
  // without silent or never-positive neurons the step measures the intact model's validation loss only
  log(quiet ? `${model.name}: ablating ${quiet.count} ${quiet.verdict.replace('_', '-')} neurons and a matched random control on the validation documents` : `${model.name}: no silent or never-positive neurons; measuring the validation loss`);
  const ablationStep = studyAblation(model.id, seqLen, corpusId, dataset.id, quiet, split, plan);
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
    experts: model.experts === null ? null : expertsSummary(b.db, dataset.id, { pairs: 0 }),
  };
}
