// The weight scan as a job of its own (it also runs inside every import): read every tensor of an
// imported model's files again and replace the stored scan, e.g. after an app update that scans
// for more, or to check files that may have been damaged. Files that changed since import are
// refused (their sha256 differs): importing them again is the way to a new model record.
import { getModel } from '../../../db/models.js';
import { saveWeightScan } from '../../../db/weights.js';
import { openCheckpoint } from '../../../native-models/formats/checkpoint.js';
import { loadFromReader } from '../../../native-models/load.js';
import type { WeightScanParams } from '../../api.js';
import { JobInputError, type JobContext } from '../definition.js';
import { scanWeights } from '../model-import/scan.js';
import { saveModelMetadata } from '../../../db/metadata.js';
import { checkpointMetadata } from '../model-import/metadata.js';

export function runWeightScan(ctx: JobContext<WeightScanParams>) {
  const record = getModel(ctx.db, ctx.params.modelId);
  if (!record) throw new JobInputError(`model ${ctx.params.modelId} does not exist; import it first (ffn-lab import <path>)`);
  ctx.progress(0, null, 'tensors', 'reading and hashing the checkpoint');
  const reader = openCheckpoint(record.path);
  const model = loadFromReader(reader);
  if (model.source.sha256 !== record.sha256) {
    throw new JobInputError(`the files of model "${record.name}" at ${record.path} changed since import (sha256 differs); import them again`);
  }
  const scan = scanWeights(reader, model, (done, total) => ctx.progress(done, total, 'tensors', 'scanning weights'));
  const metadata = checkpointMetadata(reader);
  ctx.db.transaction(() => {
    saveWeightScan(ctx.db, record.id, scan);
    saveModelMetadata(ctx.db, record.id, metadata);
  })();
  return { modelId: record.id, tensors: scan.tensors.length, invalidWeights: scan.tensors.reduce((n, t) => n + t.invalidTotal, 0) };
}
