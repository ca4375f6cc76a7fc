// How job titles name what a job works on: a model, corpus or capture by its name ("Capture
// “brown-4k”: model “gpt2” on corpus “brown”"), not by a database id a user never sees. A record
// gone or not found falls back to its id.
import type { Db } from '../../db/database.js';

export interface RecordNames {
  model(id: number): string;
  corpus(id: number): string;
  dataset(id: number): string;
}

/** The names of records in `db`, quoted: model “gpt2”; `model 3` when there is none. */
export function recordNames(db: Db): RecordNames {
  const lookup = (table: 'models' | 'corpora' | 'datasets', word: string) => (id: number) => {
    const row = db.prepare(`SELECT name FROM ${table} WHERE id = ?`).get(id) as { name: string } | undefined;
    return row && row.name !== '' ? `${word} “${row.name}”` : `${word} ${id}`;
  };
  return { model: lookup('models', 'model'), corpus: lookup('corpora', 'corpus'), dataset: lookup('datasets', 'capture') };
}

/** Ids as words, for a title made without a database (tests, a definition used alone). */
export const idNames: RecordNames = { model: (id) => `model ${id}`, corpus: (id) => `corpus ${id}`, dataset: (id) => `capture ${id}` };
