// One line of job progress for a terminal: "Import corpus brown  120 / 500 documents · 45 documents/s · ETA 0:08".
import type { Job } from './api.js';
import { formatProgress } from '../common/format.js';

export function formatProgressLine(job: Job): string {
  const message = job.progress.message ? `  (${job.progress.message})` : '';
  return `${job.title}  ${formatProgress(job.progress, job.state === 'running')}${message}`;
}
