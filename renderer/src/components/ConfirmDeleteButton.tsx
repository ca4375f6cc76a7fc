import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from './ErrorAlert';

interface Props {
  /** the testids: `${testIdPrefix}-delete`, `-delete-confirm`, `-delete-cancel` and `-delete-error` */
  testIdPrefix: string;
  /** the button's text, e.g. "Delete corpus…" */
  label: string;
  /** what the confirm step asks */
  question: ReactNode;
  /** the backend call that deletes */
  remove: () => Promise<unknown>;
  /** runs after the backend confirmed */
  onDeleted: () => void;
}

/** Delete with a confirm step; Escape (or "Keep it") backs out, a failure is shown beside the buttons. */
export function ConfirmDeleteButton({ testIdPrefix, label, question, remove, onDeleted }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setDeleting(true);
    setError(null);
    try {
      await remove();
      onDeleted();
    } catch (failure) {
      setError(errorMessage(failure));
      setDeleting(false);
    }
  };

  if (!confirming) {
    return (
      <button type="button" className="button button-danger-ghost" data-testid={`${testIdPrefix}-delete`} onClick={() => setConfirming(true)}>
        {label}
      </button>
    );
  }
  return (
    <div
      className="confirm"
      role="group"
      aria-label="Confirm deletion"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !deleting) setConfirming(false);
      }}
    >
      <span className="confirm-text">{question}</span>
      <button type="button" className="button button-danger" data-testid={`${testIdPrefix}-delete-confirm`} autoFocus disabled={deleting} onClick={() => void confirm()}>
        {deleting ? 'Deleting…' : 'Delete'}
      </button>
      <button type="button" className="button" data-testid={`${testIdPrefix}-delete-cancel`} disabled={deleting} onClick={() => setConfirming(false)}>
        Keep it
      </button>
      {error && <ErrorAlert message={error} testId={`${testIdPrefix}-delete-error`} />}
    </div>
  );
}
