// Headless job running for the command-line shells (cli.ts, demo/): progress on stderr, Ctrl-C
// cancels the job cleanly.
import type { Job } from './api.js';
import type { Backend } from './backend.js';
import { formatProgressLine } from './progress-line.js';

/** Runs a job to its end, drawing progress on stderr; Ctrl-C cancels it cleanly. */
export async function runToEnd(backend: Backend, job: Job): Promise<Job> {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const off = backend.onEvent((e) => {
    if (e.type !== 'job' || e.job.id !== job.id || e.job.state !== 'running') return;
    const line = formatProgressLine(e.job);
    if (tty) process.stderr.write(`\r${line.padEnd(79)}`);
    else if (Date.now() - lastLine > 2000) {
      process.stderr.write(`${line}\n`);
      lastLine = Date.now();
    }
  });
  const onInt = () => {
    process.stderr.write('\ncancelling…\n');
    backend.jobs.cancel(job.id);
  };
  process.once('SIGINT', onInt);
  const final = await backend.jobs.waitFor(job.id);
  process.off('SIGINT', onInt);
  off();
  if (tty) process.stderr.write('\n');
  return final;
}

export function finished(final: Job): Job {
  if (final.state !== 'done') throw new Error(`job ${final.id} ${final.state}: ${final.error ?? 'no reason given'}`);
  return final;
}

