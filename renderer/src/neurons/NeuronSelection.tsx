import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset, NeuronRef, Params } from '../api/contract';
import { errorMessage } from '../api/errors';
import { describeLayers, neuronLabel } from '../ablation/neurons';
import { SaveSetForm } from '../ablation/SaveSetForm';
import { formatCount } from '../format';

/** every match of a query (the list's own limit is only what the table shows) */
const ALL = 100_000_000;

export interface Selection {
  selected: ReadonlyMap<string, NeuronRef>;
  toggle: (n: NeuronRef) => void;
  add: (ns: readonly NeuronRef[]) => void;
  clear: () => void;
}

/** The rows ticked in the neuron table, kept across filter changes so a set can be built from several queries. */
export function useSelection(): Selection {
  const [selected, setSelected] = useState<ReadonlyMap<string, NeuronRef>>(new Map());
  return {
    selected,
    toggle: (n) =>
      setSelected((s) => {
        const next = new Map(s);
        if (next.has(neuronLabel(n))) next.delete(neuronLabel(n));
        else next.set(neuronLabel(n), { layer: n.layer, neuron: n.neuron });
        return next;
      }),
    add: (ns) => setSelected((s) => new Map([...s, ...ns.map((n): [string, NeuronRef] => [neuronLabel(n), { layer: n.layer, neuron: n.neuron }])])),
    clear: () => setSelected(new Map()),
  };
}

/** "Select all matching", the count and layers of what is ticked, and "Save as neuron set". */
export function SelectionBar({ dataset, layers, query, total, selection }: { dataset: Dataset; layers: number | null; query: Params<'neurons.list'>; total: number; selection: Selection }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const neurons = [...selection.selected.values()];
  const selectAll = async () => {
    setBusy(true);
    setError(null);
    try {
      const all = await api.call('neurons.list', { ...query, limit: ALL });
      selection.add(all.neurons);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  const { limit: _limit, ...filter } = query;
  return (
    <div className="selection-bar" data-testid="neuron-selection">
      <button type="button" className="button button-small" data-testid="select-all" disabled={busy || total === 0} onClick={() => void selectAll()}>
        {`Select all ${formatCount(total)} matching`}
      </button>
      <button type="button" className="button button-small" data-testid="select-clear" disabled={neurons.length === 0} onClick={selection.clear}>
        Clear selection
      </button>
      <span className="muted" data-testid="selected-count">
        {neurons.length === 0 ? 'Tick rows to build a neuron set.' : `${formatCount(neurons.length)} selected (${describeLayers(neurons, layers)})`}
      </span>
      <SaveSetForm modelId={dataset.modelId} neurons={neurons} defaultName={`selection from ${dataset.name}`} origin={{ kind: 'table', datasetId: dataset.id, filter }} testId="save-selection" label="Save as neuron set…" />
      {error && <span className="error-text" role="alert">{error}</span>}
    </div>
  );
}
