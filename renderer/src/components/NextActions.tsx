import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { navigate } from '../routing/useHashRoute';
import '../styles/workstation.css';

/** A next step from a result: a link, or an action that prepares something and then goes there. */
export type NextAction = { label: string; testId: string; title?: string } & ({ href: string } | { run: () => Promise<string> });

/** "Next": the questions a result page leads to, as links (small, in the page header's action slot). */
export function NextActions({ actions }: { actions: readonly NextAction[] }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (actions.length === 0) return null;
  const go = async (action: NextAction & { run: () => Promise<string> }) => {
    setBusy(action.testId);
    setError(null);
    try {
      navigate(await action.run());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <nav className="next-actions" aria-label="Next steps" data-testid="next-actions">
      <span className="next-actions-title">Next</span>
      {actions.map((a) =>
        'href' in a ? (
          <a key={a.testId} className="button button-small" href={a.href} data-testid={a.testId} title={a.title}>
            {a.label}
          </a>
        ) : (
          <button key={a.testId} type="button" className="button button-small" disabled={busy !== null} onClick={() => void go(a)} data-testid={a.testId} title={a.title}>
            {busy === a.testId ? 'Preparing…' : a.label}
          </button>
        ),
      )}
      {error && (
        <span className="next-actions-error" role="alert" data-testid="next-actions-error">
          {error}
        </span>
      )}
    </nav>
  );
}
