import { useJobsDrawer } from './JobsDrawerState';
import '../styles/workstation.css';

/** The status bar's jobs indicator: what runs, unread failures, or "n finished"; opens and closes the drawer (also the j key). */
export function JobsIndicator() {
  const { open, toggle, summary } = useJobsDrawer();
  return (
    <button
      type="button"
      className={`jobs-indicator jobs-indicator-${summary.tone}`}
      aria-expanded={open}
      aria-controls="jobs-drawer"
      aria-keyshortcuts="j"
      title={`${open ? 'Close' : 'Open'} the jobs drawer (j)`}
      data-testid="jobs-indicator"
      data-tone={summary.tone}
      onClick={toggle}
    >
      {summary.tone === 'busy' && <span className="jobs-indicator-spinner" aria-hidden="true" />}
      <span className="jobs-indicator-label">Jobs</span>
      <span data-testid="jobs-summary">{summary.text}</span>
    </button>
  );
}
