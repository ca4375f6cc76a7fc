import { AblateParams } from '../../api.js';
import { ablationOfJob, deleteAblation, deleteAblationCheckpoint } from '../../../db/ablations.js';
import type { JobDefinition } from '../definition.js';

export const ablate: JobDefinition<AblateParams> = {
  kind: 'ablate',
  params: AblateParams,
  title: (p, n) =>
    p.name
      ? `Ablation "${p.name}"`
      : p.kind === 'sweep'
        ? `Sweep by ${p.sweep?.criterion ?? 'a ranking'} (${p.method}): ${n.model(p.modelId)} on ${n.corpus(p.corpusId)}`
        : p.conditions.length === 0
          ? `Evaluate ${n.model(p.modelId)} on ${n.corpus(p.corpusId)}`
          : `Ablate ${p.conditions.map((c) => `${c.label} (${c.neurons.length}${c.weights?.length ? ` + ${c.weights.length} weights` : ''})`).join(' vs ')} (${p.method}): ${n.model(p.modelId)}`,
  // the running totals are checkpointed; the run itself is stored when it finishes
  resumable: true,
  cleanup: (db, jobId) => {
    deleteAblationCheckpoint(db, jobId);
    const a = ablationOfJob(db, jobId);
    if (a) deleteAblation(db, a.id);
  },
};
