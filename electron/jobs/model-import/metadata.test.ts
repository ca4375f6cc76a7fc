import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../native-models/formats/checkpoint.js';
import { checkpointMetadata, metadataRows, metadataText } from './metadata.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native-models', 'fixtures', 'gguf-models');

describe('metadata summaries', () => {
  it('summarizes long arrays by length and first elements, and writes bigints in full', () => {
    const tokens = Array.from({ length: 32000 }, (_, i) => `t${i}`);
    expect(metadataText(tokens, 'ARRAY[STRING]')).toEqual({ value: 'array of 32,000 strings: "t0", "t1", "t2", "t3", "t4", …', length: 32000 });
    expect(metadataText([0.5, 1], 'ARRAY[FLOAT32]')).toEqual({ value: 'array of 2 float32: 0.5, 1', length: 2 });
    expect(metadataText([], 'ARRAY[INT32]')).toEqual({ value: 'array of 0 int32', length: 0 });
    expect(metadataText(2n ** 63n - 1n, 'UINT64')).toEqual({ value: '9223372036854775807', length: null });
    expect(metadataText('llama', 'STRING').value).toBe('llama');
    expect(metadataText(true, 'BOOL').value).toBe('true');
    // float32 values in their shortest float32 form, not the float64 expansion
    expect(metadataText(Math.fround(1e-6), 'FLOAT32').value).toBe('0.000001');
    expect(metadataText([Math.fround(0.1), 2], 'ARRAY[FLOAT32]').value).toBe('array of 2 float32: 0.1, 2');
    expect(metadataText(0.1, 'FLOAT64').value).toBe('0.1');
    expect(metadataText('x'.repeat(1000), 'STRING').value).toHaveLength(300);
  });

  it('keeps JSON types for config.json keys and nested values as JSON', () => {
    expect(metadataRows({ n_layer: 2, rope_scaling: { type: 'llama3', factor: 8 }, architectures: ['GPT2LMHeadModel'] })).toEqual([
      { key: 'n_layer', type: 'number', value: '2', length: null },
      { key: 'rope_scaling', type: 'object', value: '{"type":"llama3","factor":8}', length: null },
      { key: 'architectures', type: 'array', value: 'array of 1 strings: "GPT2LMHeadModel"', length: 1 },
    ]);
    expect(metadataRows(null)).toEqual([]);
  });

  it("reads a GGUF's key/values with their GGUF types", () => {
    const rows = checkpointMetadata(openCheckpoint(path.join(fixtures, 'llama-q4_k', 'model.gguf')));
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by['general.architecture']).toEqual({ key: 'general.architecture', type: 'STRING', value: 'llama', length: null });
    expect(by['llama.block_count']).toEqual({ key: 'llama.block_count', type: 'UINT32', value: '1', length: null });
    expect(by['tokenizer.ggml.tokens']).toMatchObject({ type: 'ARRAY[STRING]', length: 303 });
    expect(by['tokenizer.ggml.tokens']!.value).toMatch(/^array of 303 strings: "<unk>", "<s>", "<\/s>", "<0x00>", "<0x01>", …$/);
    expect(by['tokenizer.ggml.bos_token_id']!.value).toBe('1');
    expect(rows[0]!.key).toBe('general.architecture');
  });
});
