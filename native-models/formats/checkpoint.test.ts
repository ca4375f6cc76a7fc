// openCheckpoint's dispatch and the reader contract shared by all formats: reads on demand,
// hashing, unknown names, and files that change after they were opened.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrown } from '../test-support/thrown.js';
import { CheckpointError, FormatError, openCheckpoint, SafetensorsError } from './checkpoint.js';
import { llama2cFile, SAMPLE_TENSORS, safetensorsFile, TINY_LLAMA } from './fixtures.js';
import { sniffLlama2c } from './llama2c.js';
import { sniffSafetensors } from './safetensors.js';
import { sniffSafetensorsFolder } from './safetensors-folder.js';
import { tempDir } from './test-util.js';

function write(dir: string, name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('openCheckpoint dispatch', () => {
  it('sniffs safetensors by header whatever the extension, llama2.c by header for .bin, folders by contents', () => {
    const dir = tempDir();
    const st = write(dir, 'weights.dat', safetensorsFile(SAMPLE_TENSORS));
    const bin = write(dir, 'model.bin', llama2cFile(TINY_LLAMA));
    expect([sniffSafetensors(st), sniffLlama2c(st)]).toEqual([true, false]);
    expect([sniffSafetensors(bin), sniffLlama2c(bin)]).toEqual([false, true]);
    expect(openCheckpoint(st).format).toBe('safetensors');
    expect(openCheckpoint(bin).format).toBe('llama2c');
    const hf = path.join(dir, 'hf');
    fs.mkdirSync(hf);
    expect(sniffSafetensorsFolder(hf)).toBe(false);
    write(hf, 'model.safetensors', safetensorsFile(SAMPLE_TENSORS));
    expect(sniffSafetensorsFolder(hf)).toBe(true);
    expect(openCheckpoint(hf).paths).toEqual([path.join(hf, 'model.safetensors')]);
  });

  it('names a missing path', () => {
    const missing = path.join(tempDir(), 'nope.bin');
    const e = thrown(FormatError, () => openCheckpoint(missing));
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toBe(`${missing}: cannot open: ENOENT: no such file or directory, stat '${missing}'`);
  });

  it('sniffers never throw, even on folders and empty files', () => {
    const dir = tempDir();
    const empty = write(dir, 'empty', '');
    for (const sniff of [sniffSafetensors, sniffLlama2c, sniffSafetensorsFolder]) {
      expect(sniff(dir) && sniff === sniffSafetensorsFolder).toBe(false);
      expect(sniff(empty)).toBe(false);
      expect(sniff(path.join(dir, 'missing'))).toBe(false);
    }
  });
});

describe('reader contract', () => {
  it('hashes the weight files in order, streamed, once', () => {
    const dir = tempDir();
    const [a, b] = [safetensorsFile(SAMPLE_TENSORS.slice(0, 2)), safetensorsFile(SAMPLE_TENSORS.slice(2))];
    write(dir, 's1.safetensors', a);
    write(dir, 's2.safetensors', b);
    const map = Object.fromEntries(SAMPLE_TENSORS.map((t, i) => [t.name, i < 2 ? 's1.safetensors' : 's2.safetensors']));
    write(dir, 'model.safetensors.index.json', JSON.stringify({ weight_map: map }));
    const r = openCheckpoint(dir);
    const want = createHash('sha256').update(a).update(b).digest('hex');
    expect(r.sha256()).toBe(want);
    fs.rmSync(path.join(dir, 's1.safetensors'));
    expect(r.sha256()).toBe(want); // cached
  });

  it('rejects an unknown tensor name with the format error type', () => {
    const file = write(tempDir(), 'm.safetensors', safetensorsFile(SAMPLE_TENSORS));
    const e = thrown(FormatError, () => openCheckpoint(file).read('lm_head.weight'));
    expect(e).toBeInstanceOf(SafetensorsError);
    expect(e.message).toContain('no tensor "lm_head.weight"; expected one of the 4 tensors, e.g. "embed.weight"');
    expect(e.field).toBe('lm_head.weight');
  });

  it('reports a file that shrank after it was opened instead of reading past its end', () => {
    const file = write(tempDir(), 'm.safetensors', safetensorsFile(SAMPLE_TENSORS));
    const r = openCheckpoint(file);
    fs.truncateSync(file, fs.statSync(file).size - 4);
    const last = SAMPLE_TENSORS[3]?.name ?? '';
    expect(thrown(FormatError, () => r.read(last)).message).toContain('but the file is now');
    expect(r.read(SAMPLE_TENSORS[0]?.name ?? '')).toHaveLength(12);
  });
});
