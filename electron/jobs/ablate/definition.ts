import { AblateParams } from '../../api.js';
import { ablationOfJob, deleteAblation } from '../../../db/ablations.js';
import type { JobDefinition } from '../definition.js';

export const ablate: JobDefinition<AblateParams> = {
  kind: 'ablate',
  params: AblateParams,
  title: (p) =>
    p.name
      ? `Ablation "${p.name}"`
      : p.kind === 'sweep'
        ? `Sweep by ${p.sweep?.criterion ?? 'a ranking'} (${p.method}): model ${p.modelId} on corpus ${p.corpusId}`
        : p.conditions.length === 0
          ? `Evaluate model ${p.modelId} on corpus ${p.corpusId}`
          : `Ablate ${p.conditions.map((c) => `${c.label} (${c.neurons.length})`).join(' vs ')} (${p.method}): model ${p.modelId}`,
  // a run is stored only when it finishes; an interrupted one starts again from the beginning
  resumable: false,
  cleanup: (db, jobId) => {
    const a = ablationOfJob(db, jobId);
    if (a) deleteAblation(db, a.id);
  },
};
