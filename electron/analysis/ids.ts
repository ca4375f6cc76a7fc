// The neuron coordinates every analysis result is keyed by. They are the model layer's own types,
// re-exported so that the rest of analysis/ names them from one place.
// (analysis/ may import only types from native-models/: the lint rule allows type imports.)
import type { LayerIndex, NeuronIndex } from '../../native-models/spec.js';

export type { LayerIndex, NeuronIndex };
