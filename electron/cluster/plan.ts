// `ffn-lab cluster plan`: a study folder from a capture's or an ablation's settings in this
// database. The study's documents are split into contiguous shards of about equal bytes; a
// capture's sampled tokens are chosen here, over the whole study, exactly as one unsharded capture
// chooses them, and each shard stores its part; an ablation's conditions are resolved here to exact
// neurons (verdicts, rankings, random controls), so every shard ablates the same sets.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/database.js';
import { getCorpus, selectDocuments } from '../../db/corpora.js';
import { getModel } from '../../db/models.js';
import type { AblateParams, CaptureParams } from '../api.js';
import { loadTokenizer } from '../../native-models/tokenizers/tokenizer.js';
import type { ModelSpec } from '../../native-models/spec.js';
import { planWindows } from '../jobs/capture/windows.js';
import { defaultSampleCount, planSamples } from '../jobs/capture/samples.js';
import { tokenizeDocuments } from '../jobs/job-model.js';
import { writeK8sFiles, type K8sOptions } from './k8s.js';
import { checkSbatchOption, writeSlurmFiles } from './slurm.js';
import { baseFile, splitRanges, STUDY_FILE, StudyError, StudyPlan, writeFileAtomic } from './study.js';
import { writeStudyBase } from '../../db/study-base.js';

export interface PlanRequest {
  kind: StudyPlan['kind'];
  out: string;
  shards: number;
  name?: string;
  /** capture: its parameters as the capture command makes them; ablate/sweep: the resolved job parameters */
  params: CaptureParams | AblateParams;
  command: string[];
  sbatch: string[];
  engine: 'slurm' | 'k8s';
  k8s?: K8sOptions;
}

export interface PlanOutcome {
  dir: string;
  plan: StudyPlan;
  files: string[];
}

export function planStudy(db: Db, r: PlanRequest): PlanOutcome {
  const dir = path.resolve(r.out);
  if (fs.existsSync(path.join(dir, STUDY_FILE))) throw new StudyError(`${dir} already holds a study (${STUDY_FILE}); choose another --out, or delete the folder to plan it again`);
  const p = r.params;
  const model = getModel(db, p.modelId);
  const corpus = getCorpus(db, p.corpusId);
  if (!model || !corpus) throw new StudyError('the model or the corpus of the study is not in this database');
  if (p.maxTokens !== undefined) throw new StudyError('a cluster study splits its documents between shards: give --documents N (and --skip-documents, --genre, --where, --names-file), not --max-tokens');
  if ('conditions' in p && p.method !== 'zero') {
    throw new StudyError(`--method ${p.method} is not supported in a cluster study yet: it needs the capture's ${p.method === 'mean' ? 'means' : 'samples'} in every shard; use --method zero`);
  }
  const sbatch = r.sbatch.map(checkSbatchOption);
  if (r.engine === 'k8s' && !r.k8s?.image) throw new StudyError('--engine k8s needs --image: a container image with FFN Lab (ffn-lab on its PATH)');
  if (r.engine === 'k8s' && !r.k8s?.claim) throw new StudyError('--engine k8s needs --pvc: the PersistentVolumeClaim that holds the study folder (mounted by every pod)');
  const { offset = 0, documents: _n, ...base } = p.filter;
  const docs = selectDocuments(db, corpus.id, p.filter);
  if (docs.length === 0) throw new StudyError(`no documents of corpus "${corpus.name}" match ${JSON.stringify(p.filter)}`);
  const ranges = splitRanges(
    docs.map((d) => Buffer.byteLength(d.text, 'utf8')),
    r.shards,
    offset,
  );
  const spec = model.spec as ModelSpec;
  let capture: StudyPlan['capture'];
  if (!('conditions' in p)) {
    const seqLen = Math.min(p.seqLen ?? 256, spec.maxPositions);
    const stride = p.stride ?? seqLen;
    if (stride > seqLen) throw new StudyError(`--stride ${stride} is longer than the sequence length ${seqLen}: tokens between windows would be skipped`);
    const samples = p.samples ?? defaultSampleCount(spec.nLayers, spec.dModel, spec.dFf);
    let picks: Array<[number, number]> = [];
    if (samples > 0) {
      // the study's window plan, as one capture over all its documents makes it
      const tokenizer = loadTokenizer(model.path, model.tokenizerPath);
      if (!tokenizer) throw new StudyError(`model "${model.name}" has no tokenizer (tokenizer.json in its folder, or tokenizer.bin beside a llama2.c .bin); a capture needs one`);
      const tokens = tokenizeDocuments(tokenizer, docs, Infinity, p.filter.tokensPerDocument);
      picks = planSamples(planWindows(tokens.map((t) => t.length), seqLen, stride), samples, p.seed).map((s) => [s.doc, s.position]);
    }
    capture = { seqLen, stride, batch: p.batch, threshold: p.threshold, fire: p.fire, topK: p.topK, seed: p.seed, samples, samplePicks: picks };
  }
  let ablate: StudyPlan['ablate'];
  if ('conditions' in p) {
    const { modelId: _m, corpusId: _c, datasetId: _d, filter: _f, name: _name, ...rest } = p;
    ablate = rest;
  }
  const plan = StudyPlan.parse({
    format: 'ffn-lab-study/1',
    kind: r.kind,
    name: r.name ?? p.name ?? `${model.name} ${r.kind} on ${corpus.name}`,
    createdAt: new Date().toISOString(),
    model: { name: model.name, path: model.path, sha256: model.sha256 },
    corpus: { name: corpus.name, source: corpus.source, checksum: corpus.checksum, documents: corpus.documents },
    filter: base,
    documents: docs.length,
    ranges,
    ...(capture ? { capture } : {}),
    ...(ablate ? { ablate } : {}),
    command: r.command,
    sbatch,
  } satisfies StudyPlan);
  fs.mkdirSync(dir, { recursive: true });
  const files = [STUDY_FILE];
  // the scheduler's files first: a refused option leaves no study behind
  const engineFiles = r.engine === 'k8s' ? writeK8sFiles(plan, dir, r.k8s ?? { image: '', claim: '' }) : writeSlurmFiles(plan, dir);
  writeStudyBase(db, baseFile(dir), model.id, corpus.id);
  // one [document, position] pair a line, not three
  writeFileAtomic(path.join(dir, STUDY_FILE), `${JSON.stringify(plan, null, 2).replace(/\[\s+(\d+),\s+(\d+)\s+\]/g, '[$1, $2]')}\n`);
  return { dir, plan, files: [...files, 'base.sqlite', ...engineFiles] };
}
