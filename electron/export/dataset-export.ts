// A capture exported for notebooks: per-neuron statistics, top activating examples and the
// sampled hidden states, as one .safetensors file with a JSON sidecar (strings: document names,
// sample tokens and metadata) or as CSV files with the same sidecar. The README section "Export
// for notebooks" is the schema; the sidecar repeats it per tensor so a file explains itself.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/database.js';
import { getCorpus } from '../../db/corpora.js';
import { getDataset, loadTopExamples, type TopExample } from '../../db/datasets.js';
import { documentRefs, iterateSampleRows, type DocumentRef } from '../../db/export-rows.js';
import { getModel } from '../../db/models.js';
import { tableCsv } from '../../common/compare-table.js';
import type { ModelSpec } from '../../native-models/spec.js';
import type { StatsSummary } from '../analysis/neuron-stats.js';
import { summaryOf } from '../neurons.js';
import { ExportError, f32Tensor, writeSafetensors, type TensorSource } from './safetensors-writer.js';

export { ExportError };

export type ExportFormat = 'safetensors' | 'csv';

/** The per-neuron statistics exported, in column order, with what each one is. */
export const NEURON_COLUMNS: ReadonlyArray<{ name: string; description: string; values: (s: StatsSummary, i: number, layer: number) => number | null }> = [
  { name: 'tokens', description: "tokens the neuron saw (its layer's; for a mixture of experts, those routed to its expert)", values: (s, i, l) => (s.unitTokens ? s.unitTokens[i]! : s.tokens[l]!) },
  { name: 'mean', description: 'mean activation', values: (s, i) => s.mean[i]! },
  { name: 'std', description: 'population standard deviation of the activation', values: (s, i) => s.std[i]! },
  { name: 'min', description: 'smallest activation', values: (s, i) => s.min[i]! },
  { name: 'max', description: 'largest activation', values: (s, i) => s.max[i]! },
  { name: 'peak_abs', description: 'max(|min|, |max|)', values: (s, i) => s.peakAbs[i]! },
  { name: 'mean_abs', description: 'mean |activation| (missing for captures made before it was recorded)', values: (s, i) => (s.meanAbs ? s.meanAbs[i]! : null) },
  { name: 'fire_count', description: 'tokens on which the neuron fired (see fire in the sidecar)', values: (s, i) => s.fireCount[i]! },
  { name: 'fire_rate', description: 'fire_count / tokens', values: (s, i) => s.fireRate[i]! },
  { name: 'kurtosis', description: 'excess kurtosis of the activation (0 for a Gaussian; missing when the variance is too small to say)', values: (s, i) => (s.kurtosis ? s.kurtosis[i]! : null) },
  { name: 'peak_ratio', description: "peak_abs over the layer's median peak_abs", values: (s, i) => s.peakRatio[i]! },
];

/** float32 holds every integer up to 2^24 exactly; ids, positions and token ids are checked against it. */
const F32_EXACT = 2 ** 24;

interface Collected {
  db: Db;
  datasetId: number;
  spec: ModelSpec;
  summary: StatsSummary;
  top: TopExample[];
  topK: number;
  docs: Map<number, DocumentRef>;
  samples: { count: number; hasResidual: boolean; hasFfn: boolean };
  sidecar: Record<string, unknown>;
}

function collect(db: Db, datasetId: number): Collected {
  const d = getDataset(db, datasetId);
  if (!d || d.status !== 'ready') throw new ExportError(`capture ${datasetId} does not exist; see ffn-lab datasets list`);
  const model = getModel(db, d.modelId)!;
  const { summary, spec } = summaryOf(db, datasetId);
  const top = loadTopExamples(db, datasetId);
  const topK = top.reduce((k, t) => Math.max(k, t.rank + 1), 0);
  const sampleDocs: number[] = [];
  let count = 0;
  let hasResidual = false;
  let hasFfn = false;
  const sampleInfo: Array<{ token: string; metadata: unknown }> = [];
  for (const r of iterateSampleRows(db, datasetId, false)) {
    count++;
    sampleDocs.push(r.documentId);
    sampleInfo.push({ token: r.token, metadata: JSON.parse(r.metadata) as unknown });
  }
  if (count > 0) {
    // blob presence without reading the blobs
    const lengths = db.prepare('SELECT min(length(residual)) AS r, min(length(ffn)) AS f, sum(residual IS NULL) AS rn, sum(ffn IS NULL) AS fn FROM samples WHERE dataset_id = ?').get(datasetId) as { r: number | null; f: number | null; rn: number; fn: number };
    hasResidual = lengths.rn === 0 && lengths.r === 2 * spec.nLayers * spec.dModel;
    hasFfn = lengths.fn === 0 && lengths.f === 2 * spec.nLayers * spec.dFf;
  }
  const docs = documentRefs(db, [...top.map((t) => t.documentId), ...sampleDocs]);
  const corpus = getCorpus(db, d.corpusId);
  const sidecar = {
    format: 'ffn-lab-notebook-export',
    version: 1,
    dataset: { id: d.id, name: d.name, tokens: d.tokens, params: d.params, created_at: d.createdAt },
    model: { name: model.name, sha256: model.sha256, family: model.family, architecture: model.architecture, layers: spec.nLayers, d_model: spec.dModel, d_ff: spec.dFf },
    corpus: corpus ? { name: corpus.name, checksum: corpus.checksum } : null,
    fire: { threshold: summary.fireThreshold, mode: summary.fireMode, rule: summary.fireMode === 'positive' ? 'activation > threshold' : '|activation| > threshold' },
    neuron_columns: Object.fromEntries(NEURON_COLUMNS.map((c) => [c.name, c.description])),
    top_k: topK,
    /** corpus ordinal -> document name, for every document the export refers to */
    documents: Object.fromEntries([...docs.values()].sort((a, b) => a.ordinal - b.ordinal).map((x) => [String(x.ordinal), x.name])),
    samples: { count, hidden_states: { residual: hasResidual, ffn: hasFfn }, stored_as: 'float16', tokens: sampleInfo.map((s) => s.token), metadata: sampleInfo.map((s) => s.metadata) },
  };
  return { db, datasetId, spec, summary, top, topK, docs, samples: { count, hasResidual, hasFfn }, sidecar };
}

function ordinalOf(c: Collected, documentId: number): number {
  const ref = c.docs.get(documentId);
  if (!ref) throw new ExportError(`document ${documentId} of capture ${c.datasetId} is no longer in its corpus; re-capture to export`);
  return ref.ordinal;
}

function exactInF32(what: string, v: number): number {
  if (!Number.isInteger(v) || Math.abs(v) >= F32_EXACT) throw new ExportError(`${what} ${v} does not fit float32 exactly (limit 2^24); export as CSV instead`);
  return v;
}

/** The tensors of the safetensors export and what each one holds. */
function tensorsOf(c: Collected): Array<TensorSource & { description: string }> {
  const { spec, summary: s } = c;
  const L = spec.nLayers;
  const F = spec.dFf;
  const out: Array<TensorSource & { description: string }> = [];
  for (const col of NEURON_COLUMNS) {
    const v = new Float32Array(L * F);
    for (let l = 0; l < L; l++) for (let f = 0; f < F; f++) v[l * F + f] = col.values(s, l * F + f, l) ?? NaN;
    out.push({ ...f32Tensor(`neurons.${col.name}`, [L, F], v), description: `[layer, neuron] ${col.description}; NaN when missing` });
  }
  const K = c.topK;
  const value = new Float32Array(L * F * K).fill(NaN);
  const doc = new Float32Array(L * F * K).fill(-1);
  const pos = new Float32Array(L * F * K).fill(-1);
  for (const t of c.top) {
    const i = (t.layer * F + t.neuron) * K + t.rank;
    value[i] = t.value;
    doc[i] = exactInF32('document ordinal', ordinalOf(c, t.documentId));
    pos[i] = exactInF32('token position', t.position);
  }
  out.push({ ...f32Tensor('top.value', [L, F, K], value), description: '[layer, neuron, rank] activation of the rank-th top example (rank 0 = largest); NaN where the neuron has fewer examples' });
  out.push({ ...f32Tensor('top.document', [L, F, K], doc), description: '[layer, neuron, rank] the example\'s document: its ordinal in the corpus (names in "documents"); -1 where none' });
  out.push({ ...f32Tensor('top.position', [L, F, K], pos), description: "[layer, neuron, rank] the example's token position in its document's token sequence; -1 where none" });
  const S = c.samples.count;
  if (S > 0) {
    const doc1 = new Float32Array(S);
    const pos1 = new Float32Array(S);
    const tok = new Float32Array(S);
    const loss = new Float32Array(S);
    let i = 0;
    for (const r of iterateSampleRows(c.db, c.datasetId, false)) {
      doc1[i] = exactInF32('document ordinal', ordinalOf(c, r.documentId));
      pos1[i] = exactInF32('token position', r.position);
      tok[i] = exactInF32('token id', r.tokenId);
      loss[i] = r.loss ?? NaN;
      i++;
    }
    out.push({ ...f32Tensor('samples.document', [S], doc1), description: "[sample] the sampled token's document (corpus ordinal)" });
    out.push({ ...f32Tensor('samples.position', [S], pos1), description: '[sample] token position in the document' });
    out.push({ ...f32Tensor('samples.token_id', [S], tok), description: '[sample] token id (text in samples.tokens of the sidecar)' });
    out.push({ ...f32Tensor('samples.loss', [S], loss), description: '[sample] -log p(next token), nats; NaN at a document\'s last token' });
    const blobTensor = (column: 'residual' | 'ffn', width: number, description: string) => ({
      name: `samples.${column}`,
      dtype: 'F16' as const,
      shape: [S, L, width],
      description,
      fill: (write: (b: Uint8Array) => void) => {
        for (const r of iterateSampleRows(c.db, c.datasetId, true)) write(r[column]!);
      },
    });
    if (c.samples.hasResidual) out.push(blobTensor('residual', spec.dModel, '[sample, layer, d_model] residual stream after each block, float16 as stored'));
    if (c.samples.hasFfn) out.push(blobTensor('ffn', F, '[sample, layer, d_ff] FFN activations after the nonlinearity, float16 as stored'));
  }
  return out;
}

const num = (v: number | null): number | null => (v === null || Number.isNaN(v) ? null : v);

function writeText(file: string, text: string): void {
  fs.writeFileSync(`${file}.partial`, text);
  fs.renameSync(`${file}.partial`, file);
}

/** Hidden states as CSV: one row per sample and layer, streamed. */
function writeHiddenCsv(c: Collected, file: string, column: 'residual' | 'ffn', width: number): void {
  const tmp = `${file}.partial`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, ['sample', 'layer', ...Array.from({ length: width }, (_, k) => `v${k}`)].join(',') + '\n');
    let i = 0;
    for (const r of iterateSampleRows(c.db, c.datasetId, true)) {
      const blob = r[column]!;
      const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      for (let l = 0; l < c.spec.nLayers; l++) {
        const cells: string[] = [String(i), String(l)];
        for (let k = 0; k < width; k++) cells.push(String(halfToNumber(view.getUint16(2 * (l * width + k), true))));
        fs.writeSync(fd, cells.join(',') + '\n');
      }
      i++;
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function writeCsvFiles(c: Collected, dir: string): string[] {
  const { spec, summary: s } = c;
  const F = spec.dFf;
  const files: string[] = [];
  const neurons = path.join(dir, 'neurons.csv');
  const rows: Array<Array<string | number | null>> = [];
  for (let l = 0; l < spec.nLayers; l++) for (let f = 0; f < F; f++) rows.push([l, f, ...NEURON_COLUMNS.map((col) => num(col.values(s, l * F + f, l)))]);
  writeText(neurons, tableCsv({ header: ['layer', 'neuron', ...NEURON_COLUMNS.map((col) => col.name)], rows }));
  files.push(neurons);
  const top = path.join(dir, 'top_examples.csv');
  writeText(
    top,
    tableCsv({
      header: ['layer', 'neuron', 'rank', 'value', 'document', 'document_ordinal', 'position'],
      rows: c.top.map((t) => [t.layer, t.neuron, t.rank, t.value, c.docs.get(t.documentId)?.name ?? null, ordinalOf(c, t.documentId), t.position]),
    }),
  );
  files.push(top);
  if (c.samples.count > 0) {
    const samples = path.join(dir, 'samples.csv');
    const sampleRows: Array<Array<string | number | null>> = [];
    let i = 0;
    for (const r of iterateSampleRows(c.db, c.datasetId, false)) {
      sampleRows.push([i++, c.docs.get(r.documentId)?.name ?? null, ordinalOf(c, r.documentId), r.position, r.tokenId, r.token, r.loss, r.metadata]);
    }
    writeText(samples, tableCsv({ header: ['sample', 'document', 'document_ordinal', 'position', 'token_id', 'token', 'loss', 'metadata'], rows: sampleRows }));
    files.push(samples);
    if (c.samples.hasResidual) {
      writeHiddenCsv(c, path.join(dir, 'residual.csv'), 'residual', spec.dModel);
      files.push(path.join(dir, 'residual.csv'));
    }
    if (c.samples.hasFfn) {
      writeHiddenCsv(c, path.join(dir, 'ffn.csv'), 'ffn', F);
      files.push(path.join(dir, 'ffn.csv'));
    }
  }
  return files;
}

/** Writes the export into `dir` (created when missing); returns the files written, the sidecar last. */
export function exportDataset(db: Db, datasetId: number, format: ExportFormat, dir: string): string[] {
  const folder = path.resolve(dir);
  if (fs.existsSync(folder) && !fs.statSync(folder).isDirectory()) throw new ExportError(`${folder} is a file; expected a folder to write the export into`);
  fs.mkdirSync(folder, { recursive: true });
  const c = collect(db, datasetId);
  const sidecarFile = path.join(folder, 'capture.json');
  let files: string[];
  let sidecar: Record<string, unknown>;
  if (format === 'safetensors') {
    const tensors = tensorsOf(c);
    const file = path.join(folder, 'capture.safetensors');
    writeSafetensors(file, tensors, { format: 'ffn-lab-notebook-export', dataset: String(datasetId), sidecar: 'capture.json' });
    files = [file];
    sidecar = { ...c.sidecar, files: { safetensors: 'capture.safetensors' }, tensors: Object.fromEntries(tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, description: t.description }])) };
  } else {
    files = writeCsvFiles(c, folder);
    sidecar = { ...c.sidecar, files: { csv: files.map((f) => path.basename(f)) } };
  }
  writeText(sidecarFile, JSON.stringify(sidecar, null, 2) + '\n');
  return [...files, sidecarFile];
}
