// One typed client for the API over two transports: Electron IPC (window.lab, from the preload
// script) and, in browser mode, HTTP POST /api/<method> plus a WebSocket at /ws for events.
import type { ApiEvent, LabBridge, Method, Params, Result } from './contract';
import { ApiError, apiErrorFromBody, errorMessage } from './errors';
import { parseApiEvent } from './events';

/** State of the event channel: 'connecting' before it first opens, 'closed' while it is down. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ApiClient {
  readonly transport: 'electron' | 'browser';
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Listens to backend events; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /** Listens to the event channel's state; the listener is called at once with the current one. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Skips the back-off wait and tries to reconnect now (no-op when connected). */
  reconnectNow(): void;
  /**
   * A path the backend can read for a file dropped on the window: in Electron the file's own path;
   * in browser mode the backend cannot see the user's files, so the file is uploaded into the data
   * folder first (progress in bytes; `signal` cancels and nothing is kept).
   */
  droppedFilePath(file: File, onProgress: (sent: number, total: number) => void, signal: AbortSignal): Promise<string>;
}

// ---- Electron -------------------------------------------------------------------------------

const ipcPrefix = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** Turns whatever the bridge rejected with into an ApiError. */
export function apiErrorFromRejection(rejection: unknown): ApiError {
  if (rejection instanceof ApiError) return rejection;
  const fromBody = apiErrorFromBody(rejection);
  if (fromBody) {
    const message = fromBody.message.replace(ipcPrefix, '');
    try {
      const parsed = apiErrorFromBody(JSON.parse(message));
      if (parsed) return parsed;
    } catch {
      // not JSON: the message itself is what the user sees
    }
    return new ApiError(fromBody.code, message);
  }
  return new ApiError('internal', errorMessage(rejection));
}

export class ElectronClient implements ApiClient {
  readonly transport = 'electron';

  constructor(private readonly bridge: LabBridge) {}

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    try {
      return (await this.bridge.invoke(method, params)) as Result<M>;
    } catch (rejection) {
      throw apiErrorFromRejection(rejection);
    }
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    return this.bridge.onEvent((raw) => {
      const event = parseApiEvent(raw);
      if (event) listener(event);
    });
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    listener('open');
    return () => {};
  }

  reconnectNow(): void {}

  droppedFilePath(file: File): Promise<string> {
    const path = this.bridge.pathForFile(file);
    if (!path) return Promise.reject(new ApiError('bad-request', `"${file.name}" has no path on this computer (dropped from another program?): save it as a file first, then drop or browse to it.`));
    return Promise.resolve(path);
  }
}

// ---- browser --------------------------------------------------------------------------------

/** The pieces of the browser the client needs; injectable for tests. */
export interface BrowserEnvironment {
  fetch: typeof fetch;
  WebSocket: typeof WebSocket;
  location: Pick<Location, 'protocol' | 'host'>;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** for uploads (fetch reports no upload progress) */
  XMLHttpRequest?: typeof XMLHttpRequest;
}

const firstRetryMs = 500;
const maxRetryMs = 10_000;

/** Back-off before reconnect attempt number `failures` (1-based): 0.5 s doubling to 10 s. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(maxRetryMs, firstRetryMs * 2 ** Math.max(0, failures - 1));
}

function httpErrorCode(status: number): ApiError['code'] {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 413 || status === 422) return 'bad-request';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'internal';
}

const unauthorizedHint =
  'The backend did not accept this session. Open FFN Lab again with the link it printed when it started (the one with ?token=…).';

export class BrowserClient implements ApiClient {
  readonly transport = 'browser';
  private readonly eventListeners = new Set<(event: ApiEvent) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = 'connecting';
  private socket: WebSocket | null = null;
  private started = false;
  private failures = 0;
  private retryTimer: unknown = null;

  constructor(private readonly env: BrowserEnvironment) {}

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    let response: Response;
    try {
      response = await this.env.fetch(`/api/${method}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
      });
    } catch (error) {
      throw new ApiError('network', `Cannot reach the FFN Lab backend (${errorMessage(error)}). Is it still running?`);
    }
    const text = await response.text();
    let body: unknown = undefined;
    let parsed = false;
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      // handled below
    }
    if (response.ok) {
      if (!parsed) throw new ApiError('internal', `The backend answered ${method} with something that is not JSON.`);
      return body as Result<M>;
    }
    const fromBody = apiErrorFromBody(body);
    const code = httpErrorCode(response.status);
    if (code === 'unauthorized') throw new ApiError(code, fromBody?.message ?? unauthorizedHint);
    if (fromBody) throw fromBody;
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    throw new ApiError(code, `The backend answered ${method} with HTTP ${status}${text && !parsed ? `: ${text.slice(0, 200)}` : ''}.`);
  }

  droppedFilePath(file: File, onProgress: (sent: number, total: number) => void, signal: AbortSignal): Promise<string> {
    const Xhr = this.env.XMLHttpRequest;
    if (!Xhr) return Promise.reject(new ApiError('unavailable', 'this browser cannot upload files; type the path instead'));
    return new Promise((resolve, reject) => {
      const xhr = new Xhr();
      xhr.open('PUT', `/upload/${encodeURIComponent(file.name)}`);
      xhr.withCredentials = true;
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onload = () => {
        let body: unknown = undefined;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // handled below
        }
        if (xhr.status === 200 && typeof (body as { path?: unknown } | undefined)?.path === 'string') return resolve((body as { path: string }).path);
        reject(apiErrorFromBody(body) ?? new ApiError(httpErrorCode(xhr.status), `The backend answered the upload of ${file.name} with HTTP ${xhr.status}.`));
      };
      xhr.onerror = () => reject(new ApiError('network', `The upload of ${file.name} failed: cannot reach the FFN Lab backend. Is it still running?`));
      xhr.onabort = () => reject(new ApiError('cancelled', `The upload of ${file.name} was cancelled; nothing was kept.`));
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
      if (signal.aborted) xhr.abort();
      else xhr.send(file);
    });
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.eventListeners.add(listener);
    this.start();
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state);
    this.start();
    return () => {
      this.connectionListeners.delete(listener);
    };
  }

  reconnectNow(): void {
    if (this.socket || !this.started) return;
    if (this.retryTimer !== null) this.env.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of [...this.connectionListeners]) listener(state);
  }

  private connect(): void {
    const scheme = this.env.location.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket: WebSocket;
    try {
      socket = new this.env.WebSocket(`${scheme}//${this.env.location.host}/ws`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.failures = 0;
      this.setState('open');
    };
    socket.onmessage = (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = parseApiEvent(raw);
      if (!event) return;
      for (const listener of [...this.eventListeners]) listener(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.failures += 1;
    this.setState('closed');
    this.retryTimer = this.env.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, reconnectDelayMs(this.failures));
  }
}

/** The client for wherever the renderer runs: Electron when the preload exposed window.lab. */
export function createApiClient(): ApiClient {
  const bridge = (window as Window & { lab?: LabBridge }).lab;
  if (bridge) return new ElectronClient(bridge);
  return new BrowserClient({
    fetch: (input, init) => window.fetch(input, init),
    WebSocket: window.WebSocket,
    location: window.location,
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    XMLHttpRequest: window.XMLHttpRequest,
  });
}

export { ApiError } from './errors';
