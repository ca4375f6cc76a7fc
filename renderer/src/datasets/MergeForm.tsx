import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset } from '../api/contract';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/Field';
import { formatCount } from '../format';
import { hrefFor } from '../routing/route';

/**
 * "Merge captures": captures of one model over disjoint documents of one corpus become one (the
 * statistics are sums, counts, minima and maxima). Captures from another machine's database merge
 * from the command line (ffn-lab merge ... FILE.sqlite:ID).
 */
export function MergeForm({ datasets }: { datasets: readonly Dataset[] }) {
  const api = useApi();
  const [chosen, setChosen] = useState<number[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<Dataset | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setMade(null);
    if (chosen.length < 2) return setError('Choose at least two captures to merge.');
    if (name.trim() === '') return setError('Name the merged capture.');
    setBusy(true);
    try {
      setMade(await api.call('dataset.merge', { ids: chosen, name: name.trim() }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="merge-title" data-testid="merge-card">
      <h2 id="merge-title" className="card-title">
        Merge captures
      </h2>
      <p className="hint">
        Captures of one model over disjoint documents of one corpus add up to the capture of all of them. From another machine:{' '}
        <code>ffn-lab merge --name N ID FILE.sqlite:ID</code>.
      </p>
      <form className="merge-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="merge-sources" label="Captures (Ctrl/Shift-click for several)">
          <select
          id="merge-sources"
          className="input"
          multiple
          size={Math.min(6, Math.max(2, datasets.length))}
          data-testid="merge-sources"
          value={chosen.map(String)}
          onChange={(e) => setChosen(Array.from(e.target.selectedOptions, (o) => Number(o.value)))}
        >
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {`${d.name} (#${d.id}, ${formatCount(d.tokens)} tokens)`}
            </option>
          ))}
          </select>
        </Field>
        <Field id="merge-name" label="Name">
          <input id="merge-name" className="input" data-testid="merge-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="import-actions">
          <button type="submit" className="button button-primary" disabled={busy} data-testid="merge-start">
            {busy ? 'Merging…' : 'Merge'}
          </button>
        </div>
      </form>
      {error && <ErrorAlert message={error} testId="merge-error" />}
      {made && (
        <p className="notice" role="status" data-testid="merge-done">
          Merged into <a href={hrefFor('neurons', made.id)}>{made.name}</a>: {formatCount(made.tokens)} tokens.
        </p>
      )}
    </section>
  );
}
