// The weight scan, run at import in the job process: every tensor of the files as stored (names
// the user knows), then each FFN layer in canonical layout for per-neuron norms and super-weight
// candidates.
import { ffnNeuronNorms, scanBlockScales, scanTensor, superWeightCandidates, type SourceDtype } from '../../analysis/tensor-scan.js';
import type { NeuronWeightsRow, SuperWeightRow, TensorScanRow, WeightScan, InvalidRow } from '../../../db/weights.js';
import type { CheckpointReader } from '../../../native-models/formats/checkpoint.js';
import { dequantize, isQuantType } from '../../../native-models/formats/ggml-quants.js';
import { readBlockScales } from '../../../native-models/formats/ggml-scales.js';
import { W, type LoadedModel } from '../../../native-models/spec.js';

const SOURCE_DTYPE: Record<string, SourceDtype> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

export function scanWeights(reader: CheckpointReader, model: LoadedModel, progress: (done: number, total: number) => void): WeightScan {
  const tensors: TensorScanRow[] = [];
  const invalid: InvalidRow[] = [];
  const names = [...reader.tensors.keys()];
  const total = names.length + model.spec.nLayers;
  names.forEach((name, i) => {
    const info = reader.tensors.get(name)!;
    let data: Float32Array;
    let blockScales: TensorScanRow['blockScales'] = null;
    if (isQuantType(info.dtype) && reader.readRaw) {
      // One read of the stored blocks: their scales d as stored, and the values dequantized.
      const raw = reader.readRaw(name);
      const count = info.shape.reduce((a, b) => a * b, 1);
      const scales = readBlockScales(info.dtype, raw, count);
      blockScales = scanBlockScales(scales.d, scales.blockSize, info.shape);
      data = dequantize(info.dtype, raw, count);
    } else {
      data = reader.read(name);
    }
    const s = scanTensor({ data, shape: info.shape }, { sourceDtype: SOURCE_DTYPE[info.dtype] ?? 'float32' });
    tensors.push({
      tensor: name,
      dtype: info.dtype,
      shape: s.shape,
      nan: s.nan,
      inf: s.pos_inf + s.neg_inf,
      subnormal: s.subnormal,
      min: s.min,
      max: s.max,
      mean: s.mean,
      std: s.std,
      kurtosis: s.kurtosis,
      maxAbs: s.max_abs?.value ?? null,
      maxAbsIndex: s.max_abs?.index ?? null,
      invalidTotal: s.invalid_total,
      blockScales,
    });
    for (const e of s.invalid) invalid.push({ tensor: name, index: e.index, value: e.value });
    progress(i + 1, total);
  });
  const neurons: NeuronWeightsRow[] = [];
  const superWeights: SuperWeightRow[] = [];
  for (let layer = 0; layer < model.spec.nLayers; layer++) {
    const w = W.layer(layer);
    const out = model.weight(w.mlpOut);
    const norms = ffnNeuronNorms({ in: model.weight(w.mlpIn), ...(model.spec.gated ? { gate: model.weight(w.mlpGate) } : {}), out });
    const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
    norms.key.forEach((keyNorm, neuron) =>
      neurons.push({ layer, neuron, keyNorm: finite(keyNorm), gateNorm: finite(norms.gate?.[neuron]), valueNorm: finite(norms.value[neuron]) }),
    );
    const sw = superWeightCandidates(out);
    for (const c of sw.candidates) superWeights.push({ layer, row: c.index[0], neuron: c.neuron, value: c.value, ratio: c.ratio, rule: sw.rule });
    progress(names.length + layer + 1, total);
  }
  return { tensors, invalid, neurons, superWeights };
}
