// The one place the renderer reaches into the backend's API contract, and for types only: the
// zod schemas in electron/api.ts must never end up in the renderer bundle.
export type {
  AppInfo,
  CaptureParams,
  ApiErrorBody,
  ApiErrorCode,
  ApiEvent,
  Corpus,
  CorpusImportParams,
  Dataset,
  DatasetDependents,
  ModelDependents,
  DocumentSummary,
  Job,
  JobState,
  LabBridge,
  Method,
  Model,
  NeuronDetail,
  ContextActivations,
  NeuronRow,
  Params,
  Progress,
  Result,
  WeightScanResult,
  ModelMetadata,
  Figure,
  FigureFormat,
} from '../../../electron/api';
export type { ProjectionData, ProjectionRun, SampleContext, SelectionNeuron } from '../../../electron/api';
export type { CompareResult, PairStudyKey } from '../../../electron/api';
// ablation, neuron sets and the playground
export type {
  AblationMethod,
  AblationResult,
  AblationSummary,
  AblateParams,
  NeuronRef,
  NeuronSet,
  PlaygroundResult,
  PatchResult,
  LensResult,
  RankScore,
  SetSource,
  VerdictKind,
  WeightRef,
} from '../../../electron/api';
