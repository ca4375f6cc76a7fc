import { ModelImportParams } from '../../api.js';
import type { JobDefinition } from '../definition.js';

export const modelImport: JobDefinition<ModelImportParams> = {
  kind: 'model-import',
  params: ModelImportParams,
  title: (p) => (p.name ? `Import model "${p.name}" from ${p.path}` : `Import model ${p.path}`),
  // The model row is written in one transaction at the end: an interrupted run left nothing.
  resumable: false,
  cleanup: () => undefined,
};
