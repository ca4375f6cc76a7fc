// Every job kind's work, for the worker process.
import { runAblate } from './ablate/run.js';
import { runWeightScan } from './weight-scan/run.js';
import type { JobKind } from '../api.js';
import { runCorpusImport } from './corpus-import/run.js';
import { runModelImport } from './model-import/run.js';
import { runCapture } from './capture/run.js';
import { runProject } from './project/run.js';
import type { JobRun } from './definition.js';

export const jobRuns: Record<JobKind, JobRun<never>> = {
  'corpus-import': runCorpusImport as JobRun<never>,
  'model-import': runModelImport as JobRun<never>,
  capture: runCapture as JobRun<never>,
  ablate: runAblate as JobRun<never>,
  project: runProject as JobRun<never>,
  'weight-scan': runWeightScan as JobRun<never>,
};
