// The model-import job, in the worker process: parsing untrusted checkpoint files happens here,
// never in the UI's process. Opening validates the files and maps the architecture; hashing
// reads every byte once; the row is written only when both succeeded.
import path from 'node:path';
import { insertModel } from '../../../db/models.js';
import { loadModel } from '../../../native-models/load.js';
import type { ModelImportParams } from '../../api.js';
import type { JobContext } from '../definition.js';
import { modelSummary } from '../../models.js';

/** The file's name without extension; for the generic "model.safetensors" / "model.bin", its folder's. */
export function defaultModelName(file: string): string {
  const abs = path.resolve(file);
  const stem = path.basename(abs).replace(/\.(bin|safetensors)$/i, '');
  return stem.toLowerCase() === 'model' ? path.basename(path.dirname(abs)) : stem;
}

export function runModelImport(ctx: JobContext<ModelImportParams>) {
  const file = path.resolve(ctx.params.path);
  ctx.progress(0, 3, 'steps', 'reading and validating the checkpoint');
  const model = loadModel(file);
  ctx.progress(1, 3, 'steps', 'hashing the weights');
  const sha256 = model.source.sha256;
  ctx.progress(2, 3, 'steps', 'saving');
  const record = insertModel(ctx.db, {
    name: ctx.params.name ?? defaultModelName(file),
    path: file,
    format: model.source.format,
    architecture: model.spec.architecture,
    family: model.spec.family,
    sha256,
    spec: model.spec,
    params: model.spec.params,
  });
  ctx.progress(3, 3, 'steps', null);
  return { model: modelSummary(record) };
}
