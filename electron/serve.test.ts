// Browser-mode security: token on every request, loopback Host only, the app's own Origin for
// state changes and sockets, no CORS.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Backend } from './backend.js';
import { rawRequest, tempDir, testBackend } from './jobs/test-support.js';
import { serve, tokenMatches, type Server } from './serve.js';

let backend: Backend;
let server: Server;
let staticDir: string;

beforeAll(async () => {
  backend = testBackend();
  staticDir = tempDir('ffn-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>FFN Lab</title>');
  server = await serve({ backend, staticDir, port: 0 });
});
afterAll(async () => {
  await server.close();
  backend.close();
});

const request = (o: Parameters<typeof rawRequest>[1]) => rawRequest(server.port, o);

const host = () => `127.0.0.1:${server.port}`;
const cookie = () => `ffn_lab_token=${encodeURIComponent(server.token)}`;
const api = (method: string, headers: Record<string, string>, body = '{}') =>
  request({ path: `/api/${method}`, method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

function wsStatus(headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('browser-mode server', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const res = await request({ path: `/?token=${server.token}`, headers: { Host: host() } });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(res.headers['set-cookie']?.[0]).toMatch(/^ffn_lab_token=.+; HttpOnly; SameSite=Strict; Path=\//);
    expect((await request({ path: '/?token=wrong', headers: { Host: host() } })).status).toBe(401);
  });

  it('refuses every request without the token, pages and API alike', async () => {
    expect((await request({ path: '/', headers: { Host: host() } })).status).toBe(401);
    expect((await request({ path: '/index.html', headers: { Host: host() } })).status).toBe(401);
    expect((await api('app.info', { Host: host(), Origin: `http://${host()}` })).status).toBe(401);
    expect((await api('app.info', { Host: host(), Origin: `http://${host()}`, Cookie: 'ffn_lab_token=nope' })).status).toBe(401);
  });

  it('serves the app and the API with the cookie or a bearer token', async () => {
    const page = await request({ path: '/', headers: { Host: host(), Cookie: cookie() } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('FFN Lab');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const info = await api('app.info', { Host: host(), Origin: `http://${host()}`, Cookie: cookie() });
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({ name: 'FFN Lab', shell: 'cli' });
    const bearer = await api('corpus.list', { Host: host(), Origin: `http://${host()}`, Authorization: `Bearer ${server.token}` });
    expect(bearer.status).toBe(200);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const res = await request({ path: '/', headers: { Host: `evil.example:${server.port}`, Cookie: cookie() } });
    expect(res.status).toBe(421);
    expect((await request({ path: `/?token=${server.token}`, headers: { Host: 'evil.example' } })).status).toBe(421);
    expect((await api('app.info', { Host: 'evil.example', Origin: 'http://evil.example', Cookie: cookie() })).status).toBe(421);
  });

  it('refuses state-changing requests without the app\'s own Origin', async () => {
    expect((await api('corpus.list', { Host: host(), Cookie: cookie() })).status).toBe(403);
    expect((await api('corpus.list', { Host: host(), Cookie: cookie(), Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('never sends CORS headers', async () => {
    const res = await api('app.info', { Host: host(), Origin: `http://${host()}`, Cookie: cookie() });
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await request({ path: '/api/app.info', method: 'OPTIONS', headers: { Host: host(), Origin: 'http://evil.example' } });
    expect(preflight.status).toBe(401);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('answers bad requests with a JSON error that says what was expected', async () => {
    const h = { Host: host(), Origin: `http://${host()}`, Cookie: cookie() };
    const bad = await api('corpus.import', h, '{"source":{"kind":"ftp"}}');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toBe('Source kind must be one of "path", "brown"');
    expect((await api('no.such', h)).status).toBe(404);
    expect((await api('app.info', h, '{not json')).status).toBe(400);
  });

  it('does not serve files outside the app folder', async () => {
    const res = await request({ path: '/..%2f..%2fetc%2fpasswd', headers: { Host: host(), Cookie: cookie() } });
    expect(res.status).toBe(404);
  });

  it('accepts a WebSocket only with the token and the app\'s Origin', async () => {
    expect(await wsStatus({ Host: host(), Origin: `http://${host()}`, Cookie: cookie() })).toBe('open');
    expect(await wsStatus({ Host: host(), Origin: 'http://evil.example', Cookie: cookie() })).toBe(403);
    expect(await wsStatus({ Host: host(), Cookie: cookie() })).toBe(403);
    expect(await wsStatus({ Host: host(), Origin: `http://${host()}` })).toBe(401);
    expect(await wsStatus({ Host: 'evil.example', Origin: 'http://evil.example', Cookie: cookie() })).toBe(421);
  });

  it('compares tokens without depending on their length', () => {
    expect(tokenMatches(server.token, server.token)).toBe(true);
    expect(tokenMatches(server.token.slice(1), server.token)).toBe(false);
    expect(tokenMatches(undefined, server.token)).toBe(false);
  });
});
