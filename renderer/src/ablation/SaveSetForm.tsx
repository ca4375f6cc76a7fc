import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { NeuronRef } from '../api/contract';
import { errorMessage } from '../api/errors';
import { formatCount } from '../format';

/**
 * "Save as neuron set…": asks for a name, then sets.create with these exact neurons and where they
 * came from. Escape backs out; the backend's message (e.g. a name already taken) shows beside it.
 */
export function SaveSetForm({ modelId, neurons, defaultName, origin, testId, label = 'Save as set…' }: { modelId: number; neurons: readonly NeuronRef[]; defaultName: string; origin: unknown; testId: string; label?: string }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(defaultName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const set = await api.call('sets.create', { modelId, name: name.trim(), neurons: [...neurons], origin });
      setSaved(`Saved “${set.name}” (${formatCount(set.neurons.length)} neurons).`);
      setOpen(false);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <span className="save-set">
        <button type="button" className="button button-small" data-testid={testId} disabled={neurons.length === 0} onClick={() => { setOpen(true); setSaved(null); }}>
          {label}
        </button>
        {saved && <span className="muted" role="status" data-testid={`${testId}-saved`}>{saved}</span>}
      </span>
    );
  }
  return (
    <form className="save-set" onSubmit={(e) => void save(e)} onKeyDown={(e) => e.key === 'Escape' && !busy && setOpen(false)}>
      <input className="input" aria-label="Name of the neuron set" data-testid={`${testId}-name`} value={name} autoFocus onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button button-small button-primary" data-testid={`${testId}-confirm`} disabled={busy || name.trim() === ''}>
        {busy ? 'Saving…' : `Save ${formatCount(neurons.length)} neurons`}
      </button>
      <button type="button" className="button button-small" disabled={busy} onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && <span className="error-text" role="alert" data-testid={`${testId}-error`}>{error}</span>}
    </form>
  );
}
