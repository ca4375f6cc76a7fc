import { useState } from 'react';
import type { Job } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { isActive, isResumable } from './order';
import { useJobs } from './JobsStore';

type Action = 'jobs.cancel' | 'jobs.resume' | 'jobs.discard';

/** Cancel while queued or running; Resume or Discard once interrupted or failed. */
export function JobActions({ job }: { job: Job }) {
  const api = useApi();
  const { upsert } = useJobs();
  const [pending, setPending] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: Action) => {
    setPending(action);
    setError(null);
    try {
      const { job: updated } = await api.call(action, { id: job.id });
      upsert(updated);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setPending(null);
    }
  };

  const active = isActive(job);
  const resumable = isResumable(job);
  if (!active && !resumable && !error) return null;
  return (
    <div className="job-actions">
      {error && (
        <span className="job-action-error" role="alert" data-testid="job-action-error">
          {error}
        </span>
      )}
      {active && (
        <button type="button" className="button button-small" data-testid="job-cancel" disabled={pending !== null} onClick={() => void run('jobs.cancel')}>
          {pending === 'jobs.cancel' ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {resumable && (
        <>
          <button type="button" className="button button-small button-primary" data-testid="job-resume" disabled={pending !== null} onClick={() => void run('jobs.resume')}>
            {/* a failed run left nothing behind, so "resume" starts it again (after the input is fixed) */}
            {job.state === 'failed' ? (pending === 'jobs.resume' ? 'Retrying…' : 'Retry') : pending === 'jobs.resume' ? 'Resuming…' : 'Resume'}
          </button>
          <button
            type="button"
            className="button button-small"
            data-testid="job-discard"
            title="Give up on this job and remove what it wrote so far"
            disabled={pending !== null}
            onClick={() => void run('jobs.discard')}
          >
            {pending === 'jobs.discard' ? 'Discarding…' : 'Discard'}
          </button>
        </>
      )}
    </div>
  );
}
