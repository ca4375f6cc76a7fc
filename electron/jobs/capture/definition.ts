import { CaptureParams } from '../../api.js';
import { deleteUnfinishedDatasetOfJob } from '../../../db/datasets.js';
import type { JobDefinition } from '../definition.js';

export const capture: JobDefinition<CaptureParams> = {
  kind: 'capture',
  params: CaptureParams,
  title: (p, n) => `Capture ${p.name ? `"${p.name}": ` : ''}${n.model(p.modelId)} on ${n.corpus(p.corpusId)}${p.maxTokens ? `, ${p.maxTokens} tokens` : ''}`,
  resumable: true,
  cleanup: (db, jobId) => {
    deleteUnfinishedDatasetOfJob(db, jobId);
  },
};
