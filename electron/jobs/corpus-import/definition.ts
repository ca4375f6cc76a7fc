import { CorpusImportParams } from '../../api.js';
import { deleteUnfinishedCorpusOfJob } from '../../../db/corpora.js';
import type { JobDefinition } from '../definition.js';

export const corpusImport: JobDefinition<CorpusImportParams> = {
  kind: 'corpus-import',
  params: CorpusImportParams,
  title: (p) => {
    const what = p.source.kind === 'brown' ? 'the Brown corpus' : p.source.path;
    return p.name ? `Import corpus "${p.name}" from ${what}` : `Import ${what}`;
  },
  resumable: true,
  cleanup: (db, jobId) => {
    deleteUnfinishedCorpusOfJob(db, jobId);
  },
};
