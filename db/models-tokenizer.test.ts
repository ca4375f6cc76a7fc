// models.tokenizer_path (migration 15): a model imported without a tokenizer can have one attached,
// and detaching it clears it; the record carries it either way.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { findModel, getModel, insertModel, listModels, setModelTokenizer } from './models.js';

function dbWithModel() {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'models-tok-')), 'x.sqlite'));
  const m = insertModel(db, { name: 'm', path: '/models/m', format: 'safetensors', architecture: 'GPT2LMHeadModel', family: 'gpt2', sha256: 'abc', spec: {}, params: 1 });
  return { db, m };
}

describe('model tokenizer path', () => {
  it('is null on import, stored when attached, and cleared when detached', () => {
    const { db, m } = dbWithModel();
    expect(m.tokenizerPath).toBeNull();
    expect(setModelTokenizer(db, m.id, '/tokenizers/gpt2/tokenizer.json')).toBe(true);
    expect(getModel(db, m.id)?.tokenizerPath).toBe('/tokenizers/gpt2/tokenizer.json');
    expect(findModel(db, 'm')?.tokenizerPath).toBe('/tokenizers/gpt2/tokenizer.json');
    expect(listModels(db)[0]?.tokenizerPath).toBe('/tokenizers/gpt2/tokenizer.json');
    expect(setModelTokenizer(db, m.id, null)).toBe(true);
    expect(getModel(db, m.id)?.tokenizerPath).toBeNull();
    db.close();
  });

  it('reports a model that does not exist', () => {
    const { db, m } = dbWithModel();
    expect(setModelTokenizer(db, m.id + 1, '/t.json')).toBe(false);
    db.close();
  });
});
