import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset, Model, NeuronRef, NeuronSet, VerdictKind } from '../api/contract';
import { errorMessage } from '../api/errors';
import { formatCount } from '../format';
import { verdictKinds, verdictLabels } from '../neurons/evidence';
import { canonical, formatPerLayer, neuronLabel, parseNeuronList, perLayerCounts } from './neurons';

export interface Picked extends NeuronRef {
  on: boolean;
}

/** chips beyond this many are summarised: a dead set can hold thousands */
const CHIPS = 300;

/**
 * The neurons the playground switches off: added from a saved set, a verdict of a capture
 * (sets.resolve) or a typed layer:neuron list; each listed and toggleable on its own.
 */
export function NeuronPicker({ model, sets, captures, picked, onChange }: { model: Model; sets: readonly NeuronSet[]; captures: readonly Dataset[]; picked: readonly Picked[]; onChange: (next: Picked[]) => void }) {
  const api = useApi();
  const [typed, setTyped] = useState('');
  const [setId, setSetId] = useState('');
  const [captureId, setCaptureId] = useState('');
  const [verdict, setVerdict] = useState<VerdictKind>('dead');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const chosenSet = setId || (sets[0] ? String(sets[0].id) : '');
  const chosenCapture = captureId || (captures.length ? String(captures[captures.length - 1]!.id) : '');

  const add = (neurons: readonly NeuronRef[], label: string) => {
    const on = new Map(picked.map((p) => [neuronLabel(p), p.on]));
    const all = canonical([...picked, ...neurons]);
    onChange(all.map((n) => ({ ...n, on: on.get(neuronLabel(n)) ?? true })));
    setNote(`Added ${label}: ${formatCount(neurons.length)} neurons.`);
    setError(null);
  };
  const resolve = async (set: { kind: 'saved'; id: number } | { kind: 'verdict'; datasetId: number; verdict: VerdictKind }) => {
    try {
      const r = await api.call('sets.resolve', { modelId: model.id, set });
      add(r.neurons, `“${r.label}”`);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  const addTyped = () => {
    const parsed = parseNeuronList(typed, { layers: model.layers, neurons: model.dFf });
    if (typeof parsed === 'string') {
      setError(parsed);
      return;
    }
    add(parsed, 'the typed neurons');
    setTyped('');
  };
  const toggle = (i: number) => onChange(picked.map((p, j) => (j === i ? { ...p, on: !p.on } : p)));
  const active = picked.filter((p) => p.on);

  return (
    <div className="neuron-picker" data-testid="neuron-picker">
      <div className="picker-sources">
        <div className="input-row">
          <input
            className="input mono"
            aria-label="Neurons as layer:neuron"
            placeholder="layer:neuron, e.g. 0:17 1:5"
            data-testid="pg-typed"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addTyped();
              }
            }}
          />
          <button type="button" className="button button-small" data-testid="pg-add-typed" onClick={addTyped}>
            Add
          </button>
        </div>
        <div className="input-row">
          <select className="input" aria-label="Capture" data-testid="pg-capture" value={chosenCapture} onChange={(e) => setCaptureId(e.target.value)} disabled={captures.length === 0}>
            {captures.length === 0 && <option value="">No capture of this model</option>}
            {captures.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <select className="input" aria-label="Verdict" data-testid="pg-verdict" value={verdict} onChange={(e) => setVerdict(e.target.value as VerdictKind)}>
            {verdictKinds.map((v) => (
              <option key={v} value={v}>
                {verdictLabels[v]}
              </option>
            ))}
          </select>
          <button type="button" className="button button-small" data-testid="pg-add-verdict" disabled={!chosenCapture} onClick={() => void resolve({ kind: 'verdict', datasetId: Number(chosenCapture), verdict })}>
            Add verdict
          </button>
        </div>
        <div className="input-row">
          <select className="input" aria-label="Saved set" data-testid="pg-set" value={chosenSet} onChange={(e) => setSetId(e.target.value)} disabled={sets.length === 0}>
            {sets.length === 0 && <option value="">No saved set for this model</option>}
            {sets.map((s) => (
              <option key={s.id} value={s.id}>
                {`${s.name} (${formatCount(s.neurons.length)})`}
              </option>
            ))}
          </select>
          <button type="button" className="button button-small" data-testid="pg-add-set" disabled={!chosenSet} onClick={() => void resolve({ kind: 'saved', id: Number(chosenSet) })}>
            Add set
          </button>
        </div>
      </div>
      {error && <p className="error-text" role="alert" data-testid="pg-picker-error">{error}</p>}
      {note && !error && <p className="hint" role="status">{note}</p>}
      <div className="picked-head">
        <span data-testid="pg-active-count">{`${formatCount(active.length)} of ${formatCount(picked.length)} neurons switched off`}</span>
        <span className="muted">{formatPerLayer(perLayerCounts(active, model.layers))}</span>
        <button type="button" className="button button-small" disabled={picked.length === 0} onClick={() => onChange(picked.map((p) => ({ ...p, on: active.length < picked.length })))}>
          {active.length < picked.length ? 'All off' : 'All back on'}
        </button>
        <button type="button" className="button button-small" disabled={picked.length === 0} onClick={() => onChange([])}>
          Clear
        </button>
      </div>
      <ul className="chips" aria-label="Neurons switched off (uncheck to switch one back on)">
        {picked.slice(0, CHIPS).map((p, i) => (
          <li key={neuronLabel(p)}>
            <label className={`chip${p.on ? ' chip-on' : ''}`}>
              <input type="checkbox" checked={p.on} data-testid="pg-neuron" data-neuron={neuronLabel(p)} onChange={() => toggle(i)} />
              {neuronLabel(p)}
            </label>
          </li>
        ))}
        {picked.length > CHIPS && <li className="muted">{`and ${formatCount(picked.length - CHIPS)} more`}</li>}
      </ul>
    </div>
  );
}
