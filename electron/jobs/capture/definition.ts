import { CaptureParams } from '../../api.js';
import { deleteUnfinishedDatasetOfJob } from '../../../db/datasets.js';
import type { JobDefinition } from '../definition.js';

export const capture: JobDefinition<CaptureParams> = {
  kind: 'capture',
  params: CaptureParams,
  title: (p) => `Capture ${p.name ? `"${p.name}": ` : ''}model ${p.modelId} on corpus ${p.corpusId}${p.maxTokens ? `, ${p.maxTokens} tokens` : ''}`,
  resumable: true,
  cleanup: (db, jobId) => {
    deleteUnfinishedDatasetOfJob(db, jobId);
  },
};
