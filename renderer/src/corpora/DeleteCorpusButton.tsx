import { useState } from 'react';
import type { Corpus } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatCount } from '../format';

/** Delete with a confirm step; `onDeleted` runs after the backend confirmed. */
export function DeleteCorpusButton({ corpus, onDeleted }: { corpus: Corpus; onDeleted: () => void }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await api.call('corpus.delete', { id: corpus.id });
      onDeleted();
    } catch (failure) {
      setError(errorMessage(failure));
      setDeleting(false);
    }
  };

  if (!confirming) {
    return (
      <button type="button" className="button button-danger-ghost" data-testid="corpus-delete" onClick={() => setConfirming(true)}>
        Delete corpus…
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
      <span className="confirm-text">
        Delete “{corpus.name}” and its {formatCount(corpus.documents)} documents? This cannot be undone.
      </span>
      <button type="button" className="button button-danger" data-testid="corpus-delete-confirm" autoFocus disabled={deleting} onClick={() => void remove()}>
        {deleting ? 'Deleting…' : 'Delete'}
      </button>
      <button type="button" className="button" data-testid="corpus-delete-cancel" disabled={deleting} onClick={() => setConfirming(false)}>
        Keep it
      </button>
      {error && <ErrorAlert message={error} testId="corpus-delete-error" />}
    </div>
  );
}
