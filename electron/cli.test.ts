// The CLI as a user runs it: the built bundle, a real database folder, one JSON on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, runCli } from './jobs/test-support.js';


const run = runCli;

describe('ffn-lab CLI', () => {
  it('imports a folder of text files and prints exactly one JSON result', () => {
    const dataDir = tempDir();
    const folder = tempDir('ffn-corpus-');
    fs.writeFileSync(path.join(folder, 'a.txt'), 'The first document.\n');
    fs.mkdirSync(path.join(folder, 'sub'));
    fs.writeFileSync(path.join(folder, 'sub', 'b.txt'), 'The second one.\n');
    const r = run(['corpus', 'import', folder, '--name', 'letters', '--json'], dataDir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as { corpus: { id: number; name: string; documents: number; bytes: number } };
    expect(out).toEqual({ corpus: { id: 1, name: 'letters', documents: 2, bytes: 20 + 16 } });
    expect(r.stderr).toMatch(/documents/);

    const list = run(['corpus', 'list', '--json'], dataDir);
    expect(JSON.parse(list.stdout).corpora.map((c: { name: string }) => c.name)).toEqual(['letters']);
    const jobs = run(['--json', 'jobs', 'list'], dataDir);
    expect(JSON.parse(jobs.stdout).jobs[0]).toMatchObject({ kind: 'corpus-import', state: 'done' });
  });

  it('reports a bad corpus with the file named, exit code 1 and a JSON error', () => {
    const dataDir = tempDir();
    const file = path.join(tempDir('ffn-corpus-'), 'empty.txt');
    fs.writeFileSync(file, '');
    const r = run(['corpus', 'import', file, '--json'], dataDir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toContain(file);
    expect(r.stderr).toMatch(/empty/);
  });

  it('explains its usage on an unknown command (exit code 2)', () => {
    const r = run(['frobnicate'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    expect(r.stderr).toMatch(/corpus import <path\|brown>/);
  });
});
