import { useEffect, useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset } from '../api/contract';
import { useQuery } from '../api/useQuery';
import { errorMessage } from '../api/errors';
import { ConfirmDeleteButton } from '../components/ConfirmDeleteButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/Field';
import { formatCount } from '../format';

/** What deleting the capture removes, and what it keeps (ablation runs that used it). */
function DeleteQuestion({ dataset }: { dataset: Dataset }) {
  const api = useApi();
  const deps = useQuery(`dataset-dependents:${dataset.id}`, () => api.call('dataset.dependents', { id: dataset.id })).data;
  return (
    <span data-testid="dataset-delete-question">
      {`Delete “${dataset.name}” with its statistics`}
      {deps ? `, ${formatCount(deps.samples)} sampled tokens and ${deps.projections} projection run${deps.projections === 1 ? '' : 's'}?` : '?'}
      {deps && deps.ablations.length > 0 && ` Ablation runs that used it keep their results: ${deps.ablations.map((a) => a.name).join(', ')}.`}
    </span>
  );
}

/**
 * "Manage a capture": rename it, export it for notebooks (safetensors or CSV into a folder on the
 * machine that runs the backend), or delete it with everything made from it.
 */
export function DatasetManage({ datasets }: { datasets: readonly Dataset[] }) {
  const api = useApi();
  const [chosenId, setChosenId] = useState<number>(datasets[0]?.id ?? 0);
  const chosen = datasets.find((d) => d.id === chosenId) ?? datasets[0];
  const [name, setName] = useState(chosen?.name ?? '');
  const [format, setFormat] = useState<'safetensors' | 'csv'>('safetensors');
  const [dir, setDir] = useState('');
  const [busy, setBusy] = useState<'rename' | 'export' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [files, setFiles] = useState<string[]>([]);
  useEffect(() => setName(chosen?.name ?? ''), [chosen?.id, chosen?.name]);
  if (!chosen) return null;

  const run = async (what: 'rename' | 'export', call: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    setDone(null);
    setFiles([]);
    try {
      await call();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void run('rename', async () => {
      const d = await api.call('dataset.rename', { id: chosen.id, name });
      setDone(`Renamed to “${d.name}”.`);
    });
  };
  const exportIt = (e: FormEvent) => {
    e.preventDefault();
    void run('export', async () => {
      const r = await api.call('dataset.export', { id: chosen.id, format, dir });
      setFiles(r.files);
      setDone(`Exported “${chosen.name}” as ${format === 'csv' ? 'CSV' : 'safetensors'}: ${r.files.length} files.`);
    });
  };
  return (
    <section className="card" aria-labelledby="manage-title" data-testid="dataset-manage">
      <h2 id="manage-title" className="card-title">
        Manage a capture
      </h2>
      <div className="manage-grid">
        <Field id="manage-dataset" label="Capture">
          <select id="manage-dataset" className="input" data-testid="manage-dataset" value={chosen.id} onChange={(e) => setChosenId(Number(e.target.value))}>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {`${d.name} (${formatCount(d.tokens)} tokens)`}
              </option>
            ))}
          </select>
        </Field>
        <form className="inline-form" onSubmit={rename} noValidate>
          <Field id="manage-name" label="Name">
            <input id="manage-name" className="input" data-testid="manage-name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <button type="submit" className="button" data-testid="manage-rename" disabled={busy !== null || name === chosen.name}>
            {busy === 'rename' ? 'Renaming…' : 'Rename'}
          </button>
        </form>
        <form className="inline-form" onSubmit={exportIt} noValidate>
          <Field id="manage-format" label="Export for notebooks">
            <select id="manage-format" className="input" data-testid="manage-format" value={format} onChange={(e) => setFormat(e.target.value as 'safetensors' | 'csv')}>
              <option value="safetensors">safetensors + JSON</option>
              <option value="csv">CSV + JSON</option>
            </select>
          </Field>
          <Field id="manage-dir" label="Into folder" hint="A folder on the computer that runs FFN Lab; created when missing.">
            <input id="manage-dir" className="input mono" data-testid="manage-dir" placeholder="/path/to/folder" value={dir} onChange={(e) => setDir(e.target.value)} />
          </Field>
          <button type="submit" className="button" data-testid="manage-export" disabled={busy !== null}>
            {busy === 'export' ? 'Exporting…' : 'Export'}
          </button>
        </form>
        <ConfirmDeleteButton testIdPrefix="dataset" label="Delete capture…" question={<DeleteQuestion dataset={chosen} />} remove={() => api.call('dataset.delete', { id: chosen.id })} onDeleted={() => setDone(`Deleted “${chosen.name}”.`)} />
      </div>
      {error && <ErrorAlert message={error} testId="manage-error" />}
      {done && (
        <p className="notice" role="status" data-testid="manage-done">
          {done}
        </p>
      )}
      {files.length > 0 && (
        <ul className="file-list mono" data-testid="manage-files">
          {files.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
