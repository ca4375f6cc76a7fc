// Messages between the process that owns a job (app or CLI) and the job's worker process.
// The worker is told only the job id and the database path: the job row holds the params.

export interface StartMessage {
  type: 'start';
  jobId: number;
  databasePath: string;
  /** true when continuing an interrupted job from its last committed step */
  resume: boolean;
}

/**
 * The same worker can instead serve interactive requests (the ablation playground): it stays up,
 * keeps its sessions warm and answers each request with a reply of the same id.
 */
export interface ServeRequest {
  type: 'request';
  id: number;
  databasePath: string;
  body: unknown;
}

export type OwnerMessage = StartMessage | ServeRequest;

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; unit: string; message: string | null }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: string }
  | { type: 'reply'; id: number; result?: unknown; error?: string };

/** The owner's view of a worker, the same for a Node child process and an Electron utilityProcess. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: OwnerMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** called once when the process has exited, whatever the reason */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** ends the process at once (SIGKILL where there are signals): cancel must always work */
  kill(): void;
}

export type SpawnWorker = () => WorkerHandle;

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'progress' || type === 'done' || type === 'failed' || type === 'reply';
}
