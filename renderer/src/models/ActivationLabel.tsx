import type { Model } from './types';

/** The FFN nonlinearity, with a "gated" tag for SwiGLU-style FFNs (neuron = act(gate x) · up x). */
export function ActivationLabel({ model }: { model: Pick<Model, 'activation' | 'gated'> }) {
  return (
    <span className="activation">
      <span className="mono">{model.activation}</span>
      {model.gated && (
        <span className="tag" title="Gated FFN: neuron = act(gate(x)) × up(x)">
          gated
        </span>
      )}
    </span>
  );
}
