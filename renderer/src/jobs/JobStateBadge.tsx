import type { JobState } from '../api/contract';

const labels: Record<JobState, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  discarded: 'Discarded',
};

export function JobStateBadge({ state }: { state: JobState }) {
  return (
    <span className={`badge badge-${state}`} data-testid="job-state">
      {labels[state]}
    </span>
  );
}
