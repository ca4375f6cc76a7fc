import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CaptureParams, methods } from './api.js';
import { toApiError } from './errors.js';
import { fieldLabel, validationMessage } from './validation-messages.js';

const messageOf = (schema: z.ZodType, value: unknown): string => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected the value to fail validation');
  return validationMessage(r.error);
};

describe('validation messages in words', () => {
  it('names fields as words', () => {
    expect(fieldLabel(['maxTokens'])).toBe('Max tokens');
    expect(fieldLabel(['filter', 'documents'])).toBe('Filter documents');
    expect(fieldLabel(['ids', 0])).toBe('Ids item 1');
    expect(fieldLabel([])).toBe('The request');
  });

  it('says bounds, kinds, choices and missing fields of the capture request in sentences', () => {
    const base = { modelId: 1, corpusId: 1 };
    expect(messageOf(CaptureParams, { ...base, batch: 2000 })).toBe('Batch must be at most 1024');
    expect(messageOf(CaptureParams, { ...base, topK: -1 })).toBe('Top k must be at least 0');
    expect(messageOf(CaptureParams, { ...base, maxTokens: 0 })).toBe('Max tokens must be greater than 0');
    expect(messageOf(CaptureParams, { ...base, maxTokens: 2.5 })).toBe('Max tokens must be a whole number');
    expect(messageOf(CaptureParams, { ...base, fire: 'sometimes' })).toBe('Fire must be one of "positive", "magnitude"');
    expect(messageOf(CaptureParams, { corpusId: 1 })).toBe('Model id is required');
    expect(messageOf(CaptureParams, { ...base, name: '' })).toBe('Name must have at least 1 character');
  });

  it('reads unions, unknown keys and several issues at once', () => {
    const expert = methods['neurons.list'].params;
    expect(messageOf(expert, { datasetId: 1, expert: 'some' })).toBe('Expert must be a number or "shared"');
    expect(messageOf(methods['app.info'].params, { extra: 1 })).toBe('The request has unknown field "extra"');
    expect(messageOf(CaptureParams, { modelId: 0, corpusId: 'x' })).toBe('Model id must be greater than 0; Corpus id must be a number');
  });

  it('is what the API answers for a bad request (no zod schema text)', () => {
    const r = CaptureParams.safeParse({ modelId: 1, corpusId: 1, batch: 5000 });
    const err = toApiError(r.error);
    expect(err.code).toBe('bad-request');
    expect(err.message).toBe('Batch must be at most 1024');
    expect(err.message).not.toMatch(/Too big|expected number|<=/);
  });
});
