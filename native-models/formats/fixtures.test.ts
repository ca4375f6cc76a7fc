// The fixture manifest: every committed file under fixtures/ is what fixtures.ts builds, and
// every case opens through openCheckpoint with exactly the stated result or error text.
// Regenerate after changing fixtures.ts: UPDATE_FIXTURES=1 npx vitest run native-models/formats/fixtures.test.ts

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './checkpoint.js';
import { FormatError } from './errors.js';
import { fixtureCases } from './fixtures.js';

const DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
const MANIFEST = path.join(DIR, 'manifest.json');
const UPDATE = process.env.UPDATE_FIXTURES === '1';
const CASES = fixtureCases();
const SUBDIRS = ['safetensors', 'folders', 'llama2c', 'gguf', 'other'];

function manifestText(): string {
  const entries = CASES.map((c) => ({ name: c.name, open: c.open, files: Object.keys(c.files), expect: c.expect }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

if (UPDATE) {
  for (const sub of SUBDIRS) fs.rmSync(path.join(DIR, sub), { recursive: true, force: true });
  for (const c of CASES) {
    for (const [rel, bytes] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(DIR, rel)), { recursive: true });
      fs.writeFileSync(path.join(DIR, rel), bytes);
    }
  }
  fs.writeFileSync(MANIFEST, manifestText());
}

describe('committed fixtures', () => {
  it('equal what fixtures.ts builds (else run with UPDATE_FIXTURES=1)', () => {
    expect(fs.readFileSync(MANIFEST, 'utf8')).toBe(manifestText());
    const expected = CASES.flatMap((c) => Object.keys(c.files)).sort();
    const actual = SUBDIRS.flatMap((s) => listFiles(path.join(DIR, s)).map((f) => path.join(s, f).split(path.sep).join('/'))).sort();
    expect(actual).toEqual(expected);
    for (const c of CASES) {
      for (const [rel, bytes] of Object.entries(c.files)) expect(new Uint8Array(fs.readFileSync(path.join(DIR, rel))), rel).toEqual(bytes);
    }
  });
});

describe('fixture manifest', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const target = path.join(DIR, c.open);
      if ('ok' in c.expect) {
        const want = c.expect.ok;
        const reader = openCheckpoint(target);
        expect(reader.format).toBe(want.format);
        expect(reader.tensors.size).toBe(want.tensors);
        for (const name of reader.tensors.keys()) expect(reader.read(name)).toBeInstanceOf(Float32Array);
        for (const [name, shape] of Object.entries(want.shapes ?? {})) expect(reader.tensors.get(name)?.shape, name).toEqual(shape);
        for (const [name, values] of Object.entries(want.values ?? {})) expect(reader.read(name), name).toEqual(new Float32Array(values));
        if (want.config !== undefined) expect(reader.config).toEqual(want.config);
        expect(reader.sha256()).toMatch(/^[0-9a-f]{64}$/);
      } else {
        const want = c.expect.error;
        let thrown: unknown;
        try {
          const reader = openCheckpoint(target);
          for (const name of reader.tensors.keys()) reader.read(name);
        } catch (err) {
          thrown = err;
        }
        expect(thrown, 'expected an error').toBeInstanceOf(FormatError);
        const e = thrown as FormatError;
        expect(e.name).toBe(want.type);
        expect(e.message).toContain(want.includes);
        expect(e.message.startsWith(path.resolve(DIR))).toBe(true);
      }
    });
  }
});
