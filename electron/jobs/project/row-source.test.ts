// Samples streamed from SQLite in blocks (float16 bits, never one array) give the same rows as
// sampleSlices, in the calling thread and read ahead by the reader's worker thread (its bundle,
// dist/electron/sample-reader.js: `npm run build` first), and the streamed PCA over them equals
// the exact PCA of those rows.
// (Timeouts are generous: the suite may share a loaded machine.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/database.js';
import { canReadAhead } from '../../../db/sample-reader.js';
import { insertSamples, sampleIds, sampleSlices, type NewSample } from '../../../db/samples.js';
import { BlockProducts } from '../../../native-models/runtime/dense-linalg.js';
import { pca, project } from '../../analysis/pca.js';
import { linearSubspace } from '../../analysis/synthetic.js';
import { asFloat32, concatSources, gatherRows, sampleSource } from './row-source.js';
import { streamedPca, streamedProject } from './streamed-pca.js';

const reader = path.join(import.meta.dirname, '..', '..', '..', 'dist', 'electron', 'sample-reader.js');
/** Blocks of `blockRows`, read ahead by the worker thread. */
const ahead = (blockRows: number) => ({ blockRows, reader });
const L = 2;
const D = 64;
const n = 3000;
const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-rows-')), 'lab.sqlite'));
db.prepare("INSERT INTO corpora (id, name, source, status, created_at) VALUES (1, 'c', 'x', 'ready', 'now')").run();
db.prepare("INSERT INTO documents (id, corpus_id, ordinal, name, text, bytes) VALUES (5, 1, 0, 'd', 'hello', 5)").run();
db.prepare("INSERT INTO models (id, name, path, format, architecture, family, sha256, spec, params, created_at) VALUES (1, 'm', '/m', 'hf', 'gpt2', 'gpt2', 'x', '{}', 0, 'now')").run();
db.prepare("INSERT INTO datasets (id, name, model_id, corpus_id, status, params, created_at) VALUES (1, 'd', 1, 1, 'ready', '{}', 'now')").run();
const layers = [linearSubspace(n, 6, D, 0.05, 1), linearSubspace(n, 4, D, 0.05, 2)];
const samples: NewSample[] = Array.from({ length: n }, (_, i) => {
  const residual = new Float32Array(L * D);
  layers.forEach((x, l) => residual.set(x.subarray(i * D, (i + 1) * D).map((v) => v + 30), l * D));
  return { documentId: 5, position: i, tokenId: 1, token: 't', metadata: {}, loss: null, residual, ffn: new Float32Array(0) };
});
insertSamples(db, 1, samples);
const products = new BlockProducts(D, { threads: 2 });
afterAll(async () => {
  await products.release();
  db.close();
});

describe('rows streamed from the sample store', () => {
  const all = sampleIds(db, 1);
  const ids = all.filter((_, i) => i % 3 !== 1); // a subset, as a projection's --max-points takes

  for (const via of ['in this thread', 'read ahead by the worker thread'] as const) {
    const o = (blockRows: number) => (via === 'in this thread' ? { blockRows } : ahead(blockRows));

    it(`yields the slices of sampleSlices in blocks, each row placed by its position (${via})`, async () => {
      const src = sampleSource(db, 1, 'residual', D, D, ids, o(700));
      const sizes: number[] = [];
      for await (const b of src.blocks()) sizes.push(b.data.length / D);
      expect(sizes.slice(0, -1).every((s) => s === 700)).toBe(true);
      expect(sizes.reduce((a, s) => a + s, 0)).toBe(ids.length);
      expect(Array.from(asFloat32(await gatherRows(src)))).toEqual(Array.from(sampleSlices(db, 1, 'residual', D, D, ids)));
    }, 300_000);

    it(`refuses ids that are not samples of the dataset (${via})`, async () => {
      await expect(gatherRows(sampleSource(db, 1, 'residual', 0, D, [...ids, 999_999], o(700)))).rejects.toThrow(/1 of the \d+ sample ids are not samples of dataset 1/);
    }, 300_000);
  }

  it('reads ahead only when the reader bundle exists and the database is a file', () => {
    expect(fs.existsSync(reader)).toBe(true);
    expect(canReadAhead(reader, db.name)).toBe(true);
    expect(canReadAhead(undefined, db.name)).toBe(false);
    expect(canReadAhead(reader, ':memory:')).toBe(false);
  });

  it('a consumer that stops early stops the reader thread, and a fresh pass gives every row', async () => {
    const src = sampleSource(db, 1, 'residual', 0, D, ids, ahead(100));
    let seen = 0;
    for await (const b of src.blocks()) {
      seen += b.data.length / D;
      if (seen >= 300) break;
    }
    expect(seen).toBe(300);
    expect((await gatherRows(src)).length).toBe(ids.length * D);
  }, 300_000);

  it('streamed PCA of one layer, and of two layers together, equals the exact PCA of the same rows', async () => {
    for (const [src, rows] of [
      [sampleSource(db, 1, 'residual', D, D, ids, ahead(512)), sampleSlices(db, 1, 'residual', D, D, ids)],
      [concatSources([0, 1].map((l) => sampleSource(db, 1, 'residual', l * D, D, ids, ahead(512)))), Float32Array.from([...sampleSlices(db, 1, 'residual', 0, D, ids), ...sampleSlices(db, 1, 'residual', D, D, ids)])],
    ] as const) {
      const m = rows.length / D;
      const want = pca(rows, m, D, 3, { method: 'exact' });
      for (const method of ['exact', 'randomized'] as const) {
        const got = await streamedPca(src, 3, products, { method, seed: 2 });
        for (let c = 0; c < 3; c++) expect(Math.abs(got.explainedRatio[c]! / want.explainedRatio[c]! - 1)).toBeLessThan(0.01);
        const coords = await streamedProject(src, got, products);
        const exact = project(want, rows, m);
        const scale = Math.sqrt(want.variances[0]!);
        for (let i = 0; i < coords.length; i++) expect(Math.abs(Math.abs(coords[i]!) - Math.abs(exact[i]!))).toBeLessThan(0.02 * scale);
      }
    }
  }, 300_000);
});
