// Job workers as Node child processes (browser mode and the CLI).
import { fork } from 'node:child_process';
import { isWorkerMessage, type SpawnWorker } from './protocol.js';

/** `workerScript`: the built worker bundle (dist/electron/job-worker.js). */
export function nodeWorkerSpawner(workerScript: string): SpawnWorker {
  return () => {
    const child = fork(workerScript, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return {
      pid: child.pid,
      send: (m) => child.send(m),
      onMessage: (l) => child.on('message', (m) => isWorkerMessage(m) && l(m)),
      onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
