import { describe, expect, it } from 'vitest';
import { captureParams } from './CaptureForm';

const base = { modelId: '1', corpusId: '2', genre: '', where: '', documents: '', maxTokens: '1000', seqLen: '', stride: '', batch: '4', threshold: '0', fire: 'positive', topK: '16', samples: '100' };

describe('capture form', () => {
  it('reads the document filters: genre, a metadata field = value, the first N documents', () => {
    expect(captureParams({ ...base, genre: 'news', where: 'year = 1961', documents: '5' }, '')).toMatchObject({
      filter: { genre: 'news', metadata: { field: 'year', value: 1961 }, documents: 5 },
      samples: 100,
    });
    expect(captureParams({ ...base, where: ' author = Jane Doe ' }, '')).toMatchObject({ filter: { metadata: { field: 'author', value: 'Jane Doe' } } });
    expect(captureParams(base, '')).toMatchObject({ filter: {} });
  });

  it('reads documents in shuffled order by default, and passes a chosen order, split and cut', () => {
    expect(captureParams(base, '')).toMatchObject({ filter: { order: 'shuffled' } });
    const p = captureParams({ ...base, documentOrder: { order: 'stratified', orderSeed: '0', stratifyBy: 'genre', split: 'train', splitFraction: '0.1', splitSeed: '3', tokensPerDocument: '512' } }, '', ['genre']);
    expect(p).toMatchObject({ filter: { order: 'stratified', stratifyBy: 'genre', split: { part: 'train', fraction: 0.1, seed: 3 }, tokensPerDocument: 512 } });
    expect(captureParams({ ...base, documentOrder: { order: 'stratified', orderSeed: '0', stratifyBy: 'genre', split: '', splitFraction: '0.1', splitSeed: '0', tokensPerDocument: '' } }, '', ['author'])).toMatch(/no metadata field "genre"/);
  });

  it('says which field is wrong', () => {
    expect(captureParams({ ...base, where: 'no equals sign' }, '')).toMatch(/Metadata filter must read "field = value"/);
    expect(captureParams({ ...base, documents: '0' }, '')).toMatch(/Documents must be a whole number of at least 1/);
    expect(captureParams({ ...base, samples: '-1' }, '')).toMatch(/Sampled tokens must be a whole number/);
    expect(captureParams({ ...base, fire: 'sometimes' }, '')).toMatch(/Firing must be/);
  });

  it('leaves the sample count to the job when empty, and passes the firing rule', () => {
    const p = captureParams({ ...base, samples: '', fire: 'magnitude' }, '');
    expect(p).toMatchObject({ fire: 'magnitude' });
    expect(p).not.toHaveProperty('samples');
  });
});
