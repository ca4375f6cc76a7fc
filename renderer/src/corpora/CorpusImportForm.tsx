import { useId, useState, type FormEvent } from 'react';
import type { CorpusImportParams, Job } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { useJobs } from '../jobs/JobsStore';

type Busy = 'import' | 'brown' | 'pick' | null;

/**
 * Starts corpus-import jobs: from a path on the backend machine (a .txt file, a folder of .txt
 * files, or a .jsonl file), or the Brown corpus that ships with the app.
 */
export function CorpusImportForm({ canPickFiles }: { canPickFiles: boolean }) {
  const api = useApi();
  const { upsert } = useJobs();
  const pathId = useId();
  const nameId = useId();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Job | null>(null);

  const start = async (params: CorpusImportParams, kind: 'import' | 'brown') => {
    setBusy(kind);
    setError(null);
    setStarted(null);
    try {
      const { job } = await api.call('corpus.import', params);
      upsert(job);
      setStarted(job);
      if (kind === 'import') {
        setPath('');
        setName('');
      }
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = path.trim();
    if (!trimmed) {
      setError('Enter the path of a .txt file, a folder of .txt files, or a .jsonl file.');
      return;
    }
    const trimmedName = name.trim();
    void start({ source: { kind: 'path', path: trimmed }, ...(trimmedName ? { name: trimmedName } : {}) }, 'import');
  };

  const pick = async (kind: 'file' | 'folder') => {
    setBusy('pick');
    setError(null);
    try {
      const { path: picked } = await api.call('app.pickPath', {
        kind,
        title: kind === 'file' ? 'Choose a corpus file (.txt or .jsonl)' : 'Choose a folder of .txt files',
      });
      if (picked) setPath(picked);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card import-card" aria-labelledby="import-title">
      <h2 id="import-title" className="card-title">
        Import a corpus
      </h2>
      <form className="import-form" onSubmit={onSubmit} noValidate>
        <div className="field field-grow">
          <label htmlFor={pathId}>File or folder path (.txt, folder of .txt, .jsonl)</label>
          <div className="input-row">
            <input
              id={pathId}
              className="input mono"
              data-testid="corpus-path"
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder={canPickFiles ? '/path/to/texts or click Browse' : '/path/on/the/backend/machine/texts.jsonl'}
              value={path}
              onChange={(event) => setPath(event.target.value)}
              aria-describedby={`${pathId}-hint`}
            />
            {canPickFiles && (
              <>
                <button type="button" className="button" data-testid="corpus-browse-file" disabled={busy !== null} onClick={() => void pick('file')}>
                  Browse…
                </button>
                <button type="button" className="button" data-testid="corpus-browse-folder" disabled={busy !== null} onClick={() => void pick('folder')}>
                  Folder…
                </button>
              </>
            )}
          </div>
          <p id={`${pathId}-hint`} className="hint">
            {canPickFiles
              ? 'A path on this computer.'
              : 'A path on the machine running the FFN Lab backend (the browser does not upload files).'}{' '}
            Each .txt file is one document; a .jsonl file has one JSON object per line with a "text" field, and its other fields become document metadata.
          </p>
        </div>
        <div className="field">
          <label htmlFor={nameId}>Name (optional)</label>
          <input
            id={nameId}
            className="input"
            data-testid="corpus-name"
            type="text"
            maxLength={200}
            placeholder="From the file or folder name"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="import-actions">
          <button type="submit" className="button button-primary" data-testid="corpus-import" disabled={busy !== null}>
            {busy === 'import' ? 'Starting…' : 'Import'}
          </button>
          <span className="import-or">or</span>
          <button type="button" className="button" data-testid="import-brown" disabled={busy !== null} onClick={() => void start({ source: { kind: 'brown' } }, 'brown')}>
            {busy === 'brown' ? 'Starting…' : 'Import the Brown corpus'}
          </button>
          <span className="hint">500 samples of American English in 15 genres, bundled with the app.</span>
        </div>
      </form>
      {error && <ErrorAlert message={error} testId="corpus-import-error" />}
      {started && (
        <p className="notice" role="status" data-testid="corpus-import-started">
          Started “{started.title}”. Its progress is in the Jobs panel; the corpus appears below when it finishes.
        </p>
      )}
    </section>
  );
}
