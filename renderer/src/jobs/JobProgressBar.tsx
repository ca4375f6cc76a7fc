import type { Job } from '../api/contract';

/**
 * A native <progress>: determinate when the total is known, indeterminate otherwise (animated
 * only while the job runs). A finished job with no known total shows a full bar.
 */
export function JobProgressBar({ job }: { job: Job }) {
  const { done, total } = job.progress;
  const label = `Progress of ${job.title}`;
  if (total !== null && total > 0) {
    const value = Math.min(done, total);
    return <progress className="job-progress" data-testid="job-progress" aria-label={label} value={value} max={total} aria-valuenow={value} aria-valuemin={0} aria-valuemax={total} />;
  }
  if (job.state === 'done') {
    return <progress className="job-progress" data-testid="job-progress" aria-label={label} value={1} max={1} aria-valuenow={1} aria-valuemin={0} aria-valuemax={1} />;
  }
  return <progress className="job-progress" data-testid="job-progress" aria-label={label} aria-busy={job.state === 'running'} />;
}
