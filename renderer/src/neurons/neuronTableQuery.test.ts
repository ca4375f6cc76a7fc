import { describe, expect, it } from 'vitest';
import type { NeuronRow } from '../api/contract';
import { neuronsCsv, pageInfo, parseBound, parseNeuronRef } from './neuronTableQuery';

const row = (layer: number, neuron: number, over: Partial<NeuronRow> = {}): NeuronRow => ({
  layer,
  neuron,
  tokens: 100,
  mean: 0.5,
  std: 1,
  min: -1,
  max: 2,
  peak_abs: 2,
  mean_abs: 0.75,
  fire_count: 40,
  fire_rate: 0.4,
  kurtosis: null,
  peak_ratio: 1.25,
  verdicts: [],
  ...over,
});

describe('neuron table query helpers', () => {
  it('pages: the rows shown and whether there is more', () => {
    expect(pageInfo(0, 2000, 6144)).toEqual({ first: 1, last: 2000, hasPrevious: false, hasNext: true });
    expect(pageInfo(4000, 2000, 6144)).toEqual({ first: 4001, last: 6000, hasPrevious: true, hasNext: true });
    expect(pageInfo(6000, 144, 6144)).toEqual({ first: 6001, last: 6144, hasPrevious: true, hasNext: false });
    expect(pageInfo(0, 0, 0)).toEqual({ first: 0, last: 0, hasPrevious: false, hasNext: false });
  });

  it('reads layer:neuron in a few spellings and names what is out of range', () => {
    expect(parseNeuronRef('3:127', 12, 3072)).toEqual({ layer: 3, neuron: 127 });
    expect(parseNeuronRef(' L3 N127 ', 12, 3072)).toEqual({ layer: 3, neuron: 127 });
    expect(parseNeuronRef('3 127', null, null)).toEqual({ layer: 3, neuron: 127 });
    expect(parseNeuronRef('12:0', 12, 3072)).toEqual({ error: 'Layer 12 does not exist; the model has layers 0 to 11' });
    expect(parseNeuronRef('1:3072', 12, 3072)).toEqual({ error: 'Neuron 3072 does not exist; each layer has neurons 0 to 3071' });
    expect(parseNeuronRef('neuron seven', 12, 3072)).toEqual({ error: '“neuron seven” is not layer:neuron; type e.g. 3:127' });
  });

  it('reads bounds: empty is none, percentages are fractions, text is an error', () => {
    expect(parseBound('')).toBeUndefined();
    expect(parseBound(' 0.25 ')).toBe(0.25);
    expect(parseBound('5%')).toBe(0.05);
    expect(parseBound('-3e2')).toBe(-300);
    expect(parseBound('abc')).toBeNull();
  });

  it('writes the rows as CSV at full precision, with verdicts and empty cells for missing values', () => {
    const csv = neuronsCsv([row(0, 7, { mean: 1 / 3, verdicts: [{ kind: 'dead', evidence: {} }, { kind: 'rare', evidence: {} }] }), row(2, 1, { expert: 'shared', unit: 4 })]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('layer,neuron,expert,unit,tokens,mean,std,min,max,peak_abs,mean_abs,fire_count,fire_rate,kurtosis,peak_ratio,verdicts');
    expect(lines[1]).toBe(`0,7,,,100,${1 / 3},1,-1,2,2,0.75,40,0.4,,1.25,dead;rare`);
    expect(lines[2]).toBe('2,1,shared,4,100,0.5,1,-1,2,2,0.75,40,0.4,,1.25,');
  });
});
