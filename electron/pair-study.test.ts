// Which pair study a finished job continues: its capture and sensitivity steps are named
// "<title>: <model>"; nothing else (an unfinished step, another kind of job, a look-alike name) is.
import { describe, expect, it } from 'vitest';
import type { Job } from './api.js';
import { PAIR_STUDIES, PAIR_STUDY_KEYS, pairStudyOfJob } from './width-depth.js';

const job = (kind: Job['kind'], state: Job['state'], name: string | undefined): Job => ({
  id: 1,
  kind,
  title: 't',
  state,
  params: name === undefined ? {} : { name },
  progress: { done: 0, total: null, unit: 'tokens', rate: null, etaSeconds: null, message: null },
  result: null,
  error: null,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
});

describe('pairStudyOfJob', () => {
  it('finds the study of a finished capture or ablation by its name', () => {
    expect(pairStudyOfJob(job('capture', 'done', 'Width vs depth: brown-gpt2-wide'))).toBe('width-depth');
    expect(pairStudyOfJob(job('ablate', 'done', 'Dense vs MoE: brown-mixtral-moe'))).toBe('dense-moe');
  });

  it('is null for a step not yet done, another kind of job, another name, or none', () => {
    expect(pairStudyOfJob(job('capture', 'running', 'Dense vs MoE: brown-llama-dense'))).toBeNull();
    expect(pairStudyOfJob(job('model-import', 'done', 'Dense vs MoE: brown-llama-dense'))).toBeNull();
    expect(pairStudyOfJob(job('capture', 'done', 'Start here: brown-gpt2-relu'))).toBeNull();
    expect(pairStudyOfJob(job('capture', 'done', 'Dense vs MoE brown-llama-dense'))).toBeNull();
    expect(pairStudyOfJob(job('capture', 'done', undefined))).toBeNull();
  });

  it('has one study per key, each with two distinct models and its own title', () => {
    expect(PAIR_STUDY_KEYS.map((k) => PAIR_STUDIES[k].key)).toEqual([...PAIR_STUDY_KEYS]);
    const titles = PAIR_STUDY_KEYS.map((k) => PAIR_STUDIES[k].title);
    expect(new Set(titles).size).toBe(titles.length);
    const models = PAIR_STUDY_KEYS.flatMap((k) => PAIR_STUDIES[k].models);
    expect(new Set(models).size).toBe(models.length);
  });
});
