import type { AppInfo } from '../api/contract';
import type { ConnectionState } from '../api/client';
import { JobsIndicator } from '../jobs/JobsIndicator';

const connectionText: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  closed: 'Disconnected',
};

/** The bottom line: connection, shell, where the data lives, and the jobs indicator. */
export function StatusBar({ info, infoError, connection }: { info: AppInfo | undefined; infoError: string | null; connection: ConnectionState }) {
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={`status-connection status-${connection}`} data-testid="connection-state" data-state={connection}>
        <span className="status-dot" aria-hidden="true" />
        {connectionText[connection]}
      </span>
      {info && (
        <>
          <span data-testid="app-shell">{info.shell === 'electron' ? 'Desktop app' : 'Browser mode'}</span>
          <span className="status-path" data-testid="data-dir" title={`Database: ${info.databasePath}`}>
            Data folder: <span className="mono">{info.dataDir}</span>
          </span>
        </>
      )}
      {!info && infoError && <span className="status-error">Backend info unavailable: {infoError}</span>}
      <span className="status-spacer" />
      <JobsIndicator />
      <span className="status-help muted" title="Keyboard shortcuts">
        <kbd>?</kbd> shortcuts
      </span>
    </footer>
  );
}
