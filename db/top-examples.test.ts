// Top examples packed one row per neuron (migration 16): saveCheckpoint stores the capture's lists
// and loadTopExamples gives them back as rows, and a database written at version 15 (one row per
// example) reads the same after the migration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from './database.js';
import { migrations } from './migrations.js';
import { loadTopExamples, saveCheckpoint, type StoredStats, type TopExample } from './datasets.js';
import type { TopK } from '../common/top-k-lists.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-top-examples-'));
  dirs.push(dir);
  return path.join(dir, 'lab.sqlite');
}

/** A corpus with the given document ids, a model, and `captures` datasets of it. */
function seed(db: Db, documentIds: readonly number[], captures: number): void {
  db.prepare("INSERT INTO corpora (id, name, source, status, created_at) VALUES (1, 'c', 'test', 'ready', 'now')").run();
  const doc = db.prepare("INSERT INTO documents (id, corpus_id, ordinal, name, text, bytes) VALUES (?, 1, ?, 'd', 'text', 4)");
  documentIds.forEach((id, ordinal) => doc.run(id, ordinal));
  db.prepare("INSERT INTO models (id, name, path, format, architecture, family, sha256, spec, params, created_at) VALUES (1, 'm', 'p', 'safetensors', 'gpt2', 'gpt2', 'x', '{}', 1, 'now')").run();
  for (let id = 1; id <= captures; id++) {
    db.prepare("INSERT INTO datasets (id, name, model_id, corpus_id, status, params, batches_total, created_at) VALUES (?, ?, 1, 1, 'capturing', '{}', 1, 'now')").run(id, `d${id}`);
  }
}

function emptyStored(layers: number, neurons: number): StoredStats {
  const z = () => new Float64Array(layers * neurons);
  return { layers, neurons, count: z(), sum: z(), sumsq: z(), sumAbs: z(), sum3: z(), sum4: z(), min: z(), max: z(), fire: z(), activeHist: null };
}

/** 2 layers x 3 neurons, k = 3: full, partial and empty lists, the extremes of each field's type. */
function lists(): { top: TopK; rows: TopExample[] } {
  const rows: TopExample[] = [
    { layer: 0, neuron: 0, rank: 0, value: 3.5, documentId: 0xffffffff, position: 0 },
    { layer: 0, neuron: 0, rank: 1, value: Math.fround(0.1), documentId: 1, position: 0xffffffff },
    { layer: 0, neuron: 0, rank: 2, value: -0, documentId: 1, position: 7 },
    { layer: 0, neuron: 2, rank: 0, value: Math.fround(-1e-40), documentId: 2, position: 3 },
    { layer: 1, neuron: 1, rank: 0, value: 3.4028234663852886e38, documentId: 2, position: 9 },
    { layer: 1, neuron: 1, rank: 1, value: -5, documentId: 1, position: 1 },
  ];
  const k = 3;
  const top: TopK = { layers: 2, neurons: 3, k, size: new Uint32Array(6), values: new Float32Array(18), docs: new Uint32Array(18), positions: new Uint32Array(18) };
  for (const r of rows) {
    const i = r.layer * 3 + r.neuron;
    top.values[i * k + r.rank] = r.value;
    top.docs[i * k + r.rank] = r.documentId;
    top.positions[i * k + r.rank] = r.position;
    top.size[i] = r.rank + 1;
  }
  return { top, rows };
}

describe('top examples, one packed row per neuron', () => {
  it('stores the lists and reads them back as rows, by layer, neuron and rank', () => {
    const db = openDatabase(tmpFile());
    seed(db, [1, 2], 1);
    const { top, rows } = lists();
    saveCheckpoint(db, 1, { batchesDone: 1, tokens: 10, stats: emptyStored(2, 3), top });
    expect(loadTopExamples(db, 1)).toEqual(rows);
    expect(Object.is(loadTopExamples(db, 1)[2]!.value, -0)).toBe(true);
    expect(loadTopExamples(db, 1, { layer: 1 })).toEqual(rows.filter((r) => r.layer === 1));
    expect(loadTopExamples(db, 1, { layer: 0, neuron: 2 })).toEqual(rows.filter((r) => r.layer === 0 && r.neuron === 2));
    expect(loadTopExamples(db, 1, { layer: 0, neuron: 1 })).toEqual([]);
    // one row per neuron that has examples; a later commit replaces them, null removes them
    expect((db.prepare('SELECT count(*) AS n FROM top_examples').get() as { n: number }).n).toBe(3);
    top.size[0] = 1;
    saveCheckpoint(db, 1, { batchesDone: 2, tokens: 20, stats: emptyStored(2, 3), top });
    expect(loadTopExamples(db, 1, { layer: 0, neuron: 0 })).toEqual(rows.slice(0, 1));
    saveCheckpoint(db, 1, { batchesDone: 3, tokens: 30, stats: emptyStored(2, 3), top: null });
    expect(loadTopExamples(db, 1)).toEqual([]);
    db.close();
  });

  it('refuses a damaged blob, naming the capture and neuron', () => {
    const db = openDatabase(tmpFile());
    seed(db, [1], 1);
    db.prepare('INSERT INTO top_examples (dataset_id, layer, neuron, examples) VALUES (1, 0, 4, ?)').run(Buffer.alloc(13));
    expect(() => loadTopExamples(db, 1)).toThrow('capture 1: the top examples of layer 0 neuron 4 are 13 bytes, not whole 12-byte entries');
    db.close();
  });

  it('migrates the rows of a version-15 database to the same examples', () => {
    const file = tmpFile();
    const old = openDatabase(file, migrations.filter((m) => m.version <= 15));
    seed(old, [1, 2, 0xffffffff], 2);
    const insert = old.prepare('INSERT INTO top_examples (dataset_id, layer, neuron, rank, value, document_id, position) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const { rows } = lists();
    // inserted out of order: the migration orders by neuron and rank; the second capture is another list
    for (const r of [...rows].reverse()) insert.run(1, r.layer, r.neuron, r.rank, r.value, r.documentId, r.position);
    insert.run(2, 0, 1, 0, 2.25, 2, 5);
    const oldRead = (id: number) => old.prepare('SELECT layer, neuron, rank, value, document_id AS documentId, position FROM top_examples WHERE dataset_id = ? ORDER BY layer, neuron, rank').all(id);
    const before = [oldRead(1), oldRead(2)];
    // a REAL column keeps -0 as 0 (the packed float32 keeps the sign)
    expect(before[0]).toEqual(rows.map((r) => ({ ...r, value: r.value + 0 })));
    old.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect([loadTopExamples(db, 1), loadTopExamples(db, 2)]).toEqual(before);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'top_examples_rows'").get()).toBeUndefined();
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // the cascade from datasets holds in the new table
    db.prepare('DELETE FROM datasets WHERE id = 1').run();
    expect(db.prepare('SELECT dataset_id FROM top_examples').all()).toEqual([{ dataset_id: 2 }]);
    db.close();
  });
});
