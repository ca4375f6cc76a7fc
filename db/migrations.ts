// Versioned schema migrations, applied in order at start-up inside one transaction each.
// PRAGMA user_version records the last applied version. Never edit a released migration:
// add a new one.
import type { Db } from './database.js';
import { insertRows } from './insert-rows.js';
import { TOP_ENTRY_BYTES, writeTopEntry } from './top-examples.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Run after `sql` in the same transaction: data conversions SQL cannot express (e.g. packing rows into blobs). */
  run?: (db: Db) => void;
}

/**
 * Migration 16: packs the one-row-per-example table (renamed top_examples_rows) into one row per
 * neuron (db/top-examples.ts), then drops it. Lossless: values were float32 (stored from the
 * capture's Float32Array), document ids and positions came from its Uint32Arrays, and ranks ran
 * 0..n-1 per neuron (the capture wrote each list's place as its rank). One (capture, layer) at a time,
 * read fully before writing: better-sqlite3 cannot write while a read is open on the connection.
 */
function packTopExampleRows(db: Db): void {
  const parts = db.prepare('SELECT DISTINCT dataset_id, layer FROM top_examples_rows').raw().all() as Array<[number, number]>;
  const read = db.prepare('SELECT neuron, value, document_id, position FROM top_examples_rows WHERE dataset_id = ? AND layer = ? ORDER BY neuron, rank').raw();
  for (const [datasetId, layer] of parts) {
    const entries = read.all(datasetId, layer) as Array<[number, number, number, number]>;
    const rows: Array<[number, number, number, Buffer]> = [];
    for (let start = 0; start < entries.length; ) {
      const neuron = entries[start]![0];
      let end = start;
      while (end < entries.length && entries[end]![0] === neuron) end++;
      const blob = Buffer.alloc((end - start) * TOP_ENTRY_BYTES);
      const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      for (let e = start; e < end; e++) writeTopEntry(view, e - start, entries[e]![1], entries[e]![2], entries[e]![3]);
      rows.push([datasetId, layer, neuron, blob]);
      start = end;
    }
    insertRows(db, 'top_examples', ['dataset_id', 'layer', 'neuron', 'examples'], rows);
  }
  db.exec('DROP TABLE top_examples_rows');
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, corpora, documents, models, datasets, statistics, samples, projections, neuron sets, ablations',
    sql: `
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted','discarded')),
  params TEXT NOT NULL,
  progress_done REAL NOT NULL DEFAULT 0,
  progress_total REAL,
  progress_unit TEXT NOT NULL DEFAULT '',
  progress_message TEXT,
  result TEXT,
  error TEXT,
  -- the process that owns the job (app or CLI); a running job whose owner is gone was interrupted
  owner_pid INTEGER,
  worker_pid INTEGER,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX jobs_state ON jobs(state);

CREATE TABLE corpora (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  -- 'importing' rows are invisible to users; a cancelled or discarded import deletes its row
  status TEXT NOT NULL CHECK (status IN ('importing','ready')),
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  documents INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  checksum TEXT,
  metadata_fields TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX corpora_name ON corpora(name);
CREATE INDEX corpora_job ON corpora(job_id);

CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  corpus_id INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  -- word-level annotations with character offsets, e.g. {"pos": [[start, end, tag], ...]}
  annotations TEXT,
  UNIQUE (corpus_id, ordinal)
);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  architecture TEXT NOT NULL,
  family TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  spec TEXT NOT NULL,
  params INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE weight_scans (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  tensor TEXT NOT NULL,
  shape TEXT NOT NULL,
  nan_count INTEGER NOT NULL,
  inf_count INTEGER NOT NULL,
  subnormal_count INTEGER NOT NULL,
  min REAL, max REAL, mean REAL, std REAL, kurtosis REAL,
  max_abs REAL, max_abs_index TEXT,
  PRIMARY KEY (model_id, tensor)
) WITHOUT ROWID;

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  corpus_id INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('capturing','ready')),
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  params TEXT NOT NULL,
  tokens INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

-- mergeable per-neuron statistics: sums, not means, so shards add up
CREATE TABLE neuron_stats (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  neuron INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  sumsq REAL NOT NULL,
  sum_abs REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  fire_count INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, layer, neuron)
) WITHOUT ROWID;

CREATE TABLE top_examples (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  neuron INTEGER NOT NULL,
  rank INTEGER NOT NULL,
  value REAL NOT NULL,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, layer, neuron, rank)
) WITHOUT ROWID;

CREATE TABLE verdicts (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  neuron INTEGER NOT NULL,
  kind TEXT NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (dataset_id, layer, neuron, kind)
) WITHOUT ROWID;

-- sampled hidden states: one row per sampled token, vectors as little-endian float16/32 blobs
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  token_id INTEGER NOT NULL,
  token TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  loss REAL,
  residual BLOB,
  ffn BLOB
);
CREATE INDEX samples_dataset ON samples(dataset_id);

CREATE TABLE projections (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  method TEXT NOT NULL,
  params TEXT NOT NULL,
  coords BLOB NOT NULL,
  explained_variance TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE neuron_sets (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  origin TEXT NOT NULL,
  neurons TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (model_id, name)
);

CREATE TABLE ablations (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  neuron_set_id INTEGER REFERENCES neuron_sets(id) ON DELETE SET NULL,
  corpus_id INTEGER REFERENCES corpora(id) ON DELETE SET NULL,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  method TEXT NOT NULL,
  params TEXT NOT NULL,
  model_sha256 TEXT NOT NULL,
  app_version TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE ablation_results (
  ablation_id INTEGER NOT NULL REFERENCES ablations(id) ON DELETE CASCADE,
  condition TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  ci_low REAL,
  ci_high REAL,
  PRIMARY KEY (ablation_id, condition, metric)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    description: 'captures: name, resumable cursor, higher moments per neuron',
    sql: `
ALTER TABLE datasets ADD COLUMN name TEXT NOT NULL DEFAULT '';
-- batches committed so far: a resumed capture continues after them
ALTER TABLE datasets ADD COLUMN batches_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE datasets ADD COLUMN batches_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE neuron_stats ADD COLUMN sum3 REAL;
ALTER TABLE neuron_stats ADD COLUMN sum4 REAL;
`,
  },
  {
    version: 3,
    description: 'weight scan: invalid entries, per-neuron weight norms, super-weight candidates',
    sql: `
ALTER TABLE weight_scans ADD COLUMN dtype TEXT NOT NULL DEFAULT 'F32';
ALTER TABLE weight_scans ADD COLUMN invalid_total INTEGER NOT NULL DEFAULT 0;
-- file order of the tensors (the table has no rowid)
ALTER TABLE weight_scans ADD COLUMN ordinal INTEGER NOT NULL DEFAULT 0;
-- the first invalid entries of each tensor (the counts above are complete)
CREATE TABLE weight_invalid (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  tensor TEXT NOT NULL,
  idx TEXT NOT NULL,
  value TEXT NOT NULL CHECK (value IN ('nan','inf','-inf'))
);
CREATE INDEX weight_invalid_model ON weight_invalid(model_id);
CREATE TABLE neuron_weights (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  neuron INTEGER NOT NULL,
  -- NULL where the weights hold NaN/Inf (SQLite has no NaN)
  key_norm REAL,
  gate_norm REAL,
  value_norm REAL,
  PRIMARY KEY (model_id, layer, neuron)
) WITHOUT ROWID;
CREATE TABLE super_weights (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  row INTEGER NOT NULL,
  neuron INTEGER NOT NULL,
  value REAL NOT NULL,
  ratio REAL NOT NULL,
  rule TEXT NOT NULL
);
`,
  },
  {
    version: 4,
    description: 'captures: per layer, tokens by how many neurons fired (float64 [L, F+1])',
    sql: `ALTER TABLE datasets ADD COLUMN active_hist BLOB;`,
  },
  {
    version: 5,
    description: 'ablation runs: name, kind (compare | sweep), the capture they used, per-document and per-token details',
    sql: `
ALTER TABLE ablations ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE ablations ADD COLUMN kind TEXT NOT NULL DEFAULT 'compare';
ALTER TABLE ablations ADD COLUMN dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL;
-- JSON: conditions with their exact neurons, per-document totals, the tokens hurt most
ALTER TABLE ablations ADD COLUMN details TEXT;
CREATE INDEX ablations_job ON ablations(job_id);
`,
  },
  {
    version: 6,
    description: 'manifold: projection runs (one job, its layers, the samples it covers), ablated coordinates, intrinsic dimension per layer',
    sql: `
CREATE TABLE projection_runs (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  -- 'running' rows are invisible to users; a cancelled or discarded job deletes its row
  status TEXT NOT NULL CHECK (status IN ('running','ready')),
  method TEXT NOT NULL,
  params TEXT NOT NULL,
  -- the samples projected, in coordinate order: little-endian float64 sample ids
  sample_ids BLOB NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX projection_runs_dataset ON projection_runs(dataset_id);
ALTER TABLE projections ADD COLUMN run_id INTEGER REFERENCES projection_runs(id) ON DELETE CASCADE;
-- the same samples with neurons ablated, in the intact projection's basis (float32, like coords)
ALTER TABLE projections ADD COLUMN ablated_coords BLOB;
CREATE INDEX projections_run ON projections(run_id);
CREATE TABLE intrinsic_dims (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  space TEXT NOT NULL,
  points INTEGER NOT NULL,
  twonn REAL,
  pca90 INTEGER,
  params TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, layer, space)
) WITHOUT ROWID;
`,
  },
  {
    version: 7,
    description: 'exported figures; app settings (e.g. the first-run marker)',
    sql: `
-- figures exported from the UI: the file name the browser saved, not its folder (unknown to the app)
CREATE TABLE figures (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  chart TEXT NOT NULL,
  format TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  -- the image's size: pixels for PNG, CSS pixels for SVG, points for PDF; NULL for CSV
  width REAL,
  height REAL,
  created_at TEXT NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 8,
    description: 'ablation runs: a resumable checkpoint of the running totals',
    sql: `
-- the running totals of an unfinished ablation job after its last committed batch (JSON), so a
-- resumed run continues there; removed when the run is stored or discarded
CREATE TABLE ablation_checkpoints (
  job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  batches_done INTEGER NOT NULL,
  state TEXT NOT NULL
);
`,
  },
  {
    version: 9,
    description: 'captures: the largest |residual stream value| per layer and dim with where it occurred (massive activations)',
    sql: `
-- per (layer, residual dim), the k tokens of the capture with the largest |resid_post| (rank 0 =
-- the largest), written in the checkpoint transaction with the neuron statistics; a capture whose
-- params lack residTopK predates this table
CREATE TABLE resid_top (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  dim INTEGER NOT NULL,
  rank INTEGER NOT NULL,
  abs REAL NOT NULL,
  value REAL NOT NULL,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  token_id INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, layer, dim, rank)
) WITHOUT ROWID;
`,
  },
  {
    version: 10,
    description: 'weight scan: per-block scales of quantized tensors; model metadata (GGUF key/values, config.json)',
    sql: `
-- for a block-quantized tensor (GGUF Q8_0, Q4_K, ...): its per-block scales d judged (JSON:
-- blockSize, blocks, nonFinite, min/median/max of |d|, the largest block with its element range
-- and ratio to the median); NULL for plain float tensors and for scans made before this version
ALTER TABLE weight_scans ADD COLUMN block_scales TEXT;
-- the checkpoint's metadata as the import read it, summarized for display (long arrays as their
-- length and first elements): GGUF key/values, a Hugging Face config.json, a llama2.c header
CREATE TABLE model_metadata (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  -- the element count of an array value, else NULL
  length INTEGER,
  PRIMARY KEY (model_id, ordinal)
) WITHOUT ROWID;
`,
  },
  {
    version: 11,
    description: 'captures of mixture-of-experts models: router statistics per layer and expert',
    sql: `
-- the running router totals of a capture (electron/analysis/router-stats.ts, JSON: tokens, load,
-- top-1 counts, weight and probability sums, entropy sums, pair counts), written in the checkpoint
-- transaction with the neuron statistics; dense models have no row
CREATE TABLE router_stats (
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  state TEXT NOT NULL
);
`,
  },
  {
    version: 12,
    description: 'captures of mixture-of-experts models: the experts the router chose for each sampled token',
    sql: `
-- per sampled token of an MoE capture, the routed experts of every layer by descending routing
-- weight: little-endian uint16 [layers, topK] (entry 0 of a layer is its top-1 expert); NULL for
-- dense models and for samples captured before this version (the manifold view then says
-- that a re-capture is needed to colour by expert)
ALTER TABLE samples ADD COLUMN experts BLOB;
`,
  },
  {
    version: 13,
    description: 'captures: warnings about what they read (one value of a metadata field only)',
    sql: `
-- a JSON list of sentences, written when the capture's documents are chosen and shown wherever
-- its numbers are (e.g. "covers one value of genre only"); '[]' for captures made before this
ALTER TABLE datasets ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
`,
  },
  {
    version: 14,
    description: 'exported figures: a thumbnail and the view they were exported from',
    sql: `
-- a small PNG of the figure as a data: URL (at most 240 px wide), for the Figures page; NULL for
-- CSV and for figures exported before this version
ALTER TABLE figures ADD COLUMN thumbnail TEXT;
-- the app route of the view the figure came from (e.g. '#/neurons/3'), to open it again; NULL before this version
ALTER TABLE figures ADD COLUMN source TEXT;
`,
  },
  {
    version: 15,
    description: 'models: a tokenizer the user attached',
    sql: `
-- a tokenizer.json file, or a folder holding tokenizer.json / a llama2.c tokenizer.bin, that the
-- user attached to a model imported without one; preferred over one found beside the checkpoint.
-- NULL: the tokenizer is looked for beside the checkpoint
ALTER TABLE models ADD COLUMN tokenizer_path TEXT;
`,
  },
  {
    version: 16,
    description: 'top examples: one row per neuron, its list packed into a blob',
    sql: `
-- a capture's commit rewrote one row per top example (GPT-2 small with top-16: 590k rows, over a
-- second); now one per neuron: its entries best first, 12 bytes each, little-endian: value
-- float32, document id uint32, position uint32 (db/top-examples.ts). The rows' reference to
-- documents(id) goes: documents are deleted only with their corpus, which deletes the captures
-- that read it (datasets.corpus_id ON DELETE CASCADE), and a capture's examples lie in its corpus.
ALTER TABLE top_examples RENAME TO top_examples_rows;
CREATE TABLE top_examples (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  layer INTEGER NOT NULL,
  neuron INTEGER NOT NULL,
  examples BLOB NOT NULL,
  PRIMARY KEY (dataset_id, layer, neuron)
) WITHOUT ROWID;
`,
    run: packTopExampleRows,
  },
];
