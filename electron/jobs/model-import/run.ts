// The model-import job, in the worker process: parsing untrusted checkpoint files happens here,
// never in the UI's process. Opening validates the files and maps the architecture; hashing
// reads every byte once; the row is written only when both succeeded.
import path from 'node:path';
import { insertModel } from '../../../db/models.js';
import { loadFromReader } from '../../../native-models/load.js';
import { openCheckpoint } from '../../../native-models/formats/checkpoint.js';
import { saveWeightScan } from '../../../db/weights.js';
import { scanWeights } from './scan.js';
import { saveModelMetadata } from '../../../db/metadata.js';
import { checkpointMetadata } from './metadata.js';
import type { ModelImportParams } from '../../api.js';
import type { JobContext } from '../definition.js';
import { modelSummary } from '../../models.js';

/** The file's name without extension; for the generic "model.safetensors" / "model.bin" / "model.gguf", its folder's. */
export function defaultModelName(file: string): string {
  const abs = path.resolve(file);
  const stem = path.basename(abs).replace(/\.(bin|safetensors|gguf)$/i, '');
  return stem.toLowerCase() === 'model' ? path.basename(path.dirname(abs)) : stem;
}

export function runModelImport(ctx: JobContext<ModelImportParams>) {
  const file = path.resolve(ctx.params.path);
  ctx.progress(0, null, 'tensors', 'reading and validating the checkpoint');
  const reader = openCheckpoint(file);
  const model = loadFromReader(reader);
  ctx.progress(0, null, 'tensors', 'hashing the weights');
  const sha256 = model.source.sha256;
  const scan = scanWeights(reader, model, (done, total) => ctx.progress(done, total, 'tensors', 'scanning weights'));
  const metadata = checkpointMetadata(reader);
  const record = ctx.db.transaction(() => {
    const inserted = insertModel(ctx.db, {
      name: ctx.params.name ?? defaultModelName(file),
      path: file,
      format: model.source.format,
      architecture: model.spec.architecture,
      family: model.spec.family,
      sha256,
      spec: model.spec,
      params: model.spec.params,
    });
    saveWeightScan(ctx.db, inserted.id, scan);
    saveModelMetadata(ctx.db, inserted.id, metadata);
    return inserted;
  })();
  const invalid = scan.tensors.reduce((n, t) => n + t.invalidTotal, 0);
  return { model: modelSummary(record), invalidWeights: invalid };
}
