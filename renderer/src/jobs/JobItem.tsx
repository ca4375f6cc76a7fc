import type { Job } from '../api/contract';
import { formatDateTime, formatProgress, percentDone } from '../format';
import { JobActions } from './JobActions';
import { JobProgressBar } from './JobProgressBar';
import { JobStateBadge } from './JobStateBadge';
import { needsAttention } from './drawer';
import { useJobsDrawer } from './JobsDrawerState';
import { jobOutput } from './output';

function timeLine(job: Job): string {
  if (job.finishedAt) return `finished ${formatDateTime(job.finishedAt)}`;
  if (job.startedAt) return `started ${formatDateTime(job.startedAt)}`;
  return `queued ${formatDateTime(job.createdAt)}`;
}

export function JobItem({ job }: { job: Job }) {
  const drawer = useJobsDrawer();
  const output = jobOutput(job);
  const unread = needsAttention(job) && !drawer.isRead(job.id);
  const running = job.state === 'running';
  const percent = percentDone(job.progress.done, job.progress.total);
  // A job that never reported progress (failed at once, or still queued) has no amount to show.
  const reported = job.progress.unit !== '' || job.progress.done > 0 || job.progress.total !== null;
  const progressText = reported ? formatProgress(job.progress, running) : job.state === 'queued' ? 'waiting to start' : '';
  return (
    <li className="job" data-testid={`job-${job.id}`} data-state={job.state} data-unread={unread || undefined}>
      <div className="job-head">
        <span className="job-title" title={job.title}>
          {job.title}
        </span>
        <JobStateBadge state={job.state} />
        <JobActions job={job} />
      </div>
      <div className="job-bar-row">
        <JobProgressBar job={job} />
        <span className="job-percent" aria-hidden="true">
          {percent === null ? '' : `${Math.floor(percent)}%`}
        </span>
      </div>
      <div className="job-detail">
        <span className="job-progress-text" data-testid="job-progress-text">
          {progressText}
          {job.progress.message && running && <span className="job-message"> — {job.progress.message}</span>}
        </span>
        <span className="job-time">{timeLine(job)}</span>
      </div>
      {(output || unread) && (
        <div className="job-links">
          {output && (
            <a href={output.href} className="job-output" data-testid="job-output" data-kind={output.kind} data-id={output.id}>
              {output.label} ›
            </a>
          )}
          {unread && (
            <button type="button" className="button button-small button-ghost" data-testid="job-mark-read" title="Stop showing this failure in the status bar" onClick={() => drawer.markRead(job.id)}>
              Mark read
            </button>
          )}
        </div>
      )}
      {job.error && (
        // a cancel or discard the user asked for is a note, not an error
        <p className={job.state === 'cancelled' || job.state === 'discarded' ? 'job-error job-note' : 'job-error'} data-testid="job-error">
          {job.error}
        </p>
      )}
    </li>
  );
}
