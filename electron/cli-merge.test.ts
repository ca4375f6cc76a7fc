// Captures split across machines: two halves of one corpus captured into two separate databases
// (two data folders), merged into one here, give the statistics and top examples of a capture of
// the whole; the hidden-state samples of both halves come along.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { fixtureWithCharTokenizer, runCli, tempDir } from './jobs/test-support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures');
const here = tempDir();
const there = tempDir();
let model: string;
let corpus: string;

function json(args: string[], dataDir = here): Record<string, unknown> {
  const r = runCli([...args, '--json'], dataDir);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const capture = (dataDir: string, filter: string[]) =>
  (json(['capture', '--model', model, '--corpus', 'twelve', '--seq-len', '48', '--batch', '3', '--top-k', '4', '--threshold', '0.1', '--samples', '10', ...filter], dataDir).dataset as { id: number }).id;

beforeAll(() => {
  model = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
  const words = 'the jury said that city of election was an and to in for its on his were by had at grand county been no evidence'.split(' ');
  corpus = path.join(tempDir(), 'twelve.jsonl');
  fs.writeFileSync(corpus, Array.from({ length: 12 }, (_, d) => JSON.stringify({ text: Array.from({ length: 60 }, (_, i) => words[(d * 5 + i * 7) % words.length]).join(' ') })).join('\n'));
  for (const dir of [here, there]) json(['corpus', 'import', corpus, '--name', 'twelve'], dir);
}, 120_000);

describe('merge', () => {
  it('two halves captured in two databases merge into the capture of the whole', () => {
    const first = capture(here, ['--documents', '6']);
    const whole = capture(here, ['--documents', '12']);
    const second = capture(there, ['--skip-documents', '6', '--documents', '6']);
    const merged = json(['merge', '--name', 'both halves', String(first), `${path.join(there, 'ffn-lab.sqlite')}:${second}`]).dataset as { id: number; tokens: number };
    const rows = (id: number) => (json(['neurons', '--dataset', String(id)]).neurons as Array<Record<string, number>>).map((n) => [n.layer, n.neuron, n.tokens, n.fire_count, n.min, n.max, n.mean]);
    const m = rows(merged.id);
    const w = rows(whole);
    expect(m.length).toBe(w.length);
    m.forEach((row, i) => {
      expect(row.slice(0, 6)).toEqual(w[i]!.slice(0, 6));
      expect(row[6]).toBeCloseTo(w[i]![6]!, 9);
    });
    // top examples: the same values, in the same documents (matched by ordinal across the databases)
    const top = (id: number) => (json(['neuron', '--dataset', String(id), '--layer', '1', '--neuron', '3']).contexts as Array<{ value: number; document: string; position: number }>).map((c) => [c.value, c.document, c.position]);
    expect(top(merged.id)).toEqual(top(whole));
    const db = openDatabase(path.join(here, 'ffn-lab.sqlite'));
    const samples = (id: number) => (db.prepare('SELECT COUNT(*) n FROM samples WHERE dataset_id = ?').get(id) as { n: number }).n;
    expect(samples(merged.id)).toBe(samples(first) + 10);
    // residual maxima: the top-k of the union, in the same documents
    const resid = (id: number) => db.prepare('SELECT layer, dim, rank, abs, value, document_id, position, token_id FROM resid_top WHERE dataset_id = ? ORDER BY layer, dim, rank').all(id);
    expect(resid(whole).length).toBeGreaterThan(0);
    expect(resid(merged.id)).toEqual(resid(whole));
    db.close();
    const massive = json(['massive-dims', String(merged.id)]);
    expect(massive.available).toBe(true);
    expect((massive.layers as unknown[]).length).toBe(2);
  });

  it('a capture made before residual maxima were kept merges into one that says they are missing', () => {
    const [a, c] = [capture(here, ['--documents', '2']), capture(here, ['--skip-documents', '2', '--documents', '2'])];
    const db = openDatabase(path.join(here, 'ffn-lab.sqlite'));
    db.prepare("UPDATE datasets SET params = json_remove(params, '$.residTopK') WHERE id = ?").run(a);
    db.prepare('DELETE FROM resid_top WHERE dataset_id = ?').run(a);
    db.close();
    const merged = json(['merge', '--name', 'old and new', String(a), String(c)]).dataset as { id: number };
    const after = openDatabase(path.join(here, 'ffn-lab.sqlite'));
    const params = JSON.parse((after.prepare('SELECT params FROM datasets WHERE id = ?').get(merged.id) as { params: string }).params) as { residTopK: number; residTopMissing: string[] };
    expect((after.prepare('SELECT COUNT(*) n FROM resid_top WHERE dataset_id = ?').get(merged.id) as { n: number }).n).toBe(0);
    after.close();
    expect(params.residTopK).toBe(0);
    expect(params.residTopMissing).toEqual([String(a)]);
    const r = runCli(['massive-dims', String(merged.id)], here);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/massive dims unavailable: the capture has no residual-stream maxima .*re-capture/);
  });

  it('refuses the same capture twice, and captures with different thresholds', () => {
    const a = capture(here, ['--documents', '2']);
    const twice = runCli(['merge', '--name', 'x', String(a), String(a)], here);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/is given twice; merged captures must cover disjoint documents/);
    const b = (json(['capture', '--model', model, '--corpus', 'twelve', '--seq-len', '48', '--threshold', '0.5', '--top-k', '4', '--skip-documents', '2', '--documents', '2']).dataset as { id: number }).id;
    const thresholds = runCli(['merge', '--name', 'x', String(a), String(b)], here);
    expect(thresholds.stderr).toMatch(/counted firing above 0\.5, capture \d+ above 0\.1; only captures with the same threshold merge/);
  });
});
