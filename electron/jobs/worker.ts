// The job worker: a separate process (a Node child process, or an Electron utilityProcess)
// that runs one job and exits. It may crash, run out of memory or be killed on cancel without
// taking the app down; its writes are transactions, so a kill leaves the database consistent.
import path from 'node:path';
import { openDatabase, type Db } from '../../db/database.js';
import { finishJob, getJob, saveProgress } from '../../db/jobs.js';
import { definitionOf } from './kinds.js';
import { JobInputError } from './definition.js';
import type { OwnerMessage, ServeRequest, StartMessage, WorkerMessage } from './protocol.js';
import { ContextActivationsRequest, LensRequest, PatchRequest, PlaygroundRequest } from '../api.js';
import { contextActivations } from '../neuron-context-activations.js';
import { runLensRequest, runPatchRequest } from '../patching/service.js';
import { runPlayground } from '../playground/run.js';
import { jobRuns } from './runs.js';
import { userMessage } from '../errors.js';

/** Progress messages more often than this only cost the owner work. */
const PROGRESS_INTERVAL_MS = 100;

interface Channel {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: OwnerMessage) => void): void;
}

function channel(): Channel {
  const parentPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void } }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data as OwnerMessage)),
    };
  }
  if (!process.send) throw new Error('job-worker must be started as a child process with an IPC channel');
  return {
    send: (m) => process.send!(m),
    onMessage: (l) => process.on('message', (m) => l(m as OwnerMessage)),
  };
}

async function runJob(start: StartMessage, send: (m: WorkerMessage) => void): Promise<void> {
  let db: Db | undefined;
  try {
    db = openDatabase(start.databasePath);
    const job = getJob(db, start.jobId);
    if (!job) throw new JobInputError(`job ${start.jobId} does not exist in ${start.databasePath}`);
    const definition = definitionOf(job.kind);
    const run = (jobRuns as Record<string, ((ctx: never) => unknown) | undefined>)[job.kind];
    if (!definition || !run) throw new JobInputError(`unknown job kind "${job.kind}"`);
    const params = definition.params.parse(job.params);
    let lastSent = 0;
    const jobDb = db;
    const result = await run({
      db,
      jobId: job.id,
      params,
      resume: start.resume,
      dataDir: path.dirname(start.databasePath),
      progress: (done: number, total: number | null, unit: string, message: string | null = null) => {
        // Jobs run synchronous loops that never yield to IPC events, so check here, between
        // committed steps, whether the owner died: an orphan must not go on writing (a restarted
        // app shows the job interrupted and may resume it).
        if (process.ppid !== parentPid) process.exit(1);
        const t = Date.now();
        if (t - lastSent < PROGRESS_INTERVAL_MS && done !== total && message === null) return;
        lastSent = t;
        // Saved here, not by the owner: what a crash leaves in the row matches what was committed.
        saveProgress(jobDb, job.id, { done, total, unit, message });
        send({ type: 'progress', done, total, unit, message });
      },
    } as never);
    // Recorded by the worker itself, so a job whose owner dies at this moment is not taken for interrupted.
    finishJob(db, job.id, 'done', { result });
    send({ type: 'done', result });
  } catch (err) {
    send({ type: 'failed', error: userMessage(err) });
  } finally {
    db?.close();
  }
}

// Serve mode: requests run one at a time on one database connection and warm sessions.
let served: { db: Db; queue: Promise<void> } | undefined;
function serve(req: ServeRequest, send: (m: WorkerMessage) => void): void {
  if (!served) {
    served = { db: openDatabase(req.databasePath), queue: Promise.resolve() };
    // an orphaned server has nobody to answer: leave with the owner
    setInterval(() => process.ppid !== parentPid && process.exit(1), 1000);
  }
  const s = served;
  s.queue = s.queue.then(async () => {
    try {
      const dataDir = path.dirname(req.databasePath);
      // patching, the residual lens and neurons' whole contexts share the warm worker with the playground ({patch} / {lens} / {contextActivations} bodies)
      const body = req.body as { patch?: unknown; lens?: unknown; contextActivations?: unknown };
      const result =
        body.contextActivations !== undefined
          ? await contextActivations(s.db, dataDir, ContextActivationsRequest.parse(body.contextActivations))
          : body.patch !== undefined
            ? await runPatchRequest(s.db, dataDir, PatchRequest.parse(body.patch))
            : body.lens !== undefined
              ? await runLensRequest(s.db, dataDir, LensRequest.parse(body.lens))
              : await runPlayground(s.db, dataDir, PlaygroundRequest.parse(req.body));
      send({ type: 'reply', id: req.id, result });
    } catch (err) {
      send({ type: 'reply', id: req.id, error: userMessage(err) });
    }
  });
}

const parentPid = process.ppid;
const ch = channel();
ch.onMessage((message) => {
  if (message.type === 'request') return serve(message, ch.send);
  void runJob(message, ch.send).then(() => {
    // Let the last message flush before exiting.
    setTimeout(() => process.exit(0), 20);
  });
});
