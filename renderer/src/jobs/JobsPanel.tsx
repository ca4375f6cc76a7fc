import { useState } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { JobItem } from './JobItem';
import { useJobsDrawer } from './JobsDrawerState';
import { useJobs } from './JobsStore';
import { limitSettled, orderJobs } from './order';

const recentSettled = 5;

/**
 * The jobs drawer above the status bar: every job, running ones first, live from `job` events.
 * It opens while something runs or a failure is unread and closes when all is done (drawer.ts);
 * closed, its items stay in the page (hidden) so the indicator can say what they are.
 */
export function JobsPanel() {
  const { jobs, loaded, error, reload } = useJobs();
  const { open, setOpen, summary } = useJobsDrawer();
  const [showAll, setShowAll] = useState(false);
  const ordered = orderJobs(jobs);
  const { visible, hidden } = showAll ? { visible: ordered, hidden: 0 } : limitSettled(ordered, recentSettled);

  return (
    <section id="jobs-drawer" className={`jobs-panel${open ? '' : ' is-collapsed'}`} data-testid="jobs-panel" data-open={open} aria-labelledby="jobs-panel-title" hidden={!open}>
      <div className="jobs-panel-head">
        <span id="jobs-panel-title" className="jobs-panel-title">
          Jobs
        </span>
        <span className="jobs-panel-summary">{summary.text}</span>
        <button type="button" className="button button-small button-ghost jobs-close" data-testid="jobs-close" title="Close the jobs drawer (j)" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      <div id="jobs-panel-body" className="jobs-panel-body">
        {error && <ErrorAlert message={`Could not load jobs: ${error}`} onRetry={reload} />}
        {loaded && !error && ordered.length === 0 && (
          <p className="jobs-empty">No jobs yet. Long work (imports, weight scans, captures, ablations, projections) runs here, with progress, cancel and resume.</p>
        )}
        {visible.length > 0 && (
          <ul className="job-list" aria-live="polite" aria-relevant="additions">
            {visible.map((job) => (
              <JobItem key={job.id} job={job} />
            ))}
          </ul>
        )}
        {(hidden > 0 || showAll) && (
          <button type="button" className="button button-small button-ghost jobs-more" data-testid="jobs-show-all" onClick={() => setShowAll(!showAll)}>
            {showAll ? 'Show only recent jobs' : `Show ${hidden} older finished job${hidden === 1 ? '' : 's'}`}
          </button>
        )}
      </div>
    </section>
  );
}
