// The ablation and sweep forms read into ablation.start / ablation.sweep params, or the sentence
// that says which field is wrong (checked here so the user hears about it before a job starts).
import type { AblationMethod, Params, RankScore, VerdictKind } from '../api/contract';
import { canonicalWeights, parseWeightRef, type WeightCoord } from '../../../common/weight-refs';
import { initialOrderFields, orderFilter, type OrderFields } from '../datasets/documentOrder';

export type SetKind = 'verdict' | 'saved' | 'top' | 'weights';

export interface AblationFields {
  modelId: string;
  corpusId: string;
  genre: string;
  documents: string;
  offset: string;
  /** '' = no capture */
  datasetId: string;
  method: AblationMethod;
  setKind: SetKind;
  verdict: VerdictKind;
  savedId: string;
  /** single W_out weights, "layer:neuron:dim[=value]" separated by commas or spaces */
  weights: string;
  score: RankScore;
  k: string;
  order: 'descending' | 'ascending';
  control: boolean;
  seed: string;
  maxTokens: string;
  resamples: string;
  seqLen: string;
  name: string;
  /** sweeps */
  criterion: RankScore;
  sweepOrder: 'ascending' | 'descending';
  fractions: string;
  /** document order, split and per-document cut (datasets/documentOrder.ts); absent: shuffled, all, whole */
  documentOrder?: OrderFields;
}

export const initialFields: AblationFields = {
  modelId: '',
  corpusId: '',
  genre: '',
  documents: '',
  offset: '',
  datasetId: '',
  method: 'zero',
  setKind: 'verdict',
  verdict: 'dead',
  savedId: '',
  weights: '',
  score: 'mean_abs',
  k: '100',
  order: 'descending',
  control: true,
  seed: '0',
  maxTokens: '20000',
  resamples: '1000',
  seqLen: '',
  name: '',
  criterion: 'fire_rate',
  sweepOrder: 'ascending',
  fractions: '0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9',
};

/**
 * The ablation a verdict licenses: a silent set is removed exactly by zeroing it, a constant set by
 * its mean (folded into the output bias); other verdicts license none, so the user's choice stands.
 */
export function licensedMethod(verdict: VerdictKind): AblationMethod | undefined {
  return verdict === 'dead' ? 'zero' : verdict === 'constant' ? 'mean' : undefined;
}

/** A whole number of at least `min` from a field ('' when optional and empty), or what is wrong. */
function int(text: string, what: string, min: number, optional = false): number | undefined | string {
  const t = text.trim();
  if (t === '' && optional) return undefined;
  const n = Number(t);
  return t !== '' && Number.isInteger(n) && n >= min ? n : `${what} must be a whole number of at least ${min}.`;
}

type Eval = Omit<Params<'ablation.start'>, 'set' | 'control'>;

/** What both kinds of run share: model, evaluation documents, capture, method, budget, seed, name. */
function evalParams(f: AblationFields): Eval | string {
  const modelId = Number(f.modelId);
  const corpusId = Number(f.corpusId);
  if (!Number.isInteger(modelId) || modelId <= 0) return 'Choose a model to ablate.';
  if (!Number.isInteger(corpusId) || corpusId <= 0) return 'Choose a corpus to evaluate on.';
  const documents = int(f.documents, 'Documents', 1, true);
  const offset = int(f.offset, 'Skip documents', 0, true);
  const maxTokens = int(f.maxTokens, 'Max tokens', 1);
  const resamples = int(f.resamples, 'Bootstrap resamples', 0);
  const seqLen = int(f.seqLen, 'Sequence length', 2, true);
  const seed = int(f.seed, 'Seed', 0);
  for (const v of [documents, offset, maxTokens, resamples, seqLen, seed]) if (typeof v === 'string') return v;
  if ((resamples as number) > 100_000) return 'Bootstrap resamples must be at most 100,000.';
  const datasetId = f.datasetId === '' ? undefined : Number(f.datasetId);
  if (f.method !== 'zero' && datasetId === undefined) {
    return f.method === 'mean' ? 'Mean ablation replaces a neuron by its mean over a capture: choose the capture.' : "Resample ablation draws a neuron's value at other tokens of a capture: choose a capture with sampled tokens.";
  }
  const genre = f.genre.trim();
  const order = orderFilter(f.documentOrder ?? initialOrderFields);
  if (typeof order === 'string') return order;
  return {
    modelId,
    corpusId,
    filter: { ...(genre ? { genre } : {}), ...(documents !== undefined ? { documents: documents as number } : {}), ...(offset ? { offset: offset as number } : {}), ...order },
    ...(datasetId !== undefined ? { datasetId } : {}),
    method: f.method,
    maxTokens: maxTokens as number,
    resamples: resamples as number,
    ...(seqLen !== undefined ? { seqLen: seqLen as number } : {}),
    seed: seed as number,
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
  };
}

export function ablationParams(f: AblationFields): Params<'ablation.start'> | string {
  const common = evalParams(f);
  if (typeof common === 'string') return common;
  if (f.setKind === 'weights') {
    const weights = parseWeights(f.weights);
    if (typeof weights === 'string') return weights;
    return { ...common, weights, ...(f.control ? { control: { seed: common.seed ?? 0 } } : {}) };
  }
  let set: Params<'ablation.start'>['set'];
  if (f.setKind === 'saved') {
    if (f.savedId === '') return 'Choose a saved neuron set (save one from the Neurons table or a result page).';
    set = { kind: 'saved', id: Number(f.savedId) };
  } else {
    if (common.datasetId === undefined) return f.setKind === 'verdict' ? 'A verdict set comes from a capture: choose the capture.' : 'A top-k set ranks neurons by a capture’s statistics: choose the capture.';
    if (f.setKind === 'verdict') set = { kind: 'verdict', datasetId: common.datasetId, verdict: f.verdict };
    else {
      const k = int(f.k, 'k', 1);
      if (typeof k === 'string') return k;
      set = { kind: 'top', datasetId: common.datasetId, score: f.score, k: k as number, order: f.order };
    }
  }
  return { ...common, set, ...(f.control ? { control: { seed: common.seed ?? 0 } } : {}) };
}

/** "1:17:5, 1:17:9=0.5" -> single W_out weights (zeroed unless "=value"), or what is wrong. */
export function parseWeights(text: string): WeightCoord[] | string {
  const items = text.split(/[\s,;]+/).filter((s) => s.length > 0);
  if (items.length === 0) return 'Give at least one weight as layer:neuron:dim (W_out[neuron → dim] of that layer), optionally =value.';
  const out: WeightCoord[] = [];
  for (const item of items) {
    const w = parseWeightRef(item);
    if (!w) return `A weight reads layer:neuron:dim or layer:neuron:dim=value; “${item}” does not.`;
    out.push(w);
  }
  return canonicalWeights(out);
}

/** "0.1, 0.2 0.5" -> [0.1, 0.2, 0.5], each in (0, 1]; percentages ("10%") too. */
export function parseFractions(text: string): number[] | string {
  const items = text.split(/[\s,;]+/).filter((s) => s.length > 0);
  if (items.length === 0) return 'Give at least one fraction to ablate, for example 0.1, 0.5.';
  const out: number[] = [];
  for (const item of items) {
    const pct = item.endsWith('%');
    const v = Number(pct ? item.slice(0, -1) : item) / (pct ? 100 : 1);
    if (!Number.isFinite(v) || v <= 0 || v > 1) return `Fractions are numbers above 0 and at most 1 (or percentages); “${item}” is not.`;
    out.push(v);
  }
  if (out.length > 30) return 'A sweep takes at most 30 fractions.';
  return [...new Set(out)].sort((a, b) => a - b);
}

export function sweepParams(f: AblationFields): Params<'ablation.sweep'> | string {
  const common = evalParams(f);
  if (typeof common === 'string') return common;
  if (common.datasetId === undefined) return 'A sweep ranks neurons by a capture’s statistics: choose the capture.';
  const fractions = parseFractions(f.fractions);
  if (typeof fractions === 'string') return fractions;
  return { ...common, datasetId: common.datasetId, criterion: f.criterion, order: f.sweepOrder, fractions };
}
