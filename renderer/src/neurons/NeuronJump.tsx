import { useState } from 'react';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { parseNeuronRef } from './neuronTableQuery';

/** "Go to layer:neuron": opens that neuron's page; says what is wrong with what was typed. */
export function NeuronJump({ datasetId, layers, neurons }: { datasetId: number; layers: number | null; neurons: number | null }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const go = () => {
    const ref = parseNeuronRef(text, layers, neurons);
    if ('error' in ref) return setError(ref.error);
    setError(null);
    navigate(hrefFor('neurons', datasetId, ref.layer, ref.neuron));
  };
  return (
    <form
      className="neuron-jump"
      onSubmit={(e) => {
        e.preventDefault();
        go();
      }}
    >
      <input className="input input-small mono" aria-label="Go to layer:neuron" placeholder="layer:neuron" data-testid="neuron-jump" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="button button-small" data-testid="neuron-jump-go">
        Go
      </button>
      {error && (
        <span className="error-text" role="alert" data-testid="neuron-jump-error">
          {error}
        </span>
      )}
    </form>
  );
}
