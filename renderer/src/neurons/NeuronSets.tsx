import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { NeuronSet } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { describeLayers, difference, union } from '../ablation/neurons';
import { ConfirmDeleteButton } from '../components/ConfirmDeleteButton';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';

type Op = 'union' | 'difference';

/** A new set from two saved ones, A ∪ B or A − B, computed here and saved with sets.create. */
function SetAlgebra({ modelId, sets }: { modelId: number; sets: readonly NeuronSet[] }) {
  const api = useApi();
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [op, setOp] = useState<Op>('union');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const first = sets.find((s) => String(s.id) === a) ?? sets[0];
  const second = sets.find((s) => String(s.id) === b) ?? sets[1] ?? sets[0];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!first || !second) return;
    const neurons = op === 'union' ? union(first.neurons, second.neurons) : difference(first.neurons, second.neurons);
    const named = name.trim() || `${first.name} ${op === 'union' ? '∪' : '−'} ${second.name}`;
    try {
      const made = await api.call('sets.create', { modelId, name: named, neurons, origin: { kind: op, of: [first.id, second.id] } });
      setMessage({ error: false, text: `Saved “${made.name}” (${formatCount(made.neurons.length)} neurons).` });
      setName('');
    } catch (failure) {
      setMessage({ error: true, text: errorMessage(failure) });
    }
  };
  const select = (value: string, onChange: (v: string) => void, label: string, testId: string) => (
    <select className="input" aria-label={label} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
      {sets.map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </select>
  );
  return (
    <form className="set-algebra" onSubmit={(e) => void submit(e)} data-testid="set-algebra">
      {select(String(first?.id ?? ''), setA, 'First set', 'set-a')}
      <select className="input" aria-label="Operation" data-testid="set-op" value={op} onChange={(e) => setOp(e.target.value as Op)}>
        <option value="union">∪ union</option>
        <option value="difference">− minus</option>
      </select>
      {select(String(second?.id ?? ''), setB, 'Second set', 'set-b')}
      <input className="input" aria-label="Name of the new set" placeholder="Name (optional)" data-testid="set-algebra-name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button button-small" data-testid="set-algebra-save" disabled={sets.length === 0}>
        Save the new set
      </button>
      {message && <span className={message.error ? 'error-text' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="set-algebra-message">{message.text}</span>}
    </form>
  );
}

/** The saved neuron sets of a model: name, size, per-layer counts, delete; and union / difference of two. */
export function NeuronSets({ modelId, layers }: { modelId: number; layers: number | null }) {
  const api = useApi();
  const sets = useQuery(`sets:${modelId}`, () => api.call('sets.list', { modelId }));
  useChanges('sets-changed', sets.reload);
  const columns: readonly Column<NeuronSet>[] = [
    { header: 'Name', cell: (s) => s.name },
    { header: 'Neurons', headerClass: 'num', cellClass: 'num', cell: (s) => formatCount(s.neurons.length) },
    { header: 'Per layer', cell: (s) => describeLayers(s.neurons, layers) },
    { header: 'Created', cellClass: 'nowrap', cell: (s) => formatDateTime(s.createdAt) },
    {
      header: '',
      cell: (s) => (
        <a href={hrefFor('ablation', 'playground', modelId, 'set', s.id)} data-testid={`set-playground-${s.id}`}>
          Try in the playground
        </a>
      ),
    },
    { header: '', cell: (s) => <ConfirmDeleteButton testIdPrefix="set" label="Delete…" question={`Delete the set “${s.name}”?`} remove={() => api.call('sets.delete', { id: s.id })} onDeleted={sets.reload} /> },
  ];
  return (
    <section className="neuron-section" aria-labelledby="sets-title" data-testid="neuron-sets">
      <div className="section-head">
        <h2 id="sets-title" className="section-title">
          Neuron sets of this model
        </h2>
        {sets.data && <span className="muted">{sets.data.length === 1 ? '1 set' : `${sets.data.length} sets`}</span>}
      </div>
      {sets.error && <ErrorAlert message={`Could not load the neuron sets: ${sets.error.message}`} onRetry={sets.reload} />}
      {sets.data && sets.data.length === 0 && <p className="hint">No saved sets yet: tick neurons in the table above and save them, or save a condition of an ablation run.</p>}
      {sets.data && sets.data.length > 0 && (
        <>
          <DataTable testId="set-table" columns={columns} rows={sets.data} rowTestId="set-row" idAttribute="data-set-id" />
          <SetAlgebra modelId={modelId} sets={sets.data} />
        </>
      )}
    </section>
  );
}
