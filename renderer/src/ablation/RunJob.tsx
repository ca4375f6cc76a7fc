import type { Job } from '../api/contract';
import { formatProgress } from '../format';
import { JobProgressBar } from '../jobs/JobProgressBar';
import { useJobs } from '../jobs/JobsStore';
import { hrefFor } from '../routing/route';

/** The stored run an ablate job made, once it is done. */
export function ablationOfJob(job: Job): number | null {
  const r = job.result as { ablation?: { id?: unknown } } | null;
  return typeof r?.ablation?.id === 'number' ? r.ablation.id : null;
}

/**
 * The live state of an ablate job this page started (the Jobs drawer (status bar, j) has it too, with cancel):
 * progress and ETA while it runs, the link to its result when done, its error when it failed.
 */
export function RunJob({ jobId, testId }: { jobId: number; testId: string }) {
  const job = useJobs().jobs.find((j) => j.id === jobId);
  if (!job) return null;
  const id = ablationOfJob(job);
  const active = job.state === 'running' || job.state === 'queued';
  return (
    <div className="run-job" role="status" data-testid={testId} data-state={job.state}>
      <div className="run-job-head">
        <span>{job.title}</span>
        <JobProgressBar job={job} />
      </div>
      <p className="hint">
        {active && (job.progress.unit ? formatProgress(job.progress, true) : 'starting…')}
        {active && job.progress.message && ` — ${job.progress.message}`}
        {job.state === 'done' && id !== null && (
          <a className="button button-primary button-small" href={hrefFor('ablation', id)} data-testid={`${testId}-open`}>
            Open the result
          </a>
        )}
        {job.state !== 'done' && !active && (job.error ?? `The job ended ${job.state}.`)}
      </p>
    </div>
  );
}
