import { useId, useState, type FormEvent } from 'react';
import type { Job } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { useJobs } from '../jobs/JobsStore';

type Busy = 'import' | 'pick' | null;

/**
 * Starts model-import jobs from a path on the backend machine: a Hugging Face folder, a
 * .safetensors file with its config.json beside it, or a llama2.c .bin.
 */
export function ModelImportForm({ canPickFiles }: { canPickFiles: boolean }) {
  const api = useApi();
  const { upsert } = useJobs();
  const pathId = useId();
  const nameId = useId();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Job | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = path.trim();
    if (!trimmed) {
      setError('Enter the path of a Hugging Face checkpoint folder, a .safetensors file, or a llama2.c .bin file.');
      return;
    }
    const trimmedName = name.trim();
    setBusy('import');
    setError(null);
    setStarted(null);
    try {
      const { job } = await api.call('model.import', { path: trimmed, ...(trimmedName ? { name: trimmedName } : {}) });
      upsert(job);
      setStarted(job);
      setPath('');
      setName('');
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  const pick = async (kind: 'file' | 'folder') => {
    setBusy('pick');
    setError(null);
    try {
      const { path: picked } = await api.call('app.pickPath', {
        kind,
        title: kind === 'file' ? 'Choose a checkpoint file (.safetensors or llama2.c .bin)' : 'Choose a Hugging Face checkpoint folder',
      });
      if (picked) setPath(picked);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card import-card" aria-labelledby="model-import-title">
      <h2 id="model-import-title" className="card-title">
        Import a model
      </h2>
      <form className="import-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <div className="field field-grow">
          <label htmlFor={pathId}>Checkpoint folder or file</label>
          <div className="input-row">
            <input
              id={pathId}
              className="input mono"
              data-testid="model-path"
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder={canPickFiles ? '/path/to/checkpoint or click Browse' : '/path/on/the/backend/machine/gpt2'}
              value={path}
              onChange={(event) => setPath(event.target.value)}
              aria-describedby={`${pathId}-hint`}
            />
            {canPickFiles && (
              <>
                <button type="button" className="button" data-testid="model-browse-file" disabled={busy !== null} onClick={() => void pick('file')}>
                  Browse…
                </button>
                <button type="button" className="button" data-testid="model-browse-folder" disabled={busy !== null} onClick={() => void pick('folder')}>
                  Folder…
                </button>
              </>
            )}
          </div>
          <p id={`${pathId}-hint`} className="hint">
            {canPickFiles
              ? 'A path on this computer.'
              : 'A path on the machine running the FFN Lab backend (the browser does not upload files).'}{' '}
            A Hugging Face folder with config.json and model.safetensors (or a sharded index), a .safetensors file with config.json beside
            it, or a llama2.c .bin. The files stay where they are.
          </p>
        </div>
        <div className="field">
          <label htmlFor={nameId}>Name (optional)</label>
          <input
            id={nameId}
            className="input"
            data-testid="model-name"
            type="text"
            maxLength={200}
            placeholder="From the folder or file name"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="import-actions">
          <button type="submit" className="button button-primary" data-testid="model-import" disabled={busy !== null}>
            {busy === 'import' ? 'Starting…' : 'Import'}
          </button>
          <span className="hint">GPT-2, Llama 2/3, Mistral, Qwen2, SmolLM, TinyLlama, GPT-NeoX/Pythia, OPT; F32, F16 or BF16.</span>
        </div>
      </form>
      {error && <ErrorAlert message={error} testId="model-import-error" />}
      {started && (
        <p className="notice" role="status" data-testid="model-import-started">
          Started “{started.title}”. Its progress is in the Jobs panel; the model appears below when it finishes.
        </p>
      )}
    </section>
  );
}
