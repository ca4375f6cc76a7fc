// The browser-mode server against malformed requests (real server, real sockets): bad
// percent-encoding in the path, the method or the cookie, NUL bytes, bodies over the limit, the
// Bearer scheme in any case; and every path a confined backend is given checked against its roots.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { allowedRoots } from './allowed-roots.js';
import { Backend } from './backend.js';
import { nodeWorkerSpawner } from './jobs/spawn-node.js';
import { rawRequest, type RawReply, tempDir } from './jobs/test-support.js';
import { bearer, serve, type Server } from './serve.js';

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'electron', 'job-worker.js');

let backend: Backend;
let server: Server;
let staticDir: string;
let allowed: string;

beforeAll(async () => {
  const base = fs.realpathSync(tempDir('ffn-serve-errors-'));
  allowed = path.join(base, 'allowed');
  fs.mkdirSync(allowed);
  fs.writeFileSync(path.join(allowed, 'texts.txt'), 'a document');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'not for the browser');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(allowed, 'link.txt'));
  const dataDir = path.join(base, 'data');
  backend = new Backend({
    dataDir,
    shell: 'browser',
    spawnWorker: nodeWorkerSpawner(workerScript),
    allowedRoots: allowedRoots([
      { dir: allowed, label: '--allow-dir' },
      { dir: dataDir, label: 'data folder' },
    ]),
  });
  staticDir = path.join(base, 'static-files');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>FFN Lab</title>');
  server = await serve({ backend, staticDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  backend.close();
});

const request = (o: Parameters<typeof rawRequest>[1]) => rawRequest(server.port, o);
type Reply = RawReply;

const cookie = () => `ffn_lab_token=${encodeURIComponent(server.token)}`;
const origin = () => `http://127.0.0.1:${server.port}`;
const apiHeaders = () => ({ 'Content-Type': 'application/json', Cookie: cookie(), Origin: origin() });
const api = (method: string, params: unknown) => request({ path: `/api/${method}`, method: 'POST', headers: apiHeaders(), body: JSON.stringify(params) });
const errorMessage = (r: Reply) => (JSON.parse(r.body) as { error: { message: string } }).error.message;

/** Nothing of the server's insides: no stack, no JS error names, no absolute paths of the server. */
function expectNoInternals(r: Reply) {
  expect(r.body).not.toMatch(/URIError|TypeError|ERR_|at .*\.js|URI malformed/);
  expect(r.body).not.toContain(staticDir);
  expect(r.body).not.toContain(process.cwd());
}

describe('malformed requests get 400, never 500', () => {
  it('bad percent-encoding in the page path', async () => {
    for (const p of ['/%E0%A4%A', '/%', '/assets/%zz.js']) {
      const r = await request({ path: p, headers: { Cookie: cookie() } });
      expect(r.status, p).toBe(400);
      expect(r.body).toMatch(/the request path is not valid percent-encoding/);
      expectNoInternals(r);
    }
  });

  it('bad percent-encoding in the API method', async () => {
    const r = await request({ path: '/api/app.%E0%A4%A', method: 'POST', headers: apiHeaders(), body: '{}' });
    expect(r.status).toBe(400);
    expect(errorMessage(r)).toMatch(/the API method name is not valid percent-encoding/);
    expectNoInternals(r);
  });

  it('bad percent-encoding in the cookie, before the token is checked', async () => {
    for (const headers of [{ Cookie: 'ffn_lab_token=%E0%A4%A' }, { Cookie: 'other=1; ffn_lab_token=%' }]) {
      const page = await request({ path: '/', headers });
      expect(page.status).toBe(400);
      expect(page.body).toMatch(/the ffn_lab_token cookie is not valid percent-encoding/);
      expectNoInternals(page);
      const call = await request({ path: '/api/app.info', method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', Origin: origin() }, body: '{}' });
      expect(call.status).toBe(400);
      expectNoInternals(call);
    }
  });

  it('bad percent-encoding in an upload name', async () => {
    const r = await request({ path: '/upload/%E0%A4%A.gguf', method: 'PUT', headers: { Cookie: cookie(), Origin: origin(), 'Content-Length': 4 }, body: 'GGUF' });
    expect(r.status).toBe(400);
    expectNoInternals(r);
  });

  it('a NUL byte in the path, without echoing where the server lives', async () => {
    for (const p of ['/%00', '/index.html%00.js', '/assets/%00/x']) {
      const r = await request({ path: p, headers: { Cookie: cookie() } });
      expect(r.status, p).toBe(400);
      expect(r.body).toMatch(/NUL byte/);
      expectNoInternals(r);
    }
    const call = await request({ path: '/api/app.info%00', method: 'POST', headers: apiHeaders(), body: '{}' });
    expect(call.status).toBe(400);
    expectNoInternals(call);
  });

  it('a WebSocket upgrade with a malformed cookie is refused and the server stays up', async () => {
    const status = await new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { Cookie: 'ffn_lab_token=%E0%A4%A' }, origin: origin() });
      ws.on('open', () => resolve('open'));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(400);
    expect((await api('app.info', {})).status).toBe(200);
  });
});

describe('request bodies over the limit get 413', () => {
  const big = Buffer.alloc(1024 * 1024 + 1, 0x20);

  it('when the declared length is over the limit', async () => {
    const r = await request({ path: '/api/app.info', method: 'POST', headers: { ...apiHeaders(), 'Content-Length': big.length }, body: big });
    expect(r.status).toBe(413);
    expect(errorMessage(r)).toMatch(/larger than 1048576 bytes/);
  });

  it('when a chunked body grows past it', async () => {
    const r = await request({ path: '/api/app.info', method: 'POST', headers: { ...apiHeaders(), 'Transfer-Encoding': 'chunked' }, chunks: [big.subarray(0, 600_000), big.subarray(600_000)] });
    expect(r.status).toBe(413);
    expect((await api('app.info', {})).status).toBe(200);
  });
});

describe('the Bearer scheme', () => {
  it('is case-insensitive', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const r = await request({ path: '/api/app.info', method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin(), Authorization: `${scheme} ${server.token}` }, body: '{}' });
      expect(r.status, scheme).toBe(200);
    }
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer('Bearer')).toBeUndefined();
  });
});

describe('a confined backend behind the server', () => {
  it('refuses corpus and model imports outside the roots, naming the roots', async () => {
    for (const [method, params] of [
      ['corpus.import', { source: { kind: 'path', path: '/etc/passwd' } }],
      ['corpus.import', { source: { kind: 'path', path: path.join(allowed, 'link.txt') } }],
      ['corpus.import', { source: { kind: 'path', path: `${allowed}/../secret.txt` } }],
      ['model.import', { path: '/etc' }],
      ['study.status', { dir: '/' }],
      ['dataset.export', { id: 1, format: 'csv', dir: '/tmp/../etc/ffn-export' }],
      ['files.list', { dir: '/etc' }],
    ] as const) {
      const r = await api(method, params);
      expect(r.status, `${method} ${JSON.stringify(params)}`).toBe(400);
      const message = errorMessage(r);
      expect(message).toContain(`${allowed} (--allow-dir)`);
      expect(message).toContain('--allow-dir <folder>');
      expect(message).not.toContain('root:'); // nothing of /etc/passwd
    }
    const jobs = JSON.parse((await api('jobs.list', {})).body) as unknown[];
    expect(jobs).toEqual([]);
  });

  it('lists a folder inside the roots', async () => {
    const r = await api('files.list', { dir: allowed });
    expect(r.status).toBe(200);
    const l = JSON.parse(r.body) as { dir: string; entries: { name: string; kind: string }[] };
    expect(l.dir).toBe(allowed);
    expect(l.entries.map((e) => [e.name, e.kind])).toEqual([
      ['texts.txt', 'file'],
      ['link.txt', 'other'],
    ]);
  });
});
