// A cluster study folder: study.json (what to run: the model and corpus by path and checksum, the
// job's settings, each shard's document range), the scheduler's scripts, and one data folder per
// shard (shards/NNN/ffn-lab.sqlite) that its task writes; the merge writes merged/. Everything a
// task needs is in the folder (and the model's checkpoint, by path), so it runs on any node that
// sees the folder.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AblateParams, DocumentFilter } from '../api.js';
import { withStoredOrder } from '../../common/document-order.js';

export const STUDY_FILE = 'study.json';

export class StudyError extends Error {
  override name = 'StudyError';
}

/** One shard: documents [offset, offset + documents) of the study's filter, in its order. */
export const ShardRange = z.object({
  index: z.number().int().min(0),
  offset: z.number().int().min(0),
  documents: z.number().int().positive(),
  bytes: z.number().int().min(0),
});
export type ShardRange = z.infer<typeof ShardRange>;

const CaptureSettings = z.object({
  seqLen: z.number().int().min(2).optional(),
  stride: z.number().int().min(1).optional(),
  batch: z.number().int().min(1),
  threshold: z.number(),
  fire: z.enum(['positive', 'magnitude']),
  topK: z.number().int().min(0),
  seed: z.number().int(),
  /** hidden-state samples of the whole study */
  samples: z.number().int().min(0),
  /**
   * the sampled tokens of the whole study as [document index in the study, position], chosen at
   * plan time from the study's window plan exactly as an unsharded capture chooses them
   */
  samplePicks: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
});

export const StudyPlan = z.object({
  format: z.literal('ffn-lab-study/1'),
  kind: z.enum(['capture', 'ablate', 'sweep']),
  name: z.string().min(1),
  createdAt: z.string(),
  model: z.object({ name: z.string(), path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  corpus: z.object({ name: z.string(), source: z.string(), checksum: z.string().regex(/^[0-9a-f]{64}$/), documents: z.number().int() }),
  /** the study's documents: this filter without offset/documents, then [offset, offset + documents) */
  // study folders planned before document orders existed read their documents in corpus order
  filter: z.preprocess(withStoredOrder, DocumentFilter),
  /** documents of the whole study (the sum of the ranges) */
  documents: z.number().int().positive(),
  ranges: z.array(ShardRange).min(1),
  capture: CaptureSettings.optional(),
  /** ablate/sweep: the job's parameters with every condition resolved to exact neurons (model, corpus and filter are set per shard) */
  ablate: AblateParams.omit({ modelId: true, corpusId: true, datasetId: true, filter: true }).optional(),
  /** how a task calls FFN Lab: [node, cli.js] of the planning machine, or what --ffn-lab said */
  command: z.array(z.string().min(1)).min(1),
  /** #SBATCH options passed through (e.g. --partition=gpu, --gres=gpu:1, --time=02:00:00) */
  sbatch: z.array(z.string()),
});
export type StudyPlan = z.infer<typeof StudyPlan>;

export function readPlan(dir: string): StudyPlan {
  const file = path.join(dir, STUDY_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StudyError(`${file}: not a readable study (${(err as Error).message}); expected a folder written by "ffn-lab cluster plan"`);
  }
  const parsed = StudyPlan.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudyError(`${file}: ${issue.path.join('.') || 'the file'}: ${issue.message}; expected a study written by "ffn-lab cluster plan" (format ffn-lab-study/1)`);
  }
  return parsed.data;
}

/** Writes a file whole or not at all (temp file renamed into place). */
export function writeFileAtomic(file: string, text: string, mode?: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, mode === undefined ? {} : { mode });
  fs.renameSync(tmp, file);
}

export function shardName(plan: Pick<StudyPlan, 'name' | 'ranges'>, index: number): string {
  return `${plan.name} [shard ${index + 1}/${plan.ranges.length}]`;
}

/** shards/000 .. shards/NNN (at least three digits, so they sort). */
export function shardDir(dir: string, plan: Pick<StudyPlan, 'ranges'>, index: number): string {
  const width = Math.max(3, String(plan.ranges.length - 1).length);
  return path.join(dir, 'shards', String(index).padStart(width, '0'));
}

export const mergedDir = (dir: string): string => path.join(dir, 'merged');

/** The model and corpus every shard's database starts from (db/study-base.ts). */
export const baseFile = (dir: string): string => path.join(dir, 'base.sqlite');

/** A new data folder's database as a copy of the study's base (none: the folder imports them itself). */
export function seedFromBase(dir: string, dataDir: string): void {
  const target = path.join(dataDir, 'ffn-lab.sqlite');
  if (fs.existsSync(target) || !fs.existsSync(baseFile(dir))) return;
  const tmp = `${target}.tmp-${process.pid}`;
  fs.copyFileSync(baseFile(dir), tmp);
  fs.renameSync(tmp, target);
}

/**
 * Contiguous document ranges of about equal bytes (the tokens a shard reads follow its bytes), each
 * with at least one document. `bytes`: the study's documents in order.
 */
export function splitRanges(bytes: readonly number[], shards: number, firstOffset = 0): ShardRange[] {
  if (!Number.isInteger(shards) || shards < 1) throw new StudyError(`--shards must be a positive integer, got ${shards}`);
  if (bytes.length < shards) throw new StudyError(`${shards} shards need at least ${shards} documents; the study reads ${bytes.length}: use fewer shards`);
  const total = bytes.reduce((a, b) => a + b, 0);
  const ranges: ShardRange[] = [];
  let start = 0;
  let cum = 0;
  for (let s = 0; s < shards; s++) {
    // the last shard takes the rest; every other ends where its share of the bytes is reached,
    // leaving at least one document for each shard after it
    let end = start + 1;
    cum += bytes[start] as number;
    const goal = (total * (s + 1)) / shards;
    const maxEnd = bytes.length - (shards - 1 - s);
    if (s === shards - 1) {
      while (end < bytes.length) cum += bytes[end++] as number;
    } else {
      while (end < maxEnd && cum + (bytes[end] as number) / 2 <= goal) cum += bytes[end++] as number;
    }
    let size = 0;
    for (let i = start; i < end; i++) size += bytes[i] as number;
    ranges.push({ index: s, offset: firstOffset + start, documents: end - start, bytes: size });
    start = end;
  }
  return ranges;
}
