import { describe, expect, it } from 'vitest';
import type { ApiEvent, LabBridge } from './contract';
import { ApiError, BrowserClient, ElectronClient, reconnectDelayMs, type BrowserEnvironment, type ConnectionState } from './client';

interface Request {
  url: string;
  init: RequestInit | undefined;
}

class FakeSocket {
  static instances: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((message: MessageEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  receive(data: unknown): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent);
  }
}

function browser(respond: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const timers: Array<{ callback: () => void; ms: number }> = [];
  FakeSocket.instances = [];
  const env: BrowserEnvironment = {
    fetch: async (input, init) => {
      const request = { url: String(input), init };
      requests.push(request);
      return respond(request);
    },
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    location: { protocol: 'http:', host: '127.0.0.1:4321' },
    setTimeout: (callback, ms) => timers.push({ callback, ms }),
    clearTimeout: () => {},
  };
  return { client: new BrowserClient(env), requests, timers };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('BrowserClient.call', () => {
  it('POSTs the params as JSON to /api/<method> with the session cookie and returns the result', async () => {
    const { client, requests } = browser(() => json(200, { deleted: true }));
    await expect(client.call('corpus.delete', { id: 3 })).resolves.toEqual({ deleted: true });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe('/api/corpus.delete');
    expect(request?.init?.method).toBe('POST');
    expect(request?.init?.credentials).toBe('same-origin');
    expect(request?.init?.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(request?.init?.body).toBe('{"id":3}');
  });

  it('throws the backend error body as an ApiError', async () => {
    const { client } = browser(() => json(404, { error: { code: 'not-found', message: 'no corpus 3' } }));
    const error = await client.call('corpus.get', { id: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not-found', message: 'no corpus 3' });
  });

  it('marks a refused session as unauthorized', async () => {
    const { client } = browser(() => json(401, { error: { code: 'bad-request', message: 'missing or wrong token' } }));
    await expect(client.call('corpus.list', {})).rejects.toMatchObject({ code: 'unauthorized', message: 'missing or wrong token' });
  });

  it('explains non-JSON failures and unreachable backends', async () => {
    const { client } = browser(() => new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' }));
    await expect(client.call('corpus.list', {})).rejects.toMatchObject({ code: 'unavailable', message: 'The backend answered corpus.list with HTTP 502 Bad Gateway: Bad Gateway.' });
    const down = browser(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(down.client.call('corpus.list', {})).rejects.toMatchObject({ code: 'network' });
  });
});

describe('BrowserClient events', () => {
  it('delivers events from /ws, drops malformed ones, and reconnects with back-off', () => {
    const { client, timers } = browser(() => json(200, null));
    const events: ApiEvent[] = [];
    const states: ConnectionState[] = [];
    client.onConnection((state) => states.push(state));
    client.subscribe((event) => events.push(event));
    expect(FakeSocket.instances).toHaveLength(1);
    const socket = FakeSocket.instances[0];
    expect(socket?.url).toBe('ws://127.0.0.1:4321/ws');
    socket?.onopen?.();
    socket?.receive({ type: 'corpora-changed' });
    socket?.receive('not json');
    socket?.receive({ type: 'something-newer' });
    expect(events).toEqual([{ type: 'corpora-changed' }]);

    socket?.onclose?.();
    expect(states).toEqual(['connecting', 'open', 'closed']);
    expect(timers.map((t) => t.ms)).toEqual([500]);
    timers[0]?.callback();
    FakeSocket.instances[1]?.onclose?.();
    expect(timers.map((t) => t.ms)).toEqual([500, 1000]);
    timers[1]?.callback();
    FakeSocket.instances[2]?.onopen?.();
    expect(states).toEqual(['connecting', 'open', 'closed', 'open']);
  });

  it('caps the back-off at 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
});

describe('ElectronClient', () => {
  const bridge = (rejection: unknown, path = ''): LabBridge => ({
    invoke: () => Promise.reject(rejection),
    onEvent: () => () => {},
    pathForFile: () => path,
  });

  it('keeps the code of a plain error body', async () => {
    const client = new ElectronClient(bridge({ ok: false, error: { code: 'conflict', message: 'job 4 is running' } }));
    await expect(client.call('jobs.resume', { id: 4 })).rejects.toMatchObject({ code: 'conflict', message: 'job 4 is running' });
  });

  it('strips the IPC prefix from an Error message', async () => {
    const client = new ElectronClient(bridge(new Error("Error invoking remote method 'lab:invoke': Error: /x does not exist")));
    await expect(client.call('corpus.list', {})).rejects.toMatchObject({ code: 'internal', message: '/x does not exist' });
  });

  it('reads a dropped file where it is, and says so when it has no path on disk', async () => {
    const file = new File([new Uint8Array(4)], 'model.gguf');
    await expect(new ElectronClient(bridge(null, '/models/model.gguf')).droppedFilePath(file)).resolves.toBe('/models/model.gguf');
    await expect(new ElectronClient(bridge(null)).droppedFilePath(file)).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('"model.gguf" has no path on this computer') });
  });

  it('passes events through and results back', async () => {
    let emit: (event: unknown) => void = () => {};
    const client = new ElectronClient({
      invoke: async (method, params) => ({ method, params }),
      onEvent: (listener) => {
        emit = listener;
        return () => {};
      },
      pathForFile: () => '',
    });
    const events: ApiEvent[] = [];
    client.subscribe((event) => events.push(event));
    emit({ type: 'corpora-changed' });
    emit({ type: 'job' });
    expect(events).toEqual([{ type: 'corpora-changed' }]);
    await expect(client.call('corpus.get', { id: 1 })).resolves.toEqual({ method: 'corpus.get', params: { id: 1 } });
  });
});
