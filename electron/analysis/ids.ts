// The neuron coordinates every analysis result is keyed by. They are the model layer's own types,
// re-exported so that the rest of analysis/ names them from one place.
//
// The layering rule keeps analysis/ away from native-models/ (no I/O, no runtime). A type-only
// import of spec.ts is erased at compile time and pulls in nothing, so it is the one exception; the
// base no-restricted-imports rule cannot tell type imports apart, hence the directive.
// eslint-disable-next-line no-restricted-imports
import type { LayerIndex, NeuronIndex } from '../../native-models/spec.js';

export type { LayerIndex, NeuronIndex };
