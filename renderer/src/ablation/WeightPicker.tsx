import { useState } from 'react';
import type { Model, WeightRef } from '../api/contract';
import { canonicalWeights, parseWeightRef, weightLabel } from '../../../common/weight-refs';

export interface PickedWeight extends WeightRef {
  on: boolean;
}

const key = (w: WeightRef): string => `${w.layer}:${w.neuron}:${w.dim}`;

/**
 * Reads "1:42:7" or "1:42:7=0.5" (layer:neuron:dim, optionally =value; several separated by commas
 * or spaces) into weights W_out[neuron→dim] of the layer, checked against the model's shape; or
 * says what is wrong.
 */
export function parseWeightList(text: string, model: Pick<Model, 'layers' | 'dFf' | 'dModel'>): WeightRef[] | string {
  const out: WeightRef[] = [];
  for (const item of text.split(/[\s,;]+/).filter((s) => s.length > 0)) {
    const w = parseWeightRef(item);
    if (!w) return `“${item}” is not layer:neuron:dim (for example 1:42:7, or 1:42:7=0.5 to set a value).`;
    if (w.layer >= model.layers) return `${item}: the model has layers 0 to ${model.layers - 1}.`;
    if (w.neuron >= model.dFf) return `${item}: a layer has neurons 0 to ${model.dFf - 1}.`;
    if (w.dim >= model.dModel) return `${item}: the residual stream has dims 0 to ${model.dModel - 1}.`;
    out.push(w);
  }
  return canonicalWeights(out);
}

/** Single W_out weights the playground sets (to 0, or a typed value), each toggleable on its own. */
export function WeightPicker({ model, picked, onChange }: { model: Model; picked: readonly PickedWeight[]; onChange: (next: PickedWeight[]) => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = () => {
    const parsed = parseWeightList(typed, model);
    if (typeof parsed === 'string') {
      setError(parsed);
      return;
    }
    const fresh = new Set(parsed.map(key));
    onChange(canonicalWeights([...picked.filter((p) => !fresh.has(key(p))), ...parsed.map((w) => ({ ...w, on: true }))]));
    setTyped('');
    setError(null);
  };
  return (
    <div className="weight-picker" data-testid="weight-picker">
      <div className="input-row">
        <input
          className="input mono"
          aria-label="Weights as layer:neuron:dim"
          placeholder="layer:neuron:dim, e.g. 1:42:7 (W_out[42→7] of layer 1 = 0)"
          data-testid="pg-weight-typed"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="button button-small" data-testid="pg-add-weight" onClick={add}>
          Add weight
        </button>
      </div>
      {error && <p className="error-text" role="alert" data-testid="pg-weight-error">{error}</p>}
      {picked.length > 0 && (
        <ul className="chips" aria-label="Weights set (uncheck to restore one)">
          {picked.map((w, i) => (
            <li key={key(w)}>
              <label className={`chip${w.on ? ' chip-on' : ''}`}>
                <input type="checkbox" checked={w.on} data-testid="pg-weight" data-weight={key(w)} onChange={() => onChange(picked.map((p, j) => (j === i ? { ...p, on: !p.on } : p)))} />
                {weightLabel(w)}
              </label>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
