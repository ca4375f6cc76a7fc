import type { CorpusImportParams } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { ImportCard, type ImportTexts } from '../components/ImportCard';
import { useImportForm } from '../components/useImportForm';

const texts: ImportTexts = {
  label: 'File or folder path (.txt, folder of .txt, .jsonl)',
  placeholders: { picker: '/path/to/texts or click Browse', typed: '/path/on/the/backend/machine/texts.jsonl' },
  pickTitles: { file: 'Choose a corpus file (.txt or .jsonl)', folder: 'Choose a folder of .txt files' },
  namePlaceholder: 'From the file or folder name',
  browse: { title: 'Choose a corpus (a .txt or .jsonl file, or a folder of .txt files)', want: 'corpus' },
  hint: 'Each .txt file is one document; a .jsonl file has one JSON object per line with a "text" field, and its other fields become document metadata.',
  emptyPath: 'Enter the path of a .txt file, a folder of .txt files, or a .jsonl file.',
};

/**
 * Starts corpus-import jobs: from a path on the backend machine (a .txt file, a folder of .txt
 * files, or a .jsonl file), or the Brown corpus that ships with the app.
 */
export function CorpusImportForm({ canPickFiles }: { canPickFiles: boolean }) {
  const api = useApi();
  const form = useImportForm<'import' | 'brown'>();
  const corpusImport = (params: CorpusImportParams) => api.call('corpus.import', params);

  return (
    <ImportCard
      what="corpus"
      form={form}
      canPickFiles={canPickFiles}
      texts={texts}
      submit={(path, named) => corpusImport({ source: { kind: 'path', path }, ...named })}
      more={
        <>
          <span className="import-or">or</span>
          <button
            type="button"
            className="button"
            data-testid="import-brown"
            disabled={form.busy !== null}
            onClick={() => form.start('brown', () => corpusImport({ source: { kind: 'brown' } }), false)}
          >
            {form.busy === 'brown' ? 'Starting…' : 'Import the Brown corpus'}
          </button>
          <span className="hint">500 samples of American English in 15 genres, bundled with the app.</span>
        </>
      }
    />
  );
}
