import { describe, expect, it } from 'vitest';
import { promptIds } from './prompt-ids.js';

describe('token-id prompts', () => {
  it('reads a list of ids, and leaves text to the tokenizer', () => {
    expect(promptIds('[1, 345, 17]', 4096)).toEqual([1, 345, 17]);
    expect(promptIds(' [0] ', 4096)).toEqual([0]);
    expect(promptIds('The jury [said]', 4096)).toBeNull();
    expect(promptIds('[a, b]', 4096)).toBeNull();
  });

  it('refuses ids outside the vocabulary and an empty list, saying which', () => {
    expect(() => promptIds('[1, 4096]', 4096)).toThrow('token id "4096" at position 1 of the prompt is not in the model\'s vocabulary (0..4095)');
    expect(() => promptIds('[1,,2]', 4096)).toThrow(/token id "" at position 1/);
    expect(() => promptIds('[]', 4096)).toThrow(/empty list of token ids/);
  });
});
