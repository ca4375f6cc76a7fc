import { describe, expect, it } from 'vitest';
import { difference, formatPerLayer, parseNeuronList, perLayerCounts, union } from './neurons';
import { ablationParams, initialFields, licensedMethod, parseFractions, parseWeights, sweepParams } from './params';

const base = { ...initialFields, modelId: '1', corpusId: '2' };

describe('the ablation form', () => {
  it('needs a capture for a verdict set and sends the dead set with a control seeded like the run', () => {
    expect(ablationParams(base)).toBe('A verdict set comes from a capture: choose the capture.');
    expect(ablationParams({ ...base, datasetId: '3', seed: '7', documents: '10', offset: '20', genre: ' news ' })).toEqual({
      modelId: 1,
      corpusId: 2,
      filter: { genre: 'news', documents: 10, offset: 20, order: 'shuffled' },
      datasetId: 3,
      method: 'zero',
      maxTokens: 20000,
      resamples: 1000,
      seed: 7,
      set: { kind: 'verdict', datasetId: 3, verdict: 'dead' },
      control: { seed: 7 },
    });
  });

  it('refuses mean ablation without a capture and bad numbers, naming the field', () => {
    expect(ablationParams({ ...base, setKind: 'saved', savedId: '4', method: 'mean' })).toMatch(/^Mean ablation .* choose the capture\.$/);
    expect(ablationParams({ ...base, datasetId: '3', maxTokens: '2.5' })).toBe('Max tokens must be a whole number of at least 1.');
    expect(ablationParams({ ...base, datasetId: '3', setKind: 'top', k: '0' })).toBe('k must be a whole number of at least 1.');
  });

  it('sends a saved set without a capture, and no control when unticked', () => {
    const p = ablationParams({ ...base, setKind: 'saved', savedId: '4', control: false });
    expect(p).toMatchObject({ set: { kind: 'saved', id: 4 } });
    expect(p).not.toHaveProperty('control');
    expect(p).not.toHaveProperty('datasetId');
  });
});

describe('single W_out weights in the form', () => {
  it('reads layer:neuron:dim[=value] lists, sorted and unique, and sends them without a set', () => {
    expect(parseWeights('2:7:3=0.5, 1:120:29 1:120:29')).toEqual([{ layer: 1, neuron: 120, dim: 29 }, { layer: 2, neuron: 7, dim: 3, value: 0.5 }]);
    expect(parseWeights('1:2')).toMatch(/“1:2” does not/);
    expect(parseWeights('  ')).toMatch(/at least one weight/);
    const p = ablationParams({ ...base, setKind: 'weights', weights: '1:120:29' });
    expect(p).toMatchObject({ weights: [{ layer: 1, neuron: 120, dim: 29 }], control: { seed: 0 } });
    expect(p).not.toHaveProperty('set');
  });
});

describe('the ablation a verdict licenses', () => {
  it('is zero for a silent set and mean for a constant one; other verdicts leave the choice', () => {
    expect(licensedMethod('dead')).toBe('zero');
    expect(licensedMethod('constant')).toBe('mean');
    for (const v of ['never_positive', 'rare', 'massive', 'heavy_tailed', 'token_specific', 'positional'] as const) expect(licensedMethod(v)).toBeUndefined();
  });
});

describe('the sweep form', () => {
  it('reads fractions as numbers or percentages, sorted and unique', () => {
    expect(parseFractions('0.5, 10% 0.1')).toEqual([0.1, 0.5]);
    expect(parseFractions('0')).toMatch(/above 0/);
    expect(parseFractions('')).toMatch(/at least one/);
  });

  it('needs a capture to rank by', () => {
    expect(sweepParams(base)).toMatch(/choose the capture/);
    expect(sweepParams({ ...base, datasetId: '3', fractions: '0.1 0.2', criterion: 'wanda', sweepOrder: 'descending' })).toMatchObject({ datasetId: 3, criterion: 'wanda', order: 'descending', fractions: [0.1, 0.2] });
  });
});

describe('neuron lists', () => {
  it('reads layer:neuron lists against the model shape', () => {
    expect(parseNeuronList('1:5, 0:7\n1:5', { layers: 2, neurons: 10 })).toEqual([
      { layer: 0, neuron: 7 },
      { layer: 1, neuron: 5 },
    ]);
    expect(parseNeuronList('2:1', { layers: 2, neurons: 10 })).toBe('2:1: the model has layers 0 to 1.');
    expect(parseNeuronList('0-1', null)).toMatch(/is not layer:neuron/);
  });

  it('unites, subtracts and counts per layer', () => {
    const a = [{ layer: 0, neuron: 1 }, { layer: 1, neuron: 2 }];
    const b = [{ layer: 1, neuron: 2 }, { layer: 1, neuron: 3 }];
    expect(union(a, b)).toHaveLength(3);
    expect(difference(a, b)).toEqual([{ layer: 0, neuron: 1 }]);
    expect(formatPerLayer(perLayerCounts(union(a, b), 3))).toBe('L0: 1 · L1: 2');
  });
});
