import { useState } from 'react';
import type { Model } from './types';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';

/** Delete with a confirm step; `onDeleted` runs after the backend confirmed. The files stay on disk. */
export function DeleteModelButton({ model, onDeleted }: { model: Model; onDeleted: () => void }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await api.call('model.delete', { id: model.id });
      onDeleted();
    } catch (failure) {
      setError(errorMessage(failure));
      setDeleting(false);
    }
  };

  if (!confirming) {
    return (
      <button type="button" className="button button-danger-ghost" data-testid="model-delete" onClick={() => setConfirming(true)}>
        Delete model…
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
      <span className="confirm-text">Remove “{model.name}” from FFN Lab? The checkpoint files on disk are not touched; you can import them again.</span>
      <button type="button" className="button button-danger" data-testid="model-delete-confirm" autoFocus disabled={deleting} onClick={() => void remove()}>
        {deleting ? 'Deleting…' : 'Delete'}
      </button>
      <button type="button" className="button" data-testid="model-delete-cancel" disabled={deleting} onClick={() => setConfirming(false)}>
        Keep it
      </button>
      {error && <ErrorAlert message={error} testId="model-delete-error" />}
    </div>
  );
}
