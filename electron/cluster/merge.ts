// A study's shards merged into one result: the capture statistics, top examples, residual maxima and
// samples by datasets-merge.ts, ablation totals and their bootstrap by ablations-merge.ts, into any
// database that has (or gets) the study's model and corpus: merged/ffn-lab.sqlite for the merge job,
// the app's own database when the app opens a study folder. Only finished shards are merged; with
// `partial`, what is done so far, marked partial.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabaseReadOnly, type Db } from '../../db/database.js';
import { AblateParams } from '../api.js';
import { mergeAblations } from '../ablations-merge.js';
import { mergeCaptures } from '../datasets-merge.js';
import { ensureInputs, shardResult, type WaitJob } from './shard.js';
import { shardDir, StudyError, type StudyPlan } from './study.js';
import type { Backend } from '../backend.js';

export interface ShardDone {
  index: number;
  /** the shard's capture or ablation run in its database */
  result: number;
  file: string;
}

/** The finished shards (read-only looks into their databases). */
export function finishedShards(dir: string, plan: StudyPlan): ShardDone[] {
  const out: ShardDone[] = [];
  for (const r of plan.ranges) {
    const file = path.join(shardDir(dir, plan, r.index), 'ffn-lab.sqlite');
    if (!fs.existsSync(file)) continue;
    let db: Db;
    try {
      db = openDatabaseReadOnly(file);
    } catch {
      continue; // a task is creating it: not finished
    }
    try {
      const result = shardResult(db, plan, r.index);
      if (result !== undefined) out.push({ index: r.index, result, file });
    } finally {
      db.close();
    }
  }
  return out;
}

export interface MergeOutcome {
  kind: 'dataset' | 'ablation';
  id: number;
  name: string;
  shards: number[];
  partial: boolean;
}

/** Merges the finished shards into `b`'s database. Without `partial`, every shard must be done. */
export async function mergeStudy(b: Backend, dir: string, plan: StudyPlan, o: { partial?: boolean; name?: string; wait?: WaitJob } = {}): Promise<MergeOutcome> {
  const done = finishedShards(dir, plan);
  const missing = plan.ranges.map((r) => r.index).filter((i) => !done.some((d) => d.index === i));
  if (done.length === 0) throw new StudyError(`no shard of the study in ${dir} has finished yet (see ffn-lab cluster status ${dir})`);
  if (missing.length > 0 && !o.partial) {
    throw new StudyError(`shards ${missing.join(', ')} of ${plan.ranges.length} have not finished; resubmit them (ffn-lab cluster submit ${dir} --only ${missing.join(',')}) or merge what is done with --partial`);
  }
  const partial = missing.length > 0;
  const shards = done.map((d) => d.index);
  const name = o.name ?? (partial ? `${plan.name} (partial: ${done.length} of ${plan.ranges.length} shards)` : plan.name);
  const inputs = await ensureInputs(b, plan, 'merge', o.wait);
  const study = { study: { dir, kind: plan.kind, shards: plan.ranges.length, merged: shards, partial, ...(partial ? { missing } : {}) } };
  const opened: Db[] = [];
  try {
    const dbs = done.map((d) => {
      const db = openDatabaseReadOnly(d.file);
      opened.push(db);
      return { db, d };
    });
    if (plan.kind === 'capture') {
      const samples = plan.capture!.samplePicks.length;
      const d = mergeCaptures(
        b.db,
        dbs.map(({ db, d }) => ({ db, datasetId: d.result, label: `shard ${d.index}` })),
        name,
        { ...study, filter: partial ? plan.filter : { ...plan.filter, offset: plan.ranges[0]!.offset, documents: plan.documents }, samples },
      );
      return { kind: 'dataset', id: d.id, name: d.name, shards, partial };
    }
    const params = AblateParams.parse({ ...plan.ablate!, ...inputs, filter: { ...plan.filter, offset: plan.ranges[0]!.offset, documents: plan.documents }, name });
    const id = mergeAblations(
      b.db,
      dbs.map(({ db, d }) => ({ db, ablationId: d.result, label: `shard ${d.index}` })),
      { ...inputs, name, params: { ...params, ...study } as AblateParams },
    );
    return { kind: 'ablation', id, name, shards, partial };
  } finally {
    for (const db of opened) db.close();
  }
}
