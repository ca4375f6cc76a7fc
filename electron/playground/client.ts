// The owner's side of the playground: one long-lived worker process (the job worker in serve
// mode) started on the first request, so onnxruntime's blocking run() never holds up the process
// that owns the window. A worker that dies fails its pending requests and is started again next time.
import { ApiError } from '../errors.js';
import type { SpawnWorker, WorkerHandle } from '../jobs/protocol.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class PlaygroundClient {
  private worker: WorkerHandle | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly spawn: SpawnWorker,
    private readonly databasePath: string,
  ) {}

  request(body: unknown): Promise<unknown> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.send({ type: 'request', id, databasePath: this.databasePath, body });
    });
  }

  close(): void {
    this.worker?.kill();
    this.worker = undefined;
  }

  private ensureWorker(): WorkerHandle {
    if (this.worker) return this.worker;
    const w = this.spawn();
    w.onMessage((m) => {
      if (m.type !== 'reply') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new ApiError('bad-request', m.error));
      else p.resolve(m.result);
    });
    w.onExit((code, signal) => {
      if (this.worker === w) this.worker = undefined;
      const why = new ApiError('internal', `the playground's inference process stopped (${signal ?? `exit code ${code}`}); try again`);
      for (const p of this.pending.values()) p.reject(why);
      this.pending.clear();
    });
    this.worker = w;
    return w;
  }
}
