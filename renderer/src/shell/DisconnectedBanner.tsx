import { useApi } from '../api/ApiContext';

/** Shown while the event channel to the backend is down; the client keeps retrying with back-off. */
export function DisconnectedBanner() {
  const api = useApi();
  return (
    <div className="banner banner-warning" role="alert" data-testid="disconnected-banner">
      <span>
        <strong>Disconnected from the backend.</strong> Live updates are paused; reconnecting automatically…
      </span>
      <button type="button" className="button button-small" onClick={() => api.reconnectNow()}>
        Retry now
      </button>
    </div>
  );
}
