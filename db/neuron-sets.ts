// Named neuron sets of a model (from detector verdicts, a table or 3D selection, a ranking, or a
// random control). The neurons are stored as JSON [[layer, neuron], ...] in the order given: the
// callers pass canonical lists (sorted by layer and neuron, each once).
import { now, type Db } from './database.js';

export interface NeuronRef {
  layer: number;
  neuron: number;
}

export interface NeuronSetRecord {
  id: number;
  modelId: number;
  name: string;
  /** how the set was made, e.g. {"kind":"verdict","verdict":"dead","datasetId":3} */
  origin: unknown;
  neurons: NeuronRef[];
  createdAt: string;
}

interface Row {
  id: number;
  model_id: number;
  name: string;
  origin: string;
  neurons: string;
  created_at: string;
}

function toRecord(r: Row): NeuronSetRecord {
  const pairs = JSON.parse(r.neurons) as Array<[number, number]>;
  return { id: r.id, modelId: r.model_id, name: r.name, origin: JSON.parse(r.origin), neurons: pairs.map(([layer, neuron]) => ({ layer, neuron })), createdAt: r.created_at };
}

/** Creates a set of canonical neurons (electron/analysis/neuron-sets.ts); a taken name gets " (2)", " (3)"... */
export function createNeuronSet(db: Db, s: { modelId: number; name: string; origin: unknown; neurons: readonly NeuronRef[] }): NeuronSetRecord {
  const { neurons } = s;
  return db.transaction(() => {
    const taken = db.prepare('SELECT 1 FROM neuron_sets WHERE model_id = ? AND name = ?');
    let name = s.name;
    for (let i = 2; taken.get(s.modelId, name); i++) name = `${s.name} (${i})`;
    const info = db
      .prepare('INSERT INTO neuron_sets (model_id, name, origin, neurons, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.modelId, name, JSON.stringify(s.origin ?? null), JSON.stringify(neurons.map((n) => [n.layer, n.neuron])), now());
    return getNeuronSet(db, Number(info.lastInsertRowid)) as NeuronSetRecord;
  })();
}

export function getNeuronSet(db: Db, id: number): NeuronSetRecord | undefined {
  const r = db.prepare('SELECT * FROM neuron_sets WHERE id = ?').get(id) as Row | undefined;
  return r && toRecord(r);
}

export function listNeuronSets(db: Db, modelId?: number): NeuronSetRecord[] {
  const rows = (modelId === undefined
    ? db.prepare('SELECT * FROM neuron_sets ORDER BY id').all()
    : db.prepare('SELECT * FROM neuron_sets WHERE model_id = ? ORDER BY id').all(modelId)) as Row[];
  return rows.map(toRecord);
}

export function deleteNeuronSet(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM neuron_sets WHERE id = ?').run(id).changes > 0;
}
