// Where each notebook step lives in the app.
import type { NotebookStep } from '../../../common/notebook/types';
import { hrefFor } from '../routing/route';

export function stepHref(step: NotebookStep, modelId: number): string {
  switch (step.kind) {
    case 'import':
    case 'weight-scan':
      return hrefFor('models', modelId);
    case 'capture':
      return hrefFor('neurons', step.id);
    case 'ablation':
      return hrefFor('ablation', step.id);
    case 'projection':
      return step.datasetId !== null ? hrefFor('manifold', step.datasetId, step.id) : hrefFor('manifold');
  }
}
