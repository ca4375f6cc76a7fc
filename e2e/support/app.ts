// Starts the real, built app (dist/electron/start.js) in browser mode as a child process and
// talks to it the way a user's browser or script would: over HTTP and the WebSocket, with the
// token it prints. Also the app's own CLI and a direct look at its SQLite file, for checks the
// UI cannot make (no half-imported rows left behind, integrity after a crash).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { openDatabase, type Db } from '../../db/database.js';
import { writeCharTokenizer } from '../../electron/jobs/test-support.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const startScript = path.join(projectRoot, 'dist', 'electron', 'start.js');
const cliScript = path.join(projectRoot, 'dist', 'electron', 'cli.js');

export interface RunningApp {
  /** the full address the app printed, token included */
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  process: ChildProcess;
  /** everything the app wrote on stderr so far (for failure messages) */
  stderr(): string;
  /** SIGTERM (then SIGKILL), and SIGKILL any job worker it left behind; safe to call twice */
  stop(): Promise<void>;
}

const running = new Set<RunningApp>();

/** A fresh temporary folder; removed by removeTempDirs(). */
const tempDirs: string[] = [];
export function tempDir(prefix = 'ffn-e2e-'): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function requireBuild(): void {
  for (const f of [startScript, cliScript, path.join(projectRoot, 'dist', 'renderer', 'index.html')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` before the e2e suite`);
  }
}

export interface StartOptions {
  /** let a fresh data folder register the demo models and the Brown corpus (off: tests start empty) */
  demo?: boolean;
  /**
   * the folders browser mode may open files in (--allow-dir); default: the temp folder (where
   * tests write their corpora and checkpoints) and the checkout (its fixtures)
   */
  allowDirs?: string[];
}

/** The temp folder tests write their files to, resolved after symlinks (macOS: /var -> /private/var). */
function testTempRoot(): string {
  return fs.realpathSync(process.env.TMPDIR ?? os.tmpdir());
}

/** Starts `node dist/electron/start.js --browser --no-open --port 0 --data-dir <dir> [--no-demo] --allow-dir ...` and waits for its URL line. */
export async function startApp(dataDir: string = tempDir('ffn-e2e-data-'), options: StartOptions = {}): Promise<RunningApp> {
  requireBuild();
  const allowDirs = (options.allowDirs ?? [testTempRoot(), projectRoot]).flatMap((d) => ['--allow-dir', d]);
  const child = spawn(process.execPath, [startScript, '--browser', '--no-open', '--port', '0', '--data-dir', dataDir, ...(options.demo ? [] : ['--no-demo']), ...allowDirs], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FFN_LAB_DATA: undefined, FFN_LAB_NO_DEMO: undefined },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    if (process.env.FFN_LAB_E2E_VERBOSE) process.stderr.write(`[app ${child.pid}] ${chunk}`);
  });

  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('the app printed no URL within 30 s')), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\nstdout: ${out}\nstderr: ${stderr}`));
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line !== undefined && out.includes('\n')) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`the app exited before printing its URL (code ${code}, signal ${signal})`)));
    child.once('error', (err) => fail(err));
  });

  const m = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)$/.exec(url);
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`the app's URL line is not http://127.0.0.1:PORT/?token=...: ${JSON.stringify(url)}`);
  }
  const port = Number(m[1]);
  const app: RunningApp = {
    url,
    origin: `http://127.0.0.1:${port}`,
    port,
    token: m[2]!,
    dataDir,
    process: child,
    stderr: () => stderr,
    stop: async () => {
      running.delete(app);
      const workers = childPids(child.pid);
      if (isRunning(child)) {
        child.kill('SIGTERM');
        if (!(await exited(child, 10_000))) {
          child.kill('SIGKILL');
          await exited(child, 5_000);
        }
      }
      // Workers of an app that was killed outlive it (they are not in its way any more, but
      // they would keep the data folder busy): end them, they are ours.
      for (const pid of workers) killQuietly(pid, 'SIGKILL');
    },
  };
  running.add(app);
  return app;
}

export async function stopAllApps(): Promise<void> {
  await Promise.all([...running].map((a) => a.stop()));
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves true once the process has exited, false after `ms`. */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Direct children of a process (the app's job workers), from `ps`. */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ---- HTTP and the WebSocket -----------------------------------------------------------------

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request to the app; headers exactly as given (Host included, when set). */
export function request(app: { port: number }, o: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: app.port, path: o.path, method: o.method ?? 'GET', headers: o.headers, setHost: !o.headers?.Host }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** An API call as the app's own page makes it (token, Origin, JSON); throws on a non-200 answer. */
export async function api<T = unknown>(app: RunningApp, method: string, params: unknown = {}): Promise<T> {
  const reply = await request(app, {
    path: `/api/${method}`,
    method: 'POST',
    headers: { Authorization: `Bearer ${app.token}`, Origin: app.origin, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  if (reply.status !== 200) throw new Error(`${method} answered ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

export interface ApiJob {
  id: number;
  state: string;
  progress: { done: number; total: number | null; unit: string; message: string | null };
  error: string | null;
  result: unknown;
}

export interface ApiCorpus {
  id: number;
  name: string;
  documents: number;
  bytes: number;
  checksum: string;
  metadataFields: string[];
}

/** Backend events over the app's WebSocket, collected from the moment it opens. */
export interface EventStream {
  events: Array<{ type: string; job?: ApiJob }>;
  /** resolves with the first event (seen so far or later) that matches */
  waitFor(match: (e: { type: string; job?: ApiJob }) => boolean, timeoutMs?: number): Promise<{ type: string; job?: ApiJob }>;
  close(): void;
}

export async function openEvents(app: RunningApp): Promise<EventStream> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, { headers: { Cookie: `ffn_lab_token=${app.token}` }, origin: app.origin });
  const events: EventStream['events'] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    events.push(JSON.parse(String(data)) as EventStream['events'][number]);
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    events,
    waitFor: (match, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; last events: ${JSON.stringify(events.slice(-5))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => ws.terminate(),
  };
}

/** Polls `probe` every 20 ms until it returns a truthy value. */
export async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- the CLI and the database file ------------------------------------------------------------

/** `node dist/electron/cli.js <args> --json --data-dir <dir>`, parsed. */
export function cliJson<T = unknown>(dataDir: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cliScript, ...args, '--json', '--data-dir', dataDir], { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ffn-lab ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`ffn-lab ${args.join(' ')} printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** Opens the app's database (as the app does: WAL, busy timeout), runs `f`, closes it. */
export function withDatabase<T>(dataDir: string, f: (db: Db) => T): T {
  const db = openDatabase(path.join(dataDir, 'ffn-lab.sqlite'));
  try {
    return f(db);
  } finally {
    db.close();
  }
}

export function count(db: Db, sql: string, ...params: unknown[]): number {
  const row = db.prepare(sql).get(...params) as Record<string, number>;
  return Object.values(row)[0]!;
}

// ---- corpora to import ------------------------------------------------------------------------

/**
 * Documents in the large JSONL corpus. Importing runs at ~150,000 small documents a second on a
 * 2-core VM, so 600,000 keep a job busy for several seconds: long enough to cancel or kill it
 * midway. FFN_LAB_E2E_DOCS overrides it (e.g. larger on a much faster machine).
 */
export const LARGE_DOCS = Number(process.env.FFN_LAB_E2E_DOCS ?? 600_000);

export interface LargeCorpus {
  file: string;
  documents: number;
  /** the checksum the app must compute for it: sha256 over `${byteLength}:` + UTF-8 text, in order */
  checksum: string;
}

/** Writes a JSONL corpus of `documents` lines ({"text", "topic", "index"}), each text unique. */
export function writeLargeJsonl(dir: string, name = 'large.jsonl', documents = LARGE_DOCS): LargeCorpus {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  const hash = createHash('sha256');
  const words = 'the of and to in that is was he for it with as his on be at by had are but from or have an they which one you were her all'.split(' ');
  try {
    let lines: string[] = [];
    for (let i = 0; i < documents; i++) {
      const body = Array.from({ length: 12 }, (_, j) => words[(i * 7 + j * 13) % words.length]).join(' ');
      const text = `Document ${i}: ${body}.`;
      const bytes = Buffer.from(text, 'utf8');
      hash.update(`${bytes.length}:`);
      hash.update(bytes);
      lines.push(JSON.stringify({ text, topic: `t${i % 5}`, index: i }));
      if (lines.length === 10_000) {
        fs.writeSync(fd, lines.join('\n') + '\n');
        lines = [];
      }
    }
    if (lines.length > 0) fs.writeSync(fd, lines.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
  return { file, documents, checksum: hash.digest('hex') };
}

/** A copy of native-models/fixtures/gpt2 with a char-level tokenizer.json, so captures can read text. */
export function charModel(): string {
  const dir = tempDir('ffn-e2e-charmodel-');
  fs.cpSync(path.join(projectRoot, 'native-models', 'fixtures', 'gpt2'), dir, { recursive: true });
  writeCharTokenizer(dir);
  return dir;
}
