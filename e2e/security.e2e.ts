// Browser mode's guard, against the real server: the token on every request (swapped once for
// an HttpOnly cookie and dropped from the address bar), the loopback Host only (DNS
// rebinding), the app's own Origin for state changes and sockets, and no CORS.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, request, startApp, type ApiJob, type RunningApp } from './support/app.js';
import { launchBrowser, openApp, closeAll } from './support/browser.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

afterAll(() => closeAll(browser));

const cookie = () => `ffn_lab_token=${encodeURIComponent(app.token)}`;
const json = { 'Content-Type': 'application/json' };

/** 'open', or the HTTP status the server refused the upgrade with. */
function wsOutcome(headers: Record<string, string>, origin?: string): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, { headers, ...(origin ? { origin } : {}) });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', (err) => reject(err));
  });
}

describe('HTTP and WebSocket guard (plain Node clients)', () => {
  it('refuses the page without the token', async () => {
    const r = await request(app, { path: '/' });
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('<script');
    const wrong = await request(app, { path: '/?token=not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('swaps the token for an HttpOnly SameSite=Strict cookie and serves the page with it', async () => {
    const r = await request(app, { path: `/?token=${app.token}` });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const set = r.headers['set-cookie']?.[0] ?? '';
    expect(set).toMatch(/^ffn_lab_token=/);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    const page = await request(app, { path: '/', headers: { Cookie: cookie() } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const evilHost = `evil.example:${app.port}`;
    const exchange = await request(app, { path: `/?token=${app.token}`, headers: { Host: evilHost } });
    expect([400, 403, 421]).toContain(exchange.status);
    expect(exchange.headers['set-cookie']).toBeUndefined();
    const withCookie = await request(app, { path: '/', headers: { Host: evilHost, Cookie: cookie() } });
    expect([400, 403, 421]).toContain(withCookie.status);
    const apiCall = await request(app, {
      path: '/api/corpus.list',
      method: 'POST',
      headers: { ...json, Host: evilHost, Authorization: `Bearer ${app.token}`, Origin: `http://${evilHost}` },
      body: '{}',
    });
    expect([400, 403, 421]).toContain(apiCall.status);
  });

  it('refuses API calls without the token', async () => {
    const r = await request(app, { path: '/api/app.info', method: 'POST', headers: { ...json, Origin: app.origin }, body: '{}' });
    expect(r.status).toBe(401);
    expect((JSON.parse(r.body) as { error: { message: string } }).error.message).toMatch(/token/);
    const wrong = await request(app, { path: '/api/app.info', method: 'POST', headers: { ...json, Origin: app.origin, Authorization: 'Bearer nope' }, body: '{}' });
    expect(wrong.status).toBe(401);
  });

  it('refuses state changes from another Origin, and sends no CORS headers', async () => {
    const before = await api<ApiJob[]>(app, 'jobs.list');
    const r = await request(app, {
      path: '/api/corpus.import',
      method: 'POST',
      headers: { ...json, Cookie: cookie(), Origin: 'http://evil.example' },
      body: JSON.stringify({ source: { kind: 'brown' } }),
    });
    expect(r.status).toBe(403);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(await api<ApiJob[]>(app, 'jobs.list')).toEqual(before);
    // With the right Origin and the token, the same call is an ordinary API call.
    const info = await api<{ name: string; shell: string; dataDir: string }>(app, 'app.info');
    expect(info).toMatchObject({ name: 'FFN Lab', shell: 'browser', dataDir: app.dataDir });
  });

  it('refuses a WebSocket from another Origin and opens one from the app origin', async () => {
    await expect(wsOutcome({ Cookie: cookie() }, 'http://evil.example')).resolves.toBe(403);
    await expect(wsOutcome({ Cookie: cookie() })).resolves.toBe(403); // no Origin at all
    await expect(wsOutcome({}, app.origin)).resolves.toBe(401); // no token
    await expect(wsOutcome({ Cookie: cookie(), Host: `evil.example:${app.port}` }, app.origin)).resolves.toSatisfy((s) => s === 400 || s === 403 || s === 421);
    await expect(wsOutcome({ Cookie: cookie() }, app.origin)).resolves.toBe('open');
    await expect(wsOutcome({ Authorization: `Bearer ${app.token}` }, app.origin)).resolves.toBe('open');
  });
});

describe('in the browser', () => {
  it('drops the token from the address bar and keeps it in an HttpOnly cookie', async () => {
    page = await openApp(browser, app);
    expect(page.url()).toBe(`${app.origin}/`);
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => document.cookie)).not.toContain('ffn_lab_token');
    const cookies = await page.context().cookies(app.origin);
    expect(cookies.find((c) => c.name === 'ffn_lab_token')).toMatchObject({ httpOnly: true, sameSite: 'Strict', value: app.token });
    // The token URL answered with a redirect, so it is not in the history either.
    await page.goBack();
    expect(page.url()).not.toContain('token=');
    await page.goForward();
    expect(page.url()).toBe(`${app.origin}/`);
    await page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
  });

  it("lets the app's own page call the API with the cookie", async () => {
    const result = await page.evaluate(async () => {
      const r = await fetch('/api/corpus.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: r.status, body: (await r.json()) as unknown };
    });
    expect(result).toEqual({ status: 200, body: [] });
    const info = await page.evaluate(async () => {
      const r = await fetch('/api/app.info', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return (await r.json()) as { shell: string };
    });
    expect(info.shell).toBe('browser');
  });

  it('keeps a page from another origin out, even one on 127.0.0.1 that gets the cookie', async () => {
    // Another port on 127.0.0.1 is another origin but the same site, so SameSite=Strict does not
    // keep the cookie from being sent: the Origin check is what must refuse it.
    const foreign = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>not the app</title>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    try {
      const foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
      const evil = await page.context().newPage();
      await evil.goto(foreignOrigin);
      const before = await api<ApiJob[]>(app, 'jobs.list');
      const outcome = await evil.evaluate(
        async ({ target }) => {
          // A "simple" request needs no preflight, so the browser sends it; CORS only hides the answer.
          let post: string;
          try {
            await fetch(`${target}/api/corpus.import`, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'Content-Type': 'text/plain' },
              body: JSON.stringify({ source: { kind: 'brown' } }),
            });
            post = 'sent';
          } catch (err) {
            post = `blocked: ${String(err)}`;
          }
          let read: string;
          try {
            const r = await fetch(`${target}/api/corpus.list`, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{}' });
            read = `read ${r.status}`;
          } catch {
            read = 'unreadable';
          }
          const socket = await new Promise<string>((resolve) => {
            // window.WebSocket: the browser's, not the `ws` package imported in this file.
            const ws = new window.WebSocket(`${target.replace('http', 'ws')}/ws`);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
            setTimeout(() => resolve('timeout'), 10_000);
          });
          return { post, read, socket };
        },
        { target: app.origin },
      );
      expect(outcome.post).toBe('sent'); // the request did reach the server...
      expect(outcome.read).toBe('unreadable'); // no CORS headers: the browser does not let it read
      expect(outcome.socket).toBe('refused');
      expect(await api<ApiJob[]>(app, 'jobs.list')).toEqual(before); // the POST started nothing
      await evil.close();
    } finally {
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
    }
  });
});
