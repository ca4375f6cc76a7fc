import { useEffect, useRef, useState } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { JobItem } from './JobItem';
import { useJobs } from './JobsStore';
import { isActive, limitSettled, orderJobs } from './order';

const collapsedKey = 'ffn-lab.jobs-collapsed';
const recentSettled = 5;

function readCollapsed(): boolean {
  try {
    return window.localStorage.getItem(collapsedKey) === 'true';
  } catch {
    return false;
  }
}

/** The dock at the bottom: every job, running ones first, live from `job` events. */
export function JobsPanel() {
  const { jobs, loaded, error, reload } = useJobs();
  const [collapsed, setCollapsed] = useState(readCollapsed);
  const [showAll, setShowAll] = useState(false);
  const ordered = orderJobs(jobs);
  const { visible, hidden } = showAll ? { visible: ordered, hidden: 0 } : limitSettled(ordered, recentSettled);
  const running = jobs.filter((job) => job.state === 'running').length;
  const queued = jobs.filter((job) => job.state === 'queued').length;
  const attention = jobs.filter((job) => job.state === 'failed' || job.state === 'interrupted').length;

  // A job that starts while the dock is collapsed opens it, so its progress is visible.
  const known = useRef<Set<number> | null>(null);
  useEffect(() => {
    if (!loaded) return;
    const ids = new Set(jobs.map((job) => job.id));
    const previous = known.current;
    known.current = ids;
    if (previous && jobs.some((job) => !previous.has(job.id) && isActive(job))) setCollapsed(false);
  }, [jobs, loaded]);

  const toggle = () => {
    const next = !collapsed;
    setCollapsed(next);
    try {
      window.localStorage.setItem(collapsedKey, String(next));
    } catch {
      // storage unavailable: the choice lasts for this session only
    }
  };

  const summary = [
    running > 0 ? `${running} running` : null,
    queued > 0 ? `${queued} queued` : null,
    attention > 0 ? `${attention} need${attention === 1 ? 's' : ''} attention` : null,
  ].filter((part): part is string => part !== null);

  return (
    <section className={`jobs-panel${collapsed ? ' is-collapsed' : ''}`} data-testid="jobs-panel" aria-labelledby="jobs-panel-title">
      <div className="jobs-panel-head">
        <button type="button" className="jobs-panel-toggle" aria-expanded={!collapsed} aria-controls="jobs-panel-body" data-testid="jobs-toggle" onClick={toggle}>
          <span className="chevron" aria-hidden="true" />
          <span id="jobs-panel-title" className="jobs-panel-title">
            Jobs
          </span>
          <span className="jobs-panel-summary" data-testid="jobs-summary">
            {summary.length > 0 ? summary.join(' · ') : jobs.length > 0 ? 'all finished' : 'none'}
          </span>
        </button>
      </div>
      <div id="jobs-panel-body" className="jobs-panel-body" hidden={collapsed}>
        {error && <ErrorAlert message={`Could not load jobs: ${error}`} onRetry={reload} />}
        {loaded && !error && ordered.length === 0 && (
          <p className="jobs-empty">No jobs yet. Long work (importing a corpus, and later scans, captures and ablations) runs here, with progress, cancel and resume.</p>
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
