// Job workers as Node child processes (browser mode and the CLI).
import { fork } from 'node:child_process';
import { isWorkerMessage, type SpawnWorker } from './protocol.js';

/** `workerScript`: the built worker bundle (dist/electron/job-worker.js). */
export function nodeWorkerSpawner(workerScript: string): SpawnWorker {
  return () => {
    const child = fork(workerScript, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return {
      pid: child.pid,
      // a worker that has just died: the send fails (EPIPE) before its 'exit' arrives; with a callback
      // that is not an unhandled 'error' event, and onExit fails the requests it had
      send: (m) => child.send(m, () => undefined),
      onMessage: (l) => child.on('message', (m) => isWorkerMessage(m) && l(m)),
      onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
