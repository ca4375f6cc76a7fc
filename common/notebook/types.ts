// A study notebook: what was run on one model, in order, with the settings of each step, so a
// study can be re-read (and re-run) months later. Built by electron/notebook.ts from the tables
// the app already keeps; rendered to Markdown and HTML by the pure functions beside this file.
import type { CaptureParams, ProjectParams } from '../../electron/api.js';

export type NotebookStepKind = 'import' | 'weight-scan' | 'capture' | 'ablation' | 'projection';

/** One bar of a step's figure: a value with an optional 95% interval. */
export interface NotebookBar {
  label: string;
  value: number;
  low: number | null;
  high: number | null;
}

/** The data of the one figure a step contributes to the report (drawn by svg.ts). */
export interface NotebookFigure {
  title: string;
  caption: string;
  /** the y axis: what the bars measure */
  unit: string;
  bars: NotebookBar[];
}

/** How to run a step again through the API, where the API allows it. */
export type NotebookRerun =
  | { method: 'ablation.rerun'; params: { id: number } }
  | { method: 'model.rescan'; params: { id: number } }
  | { method: 'capture.start'; params: CaptureParams }
  | { method: 'projection.start'; params: ProjectParams };

export interface NotebookStep {
  kind: NotebookStepKind;
  /** the object the step made: the model, weight-scan job, dataset, ablation run or projection run */
  id: number;
  /** when it was made (ISO) */
  at: string;
  title: string;
  /** its settings, flattened to readable key/value pairs (long lists summarized) */
  settings: Array<[string, string]>;
  /** what it found, in one line */
  summary: string;
  /** the dataset the step read or made, where there is one (links in the app) */
  datasetId: number | null;
  rerun: NotebookRerun | null;
  figure: NotebookFigure | null;
}

export interface Notebook {
  model: { id: number; name: string; path: string; format: string; family: string; architecture: string; sha256: string; params: number };
  appVersion: string;
  generatedAt: string;
  steps: NotebookStep[];
}
