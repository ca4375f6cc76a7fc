import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from './database.js';
import { createNeuronSet, deleteNeuronSet, getNeuronSet, listNeuronSets } from './neuron-sets.js';

function dbWithModel() {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'sets-')), 'x.sqlite'));
  const id = Number(
    db
      .prepare("INSERT INTO models (name, path, format, architecture, family, sha256, spec, params, created_at) VALUES ('m', '/m', 'safetensors', 'gpt2', 'gpt2', 'abc', '{}', 1, 'now')")
      .run().lastInsertRowid,
  );
  return { db, id };
}

describe('neuron sets', () => {
  it('stores neurons and origin, names uniquely per model, and deletes', () => {
    const { db, id } = dbWithModel();
    const a = createNeuronSet(db, { modelId: id, name: 'dead', origin: { kind: 'verdict' }, neurons: [{ layer: 0, neuron: 9 }, { layer: 1, neuron: 5 }] });
    expect(getNeuronSet(db, a.id)?.neurons).toEqual([{ layer: 0, neuron: 9 }, { layer: 1, neuron: 5 }]);
    expect(a.origin).toEqual({ kind: 'verdict' });
    const b = createNeuronSet(db, { modelId: id, name: 'dead', origin: null, neurons: [] });
    expect(b.name).toBe('dead (2)');
    expect(listNeuronSets(db, id).map((s) => s.name)).toEqual(['dead', 'dead (2)']);
    expect(deleteNeuronSet(db, a.id)).toBe(true);
    expect(getNeuronSet(db, a.id)).toBeUndefined();
    db.close();
  });
});
