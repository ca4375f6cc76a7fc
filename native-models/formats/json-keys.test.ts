import { describe, expect, it } from 'vitest';
import { scanJsonKeys } from './json-keys.js';

describe('scanJsonKeys', () => {
  it('lists top-level keys in text order, even integer-like ones', () => {
    expect(scanJsonKeys('{"b": 1, "10": {"x": [1, {"y": 2}]}, "a": "}{\\"[,"}').topLevelKeys).toEqual(['b', '10', 'a']);
  });

  it('finds repeats at any depth, but not equal keys in sibling objects', () => {
    expect(scanJsonKeys('{"a": {"k": 1}, "b": {"k": 2}}').duplicate).toBeNull();
    expect(scanJsonKeys('[{"k": 1}, {"k": 2}]').duplicate).toBeNull();
    expect(scanJsonKeys('{"a": {"k": 1, "k": 2}}').duplicate).toEqual({ path: ['a'], key: 'k' });
    expect(scanJsonKeys('{"a": [0, {"k": 1, "k": 1}]}').duplicate).toEqual({ path: ['a', '[]'], key: 'k' });
    expect(scanJsonKeys('{"x": 1, "y": 2, "x": 3}').duplicate).toEqual({ path: [], key: 'x' });
  });

  it('compares decoded keys and ignores look-alikes inside string values', () => {
    expect(scanJsonKeys('{"w": 1, "\\u0077": 2}').duplicate?.key).toBe('w');
    expect(scanJsonKeys('{"w": "\\"w\\": 1, ", "v": 1}').duplicate).toBeNull();
  });

  it('copes with deep nesting without recursion', () => {
    const deep = `{"a": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(scanJsonKeys(deep)).toEqual({ topLevelKeys: ['a'], duplicate: null });
  });
});
