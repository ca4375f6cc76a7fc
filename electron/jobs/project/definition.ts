import { ProjectParams } from '../../api.js';
import { deleteUnfinishedProjectionRunOfJob } from '../../../db/projections.js';
import type { JobDefinition } from '../definition.js';

export const project: JobDefinition<ProjectParams> = {
  kind: 'project',
  params: ProjectParams,
  title: (p, n) =>
    `Project ${n.dataset(p.datasetId)} (${p.method.toUpperCase()}, ${p.layers ? `layer${p.layers.length > 1 ? 's' : ''} ${p.layers.join(', ')}` : 'all layers'}${p.ablation ? `, ${p.ablation.neurons.length} neurons ablated` : ''})`,
  // a resumed run keeps the layers it stored and does the rest
  resumable: true,
  cleanup: (db, jobId) => {
    deleteUnfinishedProjectionRunOfJob(db, jobId);
  },
};
