import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import { useQuery } from '../api/useQuery';
import type { Result } from '../api/contract';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/Field';
import { hrefFor } from '../routing/route';

type Status = Result<'study.status'>;
type Imported = Result<'study.import'>;

/**
 * "Open a cluster study": a folder written by `ffn-lab cluster plan` (its shards run as a Slurm job
 * array or a Kubernetes Indexed Job). Shows where each shard stands and imports the merged result
 * into this database, or what is done so far, marked partial.
 */
export function StudyForm() {
  const api = useApi();
  const info = useQuery('app-info', () => api.call('app.info', {}));
  const canPickFiles = info.data?.canPickFiles ?? false;
  const [dir, setDir] = useState('');
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<Imported | null>(null);
  const [busy, setBusy] = useState(false);
  const check = async (e?: FormEvent, folder = dir) => {
    e?.preventDefault();
    setError(null);
    setMade(null);
    setStatus(null);
    if (folder.trim() === '') return setError('Give the study folder (what cluster plan --out wrote).');
    try {
      setStatus(await api.call('study.status', { dir: folder.trim() }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const browse = async () => {
    const picked = await api.call('app.pickPath', { kind: 'folder', title: 'Open a cluster study folder' });
    if (picked.path) {
      setDir(picked.path);
      await check(undefined, picked.path);
    }
  };
  const importIt = async (partial: boolean) => {
    setError(null);
    setBusy(true);
    try {
      setMade(await api.call('study.import', { dir: dir.trim(), partial }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const done = status?.shards.filter((s) => s.state === 'done').length ?? 0;
  const total = status?.shards.length ?? 0;
  return (
    <section className="card" aria-labelledby="study-title" data-testid="study-card">
      <h2 id="study-title" className="card-title">
        Open a cluster study
      </h2>
      <p className="hint">
        A study folder from <code>ffn-lab cluster plan</code>: its shards ran on a cluster (Slurm or Kubernetes) and merge exactly into
        one result.
      </p>
      <form className="merge-form" onSubmit={(e) => void check(e)} noValidate>
        <Field id="study-dir" label="Study folder">
          <input id="study-dir" className="input" data-testid="study-dir" value={dir} onChange={(e) => setDir(e.target.value)} />
        </Field>
        <div className="import-actions">
          {canPickFiles && (
            <button type="button" className="button" onClick={() => void browse()}>
              Browse…
            </button>
          )}
          <button type="submit" className="button" data-testid="study-check">
            Check
          </button>
        </div>
      </form>
      {status && (
        <div data-testid="study-status">
          <p>
            {`"${status.name}" (${status.kind}): ${done} of ${total} shards done`}
            {status.resubmit.length > 0 && `; to resubmit: ${status.resubmit.join(', ')}`}
          </p>
          <ul>
            {status.shards.map((s) => (
              <li key={s.index}>{`shard ${s.index}: ${s.state}${s.slurm ? ` (Slurm: ${s.slurm})` : ''}${s.progress ? `, ${s.progress.done}/${s.progress.total ?? '?'}` : ''}`}</li>
            ))}
          </ul>
          <div className="import-actions">
            <button type="button" className="button button-primary" disabled={busy || done < total} onClick={() => void importIt(false)} data-testid="study-import">
              {busy ? 'Importing…' : 'Import the merged result'}
            </button>
            {done > 0 && done < total && (
              <button type="button" className="button" disabled={busy} onClick={() => void importIt(true)} data-testid="study-import-partial">
                {`Import the ${done} done (partial)`}
              </button>
            )}
          </div>
        </div>
      )}
      {error && <ErrorAlert message={error} testId="study-error" />}
      {made && (
        <p className="notice" role="status" data-testid="study-done">
          Imported {made.partial ? 'partial ' : ''}
          {made.kind === 'dataset' ? <a href={hrefFor('neurons', made.id)}>{made.name}</a> : <a href={hrefFor('ablation')}>{made.name}</a>}
          {` from shards ${made.shards.join(', ')}.`}
        </p>
      )}
    </section>
  );
}
