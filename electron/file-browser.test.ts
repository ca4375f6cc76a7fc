// The browser-mode file browser on real files: the shipped fixtures marked with what their
// headers say, corpora marked, hidden files on request, links out of the roots and special files
// listed without being opened, folders outside the roots refused.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../common/format.js';
import type { FileEntry } from './api.js';
import { allowedRoots, PathNotAllowedError, type AllowedRoot } from './allowed-roots.js';
import { ApiError } from './errors.js';
import { listFolder, MAX_ENTRIES } from './file-browser.js';
import { tempDir } from './jobs/test-support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures');

let base: string;
let root: string;
let roots: AllowedRoot[];

beforeAll(() => {
  base = fs.realpathSync(tempDir('ffn-files-'));
  root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'corpus-folder'), { recursive: true });
  fs.cpSync(path.join(fixtures, 'gpt2'), path.join(root, 'gpt2'), { recursive: true });
  fs.copyFileSync(path.join(fixtures, 'gguf', 'quants.gguf'), path.join(root, 'quants.gguf'));
  fs.copyFileSync(path.join(fixtures, 'llama2c', 'model.bin'), path.join(root, 'stories.bin'));
  fs.writeFileSync(path.join(root, 'pytorch_model.bin'), Buffer.from([0x80, 0x02, 0x7d, 0x71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  fs.writeFileSync(path.join(root, 'broken.gguf'), 'GGUF but not really');
  fs.writeFileSync(path.join(root, 'texts.jsonl'), '{"text":"a"}\n');
  fs.writeFileSync(path.join(root, 'corpus-folder', 'doc1.txt'), 'one document');
  fs.writeFileSync(path.join(root, 'notes.md'), '# notes');
  fs.writeFileSync(path.join(root, '.hidden.txt'), 'hidden');
  fs.mkdirSync(path.join(base, 'outside'));
  fs.writeFileSync(path.join(base, 'outside', 'secret.gguf'), 'GGUF secret');
  fs.symlinkSync(path.join(base, 'outside', 'secret.gguf'), path.join(root, 'link-out.gguf'));
  fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'folder-out'));
  fs.symlinkSync(path.join(root, 'gpt2'), path.join(root, 'gpt2-link'));
  execFileSync('mkfifo', [path.join(root, 'pipe.txt')]);
  roots = allowedRoots([{ dir: root, label: '--allow-dir' }]);
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const entry = (entries: FileEntry[], name: string): FileEntry => {
  const e = entries.find((x) => x.name === name);
  if (!e) throw new Error(`${name} is not listed: ${entries.map((x) => x.name).join(', ')}`);
  return e;
};

describe('listFolder', () => {
  it('lists the roots when no folder is given', () => {
    const l = listFolder(roots, undefined);
    expect(l.dir).toBeNull();
    expect(l.roots).toEqual([{ path: root, label: '--allow-dir' }]);
    expect(l.entries).toHaveLength(1);
    expect(l.entries[0]).toMatchObject({ name: `${root} (--allow-dir)`, path: root, kind: 'folder', size: null });
  });

  it('marks checkpoints with what their headers say, and corpora', () => {
    const l = listFolder(roots, root);
    expect(l.dir).toBe(root);
    expect(l.parent).toBeNull(); // a root has no parent inside the roots
    const gpt2 = entry(l.entries, 'gpt2');
    expect(gpt2).toMatchObject({ kind: 'folder', mark: { what: 'checkpoint', format: 'hf-folder', architecture: 'gpt2' } });
    const weights = fs.statSync(path.join(root, 'gpt2', 'model.safetensors')).size;
    const layers = (JSON.parse(fs.readFileSync(path.join(root, 'gpt2', 'config.json'), 'utf8')) as { n_layer: number }).n_layer;
    expect(gpt2.mark?.detail).toBe(`${layers} layers, model.safetensors, ${formatBytes(weights)}`);
    expect(entry(l.entries, 'gpt2-link').mark).toMatchObject({ format: 'hf-folder', architecture: 'gpt2' });
    const gguf = entry(l.entries, 'quants.gguf');
    expect(gguf).toMatchObject({ kind: 'file', size: 3624, mark: { what: 'checkpoint', format: 'gguf' } });
    expect(gguf.mark?.detail).toMatch(/^GGUF v3, (\d+ layers?, )?\d+ tensors?, /);
    expect(gguf.mark?.detail.endsWith(`, ${formatBytes(3624)}`)).toBe(true);
    const llama = entry(l.entries, 'stories.bin');
    expect(llama.mark).toMatchObject({ what: 'checkpoint', format: 'llama2c', architecture: 'llama' });
    expect(llama.mark?.detail).toMatch(/^llama2\.c, dim \d+, \d+ layers?, vocab \d+, /);
    expect(entry(l.entries, 'pytorch_model.bin').mark).toBeNull(); // a .bin that is not llama2.c is not marked
    expect(entry(l.entries, 'broken.gguf').mark).toEqual({ what: 'checkpoint', format: 'gguf', architecture: null, detail: 'its header does not read: import it to see why' });
    expect(entry(l.entries, 'texts.jsonl').mark).toMatchObject({ what: 'corpus', format: 'jsonl' });
    expect(entry(l.entries, 'corpus-folder').mark).toMatchObject({ what: 'corpus', format: 'txt-folder' });
    expect(entry(l.entries, 'notes.md')).toMatchObject({ kind: 'file', size: 7, mark: null });
  });

  it('lists folders first, then files, then the rest, each by name', () => {
    const kinds = listFolder(roots, root).entries.map((e) => e.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => ['folder', 'file', 'other'].indexOf(a) - ['folder', 'file', 'other'].indexOf(b)));
  });

  it('shows hidden entries only when asked', () => {
    expect(listFolder(roots, root).entries.some((e) => e.name === '.hidden.txt')).toBe(false);
    expect(entry(listFolder(roots, root, true).entries, '.hidden.txt').mark).toMatchObject({ format: 'txt' });
  });

  it('says nothing about a link out of the roots, and never opens a FIFO', () => {
    const l = listFolder(roots, root);
    expect(entry(l.entries, 'link-out.gguf')).toEqual({ name: 'link-out.gguf', path: path.join(root, 'link-out.gguf'), kind: 'other', size: null, mark: null });
    expect(entry(l.entries, 'folder-out')).toMatchObject({ kind: 'other', size: null, mark: null });
    expect(entry(l.entries, 'pipe.txt')).toMatchObject({ kind: 'other', size: null, mark: null });
  });

  it('gives the folder above while it is inside the roots', () => {
    const l = listFolder(roots, path.join(root, 'gpt2'));
    expect(l.parent).toBe(root);
    expect(l.entries.map((e) => e.name).sort()).toEqual(['config.json', 'golden.json', 'model.safetensors']);
    expect(entry(l.entries, 'model.safetensors').mark).toMatchObject({ what: 'checkpoint', format: 'safetensors', architecture: 'gpt2' });
  });

  it('refuses folders outside the roots, also through a link, naming the roots', () => {
    expect(() => listFolder(roots, path.join(base, 'outside'))).toThrow(PathNotAllowedError);
    expect(() => listFolder(roots, path.join(root, 'folder-out'))).toThrow(PathNotAllowedError);
    expect(() => listFolder(roots, base)).toThrow(`${root} (--allow-dir)`);
  });

  it('says when the folder is missing or is a file', () => {
    expect(() => listFolder(roots, path.join(root, 'nope'))).toThrow(ApiError);
    expect(() => listFolder(roots, path.join(root, 'nope'))).toThrow(/does not exist/);
    expect(() => listFolder(roots, path.join(root, 'notes.md'))).toThrow(/is not a folder/);
  });

  it(`stops at ${MAX_ENTRIES} entries and says so`, () => {
    const big = path.join(root, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < MAX_ENTRIES + 5; i++) fs.writeFileSync(path.join(big, `f${i}.md`), '');
    const l = listFolder(roots, big);
    expect(l.entries).toHaveLength(MAX_ENTRIES);
    expect(l.truncated).toBe(true);
  });
});
