// Browser mode's upload of a dropped checkpoint, over the real server: the bytes land whole in
// uploads/ or not at all, under the same token and Origin rules as every state change.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { tempDir, testBackend } from './jobs/test-support.js';
import { serve, type Server } from './serve.js';
import { uploadsDir } from './uploads.js';

let backend: Backend;
let server: Server;

beforeAll(async () => {
  backend = testBackend();
  const staticDir = tempDir('ffn-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>FFN Lab</title>');
  server = await serve({ backend, staticDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  backend.close();
});

const gguf = fs.readFileSync(path.join(import.meta.dirname, '..', 'native-models', 'fixtures', 'gguf-models', 'llama-q4_k', 'model.gguf'));
const host = () => `127.0.0.1:${server.port}`;
const allowed = () => ({ Host: host(), Origin: `http://${host()}`, Cookie: `ffn_lab_token=${encodeURIComponent(server.token)}` });

interface Reply {
  status: number;
  body: string;
}

function put(name: string, body: Buffer, headers: Record<string, string>, declared = body.length): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: `/upload/${encodeURIComponent(name)}`, method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(declared), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends half the declared bytes, then drops the connection (a closed tab, a cancelled upload). */
function putAndAbort(name: string, body: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: `/upload/${encodeURIComponent(name)}`, method: 'PUT', headers: { ...allowed(), 'Content-Length': String(body.length) } });
    req.on('error', () => resolve());
    req.write(body.subarray(0, body.length >> 1), () => setTimeout(() => req.destroy(), 100));
    req.on('close', () => resolve());
  });
}

const uploaded = () => (fs.existsSync(uploadsDir(backend.dataDir)) ? fs.readdirSync(uploadsDir(backend.dataDir)).sort() : []);

describe('upload of a dropped checkpoint (browser mode)', () => {
  it('keeps the file whole under its own name, and never overwrites an earlier one', async () => {
    const first = await put('tiny.gguf', gguf, allowed());
    expect(first.status).toBe(200);
    const a = JSON.parse(first.body) as { path: string; bytes: number };
    expect(a).toEqual({ path: path.join(uploadsDir(backend.dataDir), 'tiny.gguf'), bytes: gguf.length });
    expect(fs.readFileSync(a.path).equals(gguf)).toBe(true);
    const second = JSON.parse((await put('tiny.gguf', gguf, allowed())).body) as { path: string };
    expect(path.basename(second.path)).toBe('tiny-2.gguf');
    expect(uploaded()).toEqual(['tiny-2.gguf', 'tiny.gguf']);
  });

  it('keeps nothing of an upload that stops half way', async () => {
    const before = uploaded();
    await putAndAbort('half.gguf', gguf);
    await new Promise((r) => setTimeout(r, 200));
    expect(uploaded()).toEqual(before);
  });

  it('refuses uploads without the token or the app\'s Origin, and writes nothing', async () => {
    const before = uploaded();
    const { Cookie: _cookie, ...noToken } = allowed();
    expect((await put('x.gguf', gguf, noToken)).status).toBe(401);
    const { Origin: _origin, ...noOrigin } = allowed();
    expect((await put('x.gguf', gguf, noOrigin)).status).toBe(403);
    expect(uploaded()).toEqual(before);
  });

  it('says which files can be dropped, and refuses names that are paths', async () => {
    const st = await put('model.safetensors', gguf, allowed());
    expect(st.status).toBe(400);
    expect(JSON.parse(st.body).error.message).toMatch(/drop a \.gguf or \.bin file .*type its path instead/);
    const escape = await put('../escape.gguf', gguf, allowed());
    expect(escape.status).toBe(400);
    expect(JSON.parse(escape.body).error.message).toMatch(/not a plain file name/);
    expect(fs.existsSync(path.join(backend.dataDir, 'escape.gguf'))).toBe(false);
  });

  it('refuses a file larger than the free disk space before writing a byte', async () => {
    const before = uploaded();
    const huge = await put('huge.gguf', Buffer.alloc(0), allowed(), 2 ** 52);
    expect(huge.status).toBe(400);
    expect(JSON.parse(huge.body).error.message).toMatch(/not enough disk space for huge\.gguf: it has [\d.]+ GiB, .* free/);
    expect(uploaded()).toEqual(before);
  });
});
