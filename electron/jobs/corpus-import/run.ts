// The corpus-import job, in the worker process: documents go into the database in batches,
// each batch one transaction, so a crash loses at most the batch in flight and a resumed job
// continues after the last committed document.
import { appendDocuments, corpusChecksum, corpusOfJob, createImportingCorpus, markCorpusReady, type NewDocument } from '../../../db/corpora.js';
import type { CorpusImportParams } from '../../api.js';
import type { JobContext } from '../definition.js';
import { openCorpusSource } from './sources.js';

/** Commit after this many documents or bytes, whichever comes first. */
const BATCH_DOCUMENTS = 25;
const BATCH_BYTES = 2 * 1024 * 1024;

export interface CorpusImportResult {
  corpus: { id: number; name: string; documents: number; bytes: number };
}

export function runCorpusImport(ctx: JobContext<CorpusImportParams>): CorpusImportResult {
  const { db, jobId, params } = ctx;
  // Opening validates the source (encoding, emptiness, JSONL syntax) before anything is written.
  const source = openCorpusSource(params.source);
  const existing = ctx.resume ? corpusOfJob(db, jobId) : undefined;
  const corpus =
    existing ??
    createImportingCorpus(db, {
      name: params.name ?? source.defaultName,
      source: source.description,
      jobId,
      metadataFields: source.metadataFields,
    });

  let done = corpus.documents;
  ctx.progress(done, source.count, 'documents');
  let batch: NewDocument[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    appendDocuments(db, corpus.id, done, batch);
    done += batch.length;
    batch = [];
    batchBytes = 0;
    ctx.progress(done, source.count, 'documents');
  };
  for (const doc of source.documents(done)) {
    batch.push({ name: doc.name, text: doc.text, metadata: doc.metadata, annotations: doc.annotations });
    batchBytes += doc.text.length;
    if (batch.length >= BATCH_DOCUMENTS || batchBytes >= BATCH_BYTES) flush();
  }
  flush();

  ctx.progress(done, source.count, 'documents', 'computing checksum');
  markCorpusReady(db, corpus.id, corpusChecksum(db, corpus.id));
  const ready = corpusOfJob(db, jobId)!;
  return { corpus: { id: ready.id, name: ready.name, documents: ready.documents, bytes: ready.bytes } };
}
