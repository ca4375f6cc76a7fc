// Checkpoints crafted against the user (issue #19): links that lead out of the model folder,
// FIFOs and devices named like weight files, files that are not checkpoints at all (whose bytes
// must not come back in the error), and offsets too large for a double. Real files, real links,
// a real FIFO (mkfifo).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrown } from '../test-support/thrown.js';
import { loadHfTokenizer } from '../tokenizers/hf.js';
import { loadLlama2cTokenizer } from '../tokenizers/llama2c.js';
import { FormatError, openCheckpoint, SafetensorsError, SafetensorsFolderError } from './checkpoint.js';
import { ggufFile, GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS, safetensorsFile, safetensorsRaw, SAMPLE_TENSORS } from './fixtures.js';
import { allowedLinkTargets, hfCacheBlobs, isInside } from './links.js';
import { tempDir } from './test-util.js';

const TIMEOUT = { timeout: 60_000 };
const canFifo = process.platform !== 'win32';

function write(dir: string, name: string, bytes: Uint8Array | string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

function fifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

function index(map: Record<string, string>): string {
  return JSON.stringify({ metadata: {}, weight_map: map });
}

const SHARD_A = SAMPLE_TENSORS.slice(0, 2);
const SHARD_B = SAMPLE_TENSORS.slice(2);
const shardMap = (): Record<string, string> => ({
  ...Object.fromEntries(SHARD_A.map((t) => [t.name, 'a.safetensors'])),
  ...Object.fromEntries(SHARD_B.map((t) => [t.name, 'b.safetensors'])),
});

/** A private file: text whose bytes, read as numbers, must not appear in any message either. */
const SECRET = 'SECRET-hunter2-ssh-rsa-AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n';
const secretBytes = Buffer.from(SECRET);
/** Every way a reader might have printed the secret's first bytes. */
const secretForms = [
  'SECRET',
  'hunter2',
  secretBytes.readBigUInt64LE(0).toString(),
  secretBytes.readInt32LE(0).toString(),
  secretBytes.readUInt32LE(0).toString(),
  secretBytes.readInt32LE(4).toString(),
  `0x${secretBytes[0]!.toString(16)}`,
];

function expectNoSecret(message: string): void {
  for (const form of secretForms) expect(message).not.toContain(form);
  expect(message).not.toContain(String(secretBytes.length)); // nor its size
}

describe('links out of a model folder', () => {
  it('refuses a shard linked outside the folder, naming link and target, without its size or bytes', TIMEOUT, () => {
    const root = tempDir();
    const secret = write(path.join(root, 'private'), 'id_rsa', SECRET);
    const model = path.join(root, 'model');
    write(model, 'model.safetensors.index.json', index(shardMap()));
    write(model, 'a.safetensors', safetensorsFile(SHARD_A));
    fs.symlinkSync(secret, path.join(model, 'b.safetensors'));
    const e = thrown(SafetensorsFolderError, () => openCheckpoint(model));
    expect(e.message).toContain(`${path.join(model, 'b.safetensors')}: is a symbolic link to ${fs.realpathSync(secret)}, outside the model folder ${fs.realpathSync(model)}`);
    expectNoSecret(e.message);
  });

  it('refuses model.safetensors, config.json, the index and tokenizer.json linked outside the folder', TIMEOUT, () => {
    const root = tempDir();
    const outside = write(path.join(root, 'elsewhere'), 'weights.safetensors', safetensorsFile(SAMPLE_TENSORS));
    const secret = write(path.join(root, 'elsewhere'), 'secret.json', SECRET);
    const cases: [string, string, Record<string, string | Uint8Array>][] = [
      ['model.safetensors', outside, {}],
      ['config.json', secret, { 'model.safetensors': safetensorsFile(SAMPLE_TENSORS) }],
      ['model.safetensors.index.json', secret, { 'a.safetensors': safetensorsFile(SHARD_A), 'b.safetensors': safetensorsFile(SHARD_B) }],
    ];
    for (const [name, target, files] of cases) {
      const model = fs.mkdtempSync(path.join(root, 'model-'));
      for (const [f, bytes] of Object.entries(files)) write(model, f, bytes);
      fs.symlinkSync(target, path.join(model, name));
      const e = thrown(SafetensorsFolderError, () => openCheckpoint(model));
      expect(e.message).toContain(`${path.join(model, name)}: is a symbolic link to ${fs.realpathSync(target)}, outside the model folder`);
      expectNoSecret(e.message);
    }
    const tok = fs.mkdtempSync(path.join(root, 'tok-'));
    fs.symlinkSync(secret, path.join(tok, 'tokenizer.json'));
    const e = thrown(FormatError, () => loadHfTokenizer(tok));
    expect(e.message).toContain(`${path.join(tok, 'tokenizer.json')}: is a symbolic link to ${fs.realpathSync(secret)}, outside the model folder`);
    expectNoSecret(e.message);
  });

  it('follows links inside the folder, and from a Hugging Face cache snapshot into its blobs/', TIMEOUT, () => {
    const root = tempDir();
    const inside = path.join(root, 'model');
    write(path.join(inside, 'weights'), 'real.safetensors', safetensorsFile(SAMPLE_TENSORS));
    fs.symlinkSync(path.join('weights', 'real.safetensors'), path.join(inside, 'model.safetensors'));
    expect(openCheckpoint(inside).tensors.size).toBe(SAMPLE_TENSORS.length);

    // models--org--name/{blobs/<sha>, snapshots/<rev>/<file> -> ../../blobs/<sha>}, as huggingface_hub lays it out
    const repo = path.join(root, 'hub', 'models--org--tiny');
    const snapshot = path.join(repo, 'snapshots', '0123abcd');
    fs.mkdirSync(snapshot, { recursive: true });
    const blobs: [string, string, Uint8Array | string][] = [
      ['model.safetensors.index.json', 'b1', index(shardMap())],
      ['a.safetensors', 'b2', safetensorsFile(SHARD_A)],
      ['b.safetensors', 'b3', safetensorsFile(SHARD_B)],
      ['config.json', 'b4', '{"model_type": "gpt2"}'],
    ];
    for (const [name, blob, bytes] of blobs) {
      write(path.join(repo, 'blobs'), blob, bytes);
      fs.symlinkSync(path.join('..', '..', 'blobs', blob), path.join(snapshot, name));
    }
    const reader = openCheckpoint(snapshot);
    expect(reader.tensors.size).toBe(SAMPLE_TENSORS.length);
    expect(reader.config).toEqual({ model_type: 'gpt2' });

    // a snapshot's link into another repo's blobs is outside both
    const other = path.join(root, 'hub', 'models--evil--x', 'blobs');
    write(other, 'b9', safetensorsFile(SHARD_B));
    fs.rmSync(path.join(snapshot, 'b.safetensors'));
    fs.symlinkSync(path.join(other, 'b9'), path.join(snapshot, 'b.safetensors'));
    const e = thrown(SafetensorsFolderError, () => openCheckpoint(snapshot));
    expect(e.message).toContain(`is a symbolic link to ${fs.realpathSync(path.join(other, 'b9'))}, outside the model folder or the Hugging Face cache's ${path.join(fs.realpathSync(repo), 'blobs')}`);
  });

  it('says a dangling link cannot be resolved', TIMEOUT, () => {
    const model = tempDir();
    fs.symlinkSync(path.join(model, 'gone.safetensors'), path.join(model, 'model.safetensors'));
    expect(thrown(SafetensorsFolderError, () => openCheckpoint(model)).message).toContain('model.safetensors: is a symbolic link that cannot be resolved (ENOENT');
  });

  it('knows the cache layout and what lies inside what', () => {
    expect(hfCacheBlobs('/c/hub/models--a--b/snapshots/abc')).toBe(path.join('/c/hub/models--a--b', 'blobs'));
    expect(hfCacheBlobs('/home/me/models/tiny')).toBeNull();
    expect(allowedLinkTargets('/m')).toEqual(['/m']);
    expect(isInside('/m', '/m/a/b')).toBe(true);
    expect(isInside('/m', '/m')).toBe(true);
    expect(isInside('/m', '/m2/a')).toBe(false);
    expect(isInside('/m', '/m/../etc/passwd')).toBe(false);
    expect(isInside('/m', '/m/..foo')).toBe(true);
  });
});

describe('entries that are not regular files', () => {
  (canFifo ? it : it.skip)('a FIFO named model.safetensors, a shard, .gguf, .bin, config.json or tokenizer.json: "is not a regular file", at once', TIMEOUT, () => {
    const root = tempDir();
    const single = path.join(root, 'single');
    fs.mkdirSync(single);
    fifo(path.join(single, 'model.safetensors'));
    expect(thrown(SafetensorsError, () => openCheckpoint(single)).message).toBe(
      `${path.join(single, 'model.safetensors')}: is not a regular file (it is a FIFO (named pipe)); expected the file itself`,
    );

    const sharded = path.join(root, 'sharded');
    write(sharded, 'model.safetensors.index.json', index(shardMap()));
    write(sharded, 'a.safetensors', safetensorsFile(SHARD_A));
    fifo(path.join(sharded, 'b.safetensors'));
    expect(thrown(SafetensorsError, () => openCheckpoint(sharded)).message).toBe(
      `${path.join(sharded, 'b.safetensors')}: is not a regular file (it is a FIFO (named pipe)); expected the file itself`,
    );

    for (const name of ['model.gguf', 'model.bin', 'model.safetensors']) {
      const file = fifo(path.join(root, name));
      expect(thrown(FormatError, () => openCheckpoint(file)).message).toContain(`${file}: is not a regular file (it is a FIFO (named pipe))`);
    }

    const config = path.join(root, 'config');
    write(config, 'model.safetensors', safetensorsFile(SAMPLE_TENSORS));
    fifo(path.join(config, 'config.json'));
    expect(thrown(SafetensorsFolderError, () => openCheckpoint(config)).message).toContain('config.json: is not a regular file (it is a FIFO (named pipe))');

    const tok = path.join(root, 'tok');
    fs.mkdirSync(tok);
    fifo(path.join(tok, 'tokenizer.json'));
    expect(thrown(FormatError, () => loadHfTokenizer(tok)).message).toContain('tokenizer.json: is not a regular file (it is a FIFO (named pipe))');
    const bin = fifo(path.join(tok, 'tokenizer.bin'));
    expect(thrown(FormatError, () => loadLlama2cTokenizer(bin)).message).toBe(`${bin}: is not a regular file (it is a FIFO (named pipe)); expected the file itself`);
  });

  it('a folder named model.safetensors, and a device given as the checkpoint', TIMEOUT, () => {
    const model = tempDir();
    fs.mkdirSync(path.join(model, 'model.safetensors'));
    expect(thrown(SafetensorsError, () => openCheckpoint(model)).message).toContain('model.safetensors: is not a regular file (it is a folder)');
    if (fs.existsSync('/dev/null')) {
      expect(thrown(FormatError, () => openCheckpoint('/dev/null')).message).toContain('/dev/null: is not a regular file (it is a character device)');
    }
  });
});

describe('errors never quote the bytes of a file that is not a checkpoint', () => {
  it('a private file under a checkpoint name, in every reader', TIMEOUT, () => {
    const dir = tempDir();
    for (const name of ['x.safetensors', 'x.gguf', 'x.bin', 'x.weights']) {
      const file = write(dir, name, SECRET);
      expectNoSecret(thrown(FormatError, () => openCheckpoint(file)).message);
    }
    const folder = path.join(dir, 'hf');
    write(folder, 'model.safetensors', SECRET);
    expectNoSecret(thrown(FormatError, () => openCheckpoint(folder)).message);
    fs.writeFileSync(path.join(folder, 'model.safetensors'), safetensorsFile(SAMPLE_TENSORS));
    write(folder, 'config.json', SECRET);
    const e = thrown(FormatError, () => openCheckpoint(folder));
    expect(e.message).toContain('config.json is not valid JSON (an unexpected character');
    expectNoSecret(e.message);
    // a header length that happens to fit, over bytes that are not JSON
    const small = Buffer.concat([Buffer.from(safetensorsRaw('', new Uint8Array(0), BigInt(secretBytes.length))), secretBytes]);
    expectNoSecret(thrown(FormatError, () => openCheckpoint(write(dir, 'y.safetensors', small))).message);
    // a valid GGUF is still read (the magic is only refused, never quoted)
    expect(openCheckpoint(write(dir, 'ok.gguf', ggufFile(GGUF_SAMPLE_KV, GGUF_SAMPLE_TENSORS))).format).toBe('gguf');
  });

  it('JSON syntax errors say where, not what the text is', () => {
    const dir = tempDir();
    write(dir, 'model.safetensors', safetensorsFile(SAMPLE_TENSORS));
    write(dir, 'config.json', '{"model_type": "llama",\n "x": 1,}');
    expect(thrown(FormatError, () => openCheckpoint(dir)).message).toContain(
      'config.json is not valid JSON (Expected double-quoted property name at line 2, column 9 (character 32)); expected a JSON object',
    );
  });
});

describe('offsets above 2^53', () => {
  it('are printed as the file spells them, not rounded', () => {
    const dir = tempDir();
    const header = '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 18446744073709551615]}}';
    const file = write(dir, 'big.safetensors', safetensorsRaw(header, new Uint8Array(8)));
    expect(thrown(SafetensorsError, () => openCheckpoint(file)).message).toBe(
      `${file}: tensor "w": data_offsets [0,18446744073709551615]; expected [begin, end], two non-negative integers below 2^53`,
    );
    const shape = '{"w": {"dtype": "F32", "shape": [9007199254740993, 1], "data_offsets": [0, 8]}}';
    const shapeFile = write(dir, 'shape.safetensors', safetensorsRaw(shape, new Uint8Array(8)));
    expect(thrown(SafetensorsError, () => openCheckpoint(shapeFile)).message).toContain('tensor "w": shape [9007199254740993,1]; expected');
  });
});
