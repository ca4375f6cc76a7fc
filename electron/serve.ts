// Browser mode: the same API over HTTP + WebSocket, bound to 127.0.0.1 only. Every request
// needs the per-run token (exchanged once for an HttpOnly SameSite=Strict cookie); the Host
// header must name the loopback address (DNS rebinding); state-changing requests and sockets
// must come from the app's own Origin; no CORS headers are ever sent. Malformed requests get a
// 400 (413 for a body over the limit) that names what was wrong and nothing of the server's
// internals; a 500 says only that the error is in the server's log.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiErrorBody } from './api.js';
import type { Backend } from './backend.js';
import { ApiError, toApiError } from './errors.js';
import { receiveUpload } from './uploads.js';

const COOKIE = 'ffn_lab_token';
const MAX_BODY_BYTES = 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const STATUS_OF: Record<ApiError['code'], number> = {
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export interface ServeOptions {
  backend: Backend;
  /** the built renderer (dist/renderer) */
  staticDir: string;
  /** 0 picks any free port */
  port: number;
  /** fixed token for tests; a fresh random one otherwise */
  token?: string;
}

export interface Server {
  url: string; // with ?token=
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Constant-time comparison that does not leak the length either (both sides hashed first). */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** A request the server refuses with `status` and a message for the user (no internals in it). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** decodeURIComponent that refuses malformed escapes and NUL bytes with a 400 naming `what`. */
export function decodeOrRefuse(text: string, what: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw new HttpError(400, `${what} is not valid percent-encoding (a % must be followed by two hex digits of UTF-8)`);
  }
  if (decoded.includes('\0')) throw new HttpError(400, `${what} contains a NUL byte (%00)`);
  return decoded;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeOrRefuse(v.join('='), `the ${name} cookie`);
  }
  return undefined;
}

/** The request's URL, or a 400: a request line like "//x:y" or "http://[" does not parse. */
function requestUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    throw new HttpError(400, 'the request path is not a valid URL path');
  }
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

export async function serve(o: ServeOptions): Promise<Server> {
  const token = o.token ?? randomBytes(32).toString('base64url');
  let port = o.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const staticRoot = path.resolve(o.staticDir);

  const send = (res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...securityHeaders(port), 'Content-Type': type, ...extra });
    res.end(body);
  };
  const sendError = (res: http.ServerResponse, status: number, code: ApiError['code'], message: string) => {
    const body: ApiErrorBody = { error: { code, message } };
    send(res, status, JSON.stringify(body), 'application/json');
  };

  /** null when allowed, else [status, message] */
  const refuse = (req: http.IncomingMessage, stateChanging: boolean): [number, string] | null => {
    if (!allowedHosts().has(req.headers.host ?? '')) return [421, 'this server answers only to 127.0.0.1 (foreign Host header refused)'];
    const given = cookieValue(req.headers.cookie, COOKIE) ?? bearer(req.headers.authorization);
    if (!tokenMatches(given, token)) return [401, 'missing or wrong token: open the URL that `npm start` printed, including ?token=...'];
    if (stateChanging && !allowedOrigins().has(req.headers.origin ?? '')) return [403, 'requests that change state must come from the app itself (Origin refused)'];
    return null;
  };

  const server = http.createServer((req, res) => {
    const isApi = (req.url ?? '').startsWith('/api/');
    void handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) {
        // a refused body may still be arriving: answer, then close instead of reading the rest
        if (err.status === 413) res.setHeader('Connection', 'close');
        return isApi ? sendError(res, err.status, 'bad-request', err.message) : send(res, err.status, err.message);
      }
      // A bug: the details (paths, stack) go to the log, not to the client.
      console.error('FFN Lab server error:', err);
      return isApi ? sendError(res, 500, 'internal', "internal error (the details are in the server's log)") : send(res, 500, "internal error (the details are in the server's log)");
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    // The one unauthenticated step: trade the token in the URL for a cookie, then drop it from the address bar.
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 421, 'foreign Host header refused');
      if (!tokenMatches(url.searchParams.get('token') ?? '', token)) return send(res, 401, 'wrong token: open the URL that `npm start` printed');
      res.writeHead(303, {
        ...securityHeaders(port),
        'Set-Cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
      });
      res.end();
      return;
    }
    const isApi = url.pathname.startsWith('/api/');
    const stateChanging = req.method !== 'GET' && req.method !== 'HEAD';
    const refused = refuse(req, stateChanging);
    if (refused) {
      return isApi ? sendError(res, refused[0], 'bad-request', refused[1]) : send(res, refused[0], refused[1]);
    }
    if (url.pathname.startsWith('/upload/')) {
      if (req.method !== 'PUT') return sendError(res, 405, 'bad-request', 'uploads are PUT /upload/<file name> with the file as the body');
      try {
        const upload = await receiveUpload(req, o.backend.dataDir, decodeOrRefuse(url.pathname.slice('/upload/'.length), 'the upload file name'));
        return send(res, 200, JSON.stringify(upload), 'application/json');
      } catch (err) {
        const e = toApiError(err);
        // the browser may still be sending: answer, then close rather than read the rest
        res.setHeader('Connection', 'close');
        return sendError(res, STATUS_OF[e.code], e.code, e.message);
      }
    }
    if (isApi) {
      if (req.method !== 'POST') return sendError(res, 405, 'bad-request', 'API calls are POST with a JSON body');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendError(res, 415, 'bad-request', 'API calls need Content-Type: application/json');
      }
      const method = decodeOrRefuse(url.pathname.slice('/api/'.length), 'the API method name');
      const body = await readBody(req); // HttpError 413 past the limit
      let params: unknown;
      try {
        params = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
      } catch (err) {
        return sendError(res, 400, 'bad-request', `the request body is not valid JSON (${(err as Error).message})`);
      }
      try {
        const result = await o.backend.handle(method, params);
        return send(res, 200, JSON.stringify(result ?? null), 'application/json');
      } catch (err) {
        const e = toApiError(err);
        return sendError(res, STATUS_OF[e.code], e.code, e.message);
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    return serveStatic(url.pathname, res);
  }

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    const rel = pathname === '/' ? 'index.html' : decodeOrRefuse(pathname, 'the request path').replace(/^\/+/, '');
    const file = path.resolve(staticRoot, rel);
    if (!file.startsWith(staticRoot + path.sep)) return send(res, 404, 'not found');
    fs.readFile(file, (err, data) => {
      if (err) {
        if (rel === 'index.html') return send(res, 500, `the UI is not built (${file} missing): run npm run build`);
        return send(res, 404, 'not found');
      }
      send(res, 200, data, MIME[path.extname(file)] ?? 'application/octet-stream');
    });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  const unsubscribe = o.backend.onEvent((event) => {
    const data = JSON.stringify(event);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(data);
  });
  server.on('upgrade', (req, socket, head) => {
    // A socket is always "state-changing": it must carry the app's own Origin.
    let refused: [number, string] | null;
    try {
      refused = requestUrl(req.url).pathname !== '/ws' ? [404, 'not found'] : refuse(req, true);
    } catch (err) {
      // an exception here would not reach a request handler: it would end the server
      refused = err instanceof HttpError ? [err.status, err.message] : [400, 'bad request'];
    }
    if (refused) {
      socket.end(`HTTP/1.1 ${refused[0]} ${http.STATUS_CODES[refused[0]]}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused[1]}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', () => ws.close(1003, 'this socket only sends events'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110). */
export function bearer(header: string | undefined): string | undefined {
  const m = /^bearer +(\S+) *$/i.exec(header ?? '');
  return m?.[1];
}

const tooLarge = () => new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes, the most an API call takes`);

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A declared size over the limit is refused before a byte is read.
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(c);
      // Keep draining (and dropping) what is still on the way, so the 413 gets through.
      req.off('data', onData);
      req.resume();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
