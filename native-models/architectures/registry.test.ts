import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { applyRecipe, interleavedRows } from './common.js';
import { mapCheckpoint, mapperFor, SUPPORTED_ARCHITECTURES } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';

const gpt2 = () => openCheckpoint(fixturePath('gpt2'));

describe('registry', () => {
  it('lists the supported architectures', () => {
    expect(SUPPORTED_ARCHITECTURES).toEqual(['GPT2LMHeadModel', 'GPT2Model', 'LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM', 'GPTNeoXForCausalLM', 'OPTForCausalLM', 'MixtralForCausalLM', 'Qwen2MoeForCausalLM', 'Qwen3MoeForCausalLM', 'OlmoeForCausalLM', 'Phi3ForCausalLM', 'Gemma2ForCausalLM', 'Gemma3ForCausalLM', 'Gemma3ForConditionalGeneration', 'llama2.c']);
  });

  it('an unknown architecture gives the list of supported ones', () => {
    const e = error(() => mapCheckpoint(mutated(gpt2(), { config: { architectures: ['BertForMaskedLM'], model_type: 'bert' } })));
    expect(e.field).toBe('architectures');
    expect(e.message).toContain('config.json "architectures" is ["BertForMaskedLM"]; expected one of GPT2LMHeadModel, GPT2Model, LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, GPTNeoXForCausalLM, OPTForCausalLM, MixtralForCausalLM, Qwen2MoeForCausalLM, Qwen3MoeForCausalLM, OlmoeForCausalLM, Phi3ForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM, Gemma3ForConditionalGeneration (unsupported architecture "BertForMaskedLM")');
  });

  it('falls back to model_type when no architecture is named; an unknown model_type lists both', () => {
    expect(mapCheckpoint(mutated(gpt2(), { config: { architectures: undefined } })).spec.architecture).toBe('gpt2');
    const e = error(() => mapCheckpoint(mutated(gpt2(), { config: { architectures: undefined, model_type: 't5' } })));
    expect(e.field).toBe('model_type');
    expect(e.message).toContain('"model_type" is "t5"; expected architectures one of GPT2LMHeadModel');
    expect(e.message).toContain('model_type one of gpt2, llama, mistral, qwen2, qwen3, gpt_neox, opt, mixtral, qwen2_moe, qwen3_moe, olmoe, phi3, gemma2, gemma3_text, gemma3');
    expect(error(() => mapCheckpoint(mutated(gpt2(), { config: { architectures: 'GPT2LMHeadModel' } }))).message).toContain('"architectures" is "GPT2LMHeadModel"; expected a list');
  });

  it('a llama2.c file goes to the llama2.c mapper whatever its header says', () => {
    expect(mapperFor(openCheckpoint(fixturePath('llama2c'))).architectures).toEqual(['llama2.c']);
  });

  it('a folder without config.json is refused', () => {
    const e = error(() => mapCheckpoint({ ...mutated(gpt2(), {}), config: null }));
    expect(e.message).toContain('no config.json');
  });
});

describe('applyRecipe', () => {
  const src = Float32Array.from([0, 1, 2, 3, 4, 5]); // [2, 3]
  it('copies, transposes, and keeps row ranges in order', () => {
    expect(applyRecipe({ tensor: 't' }, src, [2, 3])).toEqual({ shape: [2, 3], data: src });
    expect(applyRecipe({ tensor: 't', transpose: true }, src, [2, 3])).toEqual({ shape: [3, 2], data: Float32Array.from([0, 3, 1, 4, 2, 5]) });
    expect(applyRecipe({ tensor: 't', transpose: true, rows: [[2, 1], [0, 1]] }, src, [2, 3])).toEqual({ shape: [2, 2], data: Float32Array.from([2, 5, 0, 3]) });
    expect(applyRecipe({ tensor: 't', rows: [[1, 3]] }, src, [6])).toEqual({ shape: [3], data: Float32Array.from([1, 2, 3]) });
  });
  it('interleavedRows picks one part per head', () => {
    expect(interleavedRows(2, 3, 1, 4)).toEqual([[4, 4], [16, 4]]);
  });
});
