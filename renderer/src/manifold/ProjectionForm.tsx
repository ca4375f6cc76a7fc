import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { Params } from '../api/contract';
import { useImportForm } from '../components/useImportForm';
import { ErrorAlert } from '../components/ErrorAlert';

/** "layer:neuron, ..." -> neurons, or a message naming the bad entry. */
export function parseNeuronList(text: string): Array<{ layer: number; neuron: number }> | string {
  const parts = text.split(/[\s,]+/).filter((p) => p.length > 0);
  const out: Array<{ layer: number; neuron: number }> = [];
  for (const p of parts) {
    const m = /^(\d+):(\d+)$/.exec(p);
    if (!m) return `“${p}” is not layer:neuron (e.g. 0:12).`;
    out.push({ layer: Number(m[1]), neuron: Number(m[2]) });
  }
  return out;
}

/** Starts a project job for a dataset: method, dimensions, options, an optional ablation. */
export function ProjectionForm({ datasetId, layers }: { datasetId: number; layers: number | null }) {
  const api = useApi();
  const form = useImportForm<'project'>();
  const [method, setMethod] = useState<'pca' | 'umap'>('pca');
  const [dims, setDims] = useState<2 | 3>(3);
  const [shared, setShared] = useState(false);
  const [maxPoints, setMaxPoints] = useState('');
  const [ablate, setAblate] = useState('');
  const [ablateMethod, setAblateMethod] = useState<'zero' | 'mean'>('zero');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const neurons = parseNeuronList(ablate);
    if (typeof neurons === 'string') return form.setError(neurons);
    const bad = layers !== null ? neurons.find((n) => n.layer >= layers) : undefined;
    if (bad) return form.setError(`Layer ${bad.layer} does not exist: the model has layers 0–${(layers as number) - 1}.`);
    const limit = maxPoints.trim() === '' ? undefined : Number(maxPoints);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 3)) return form.setError('Max points must be a whole number of at least 3 (or empty for all).');
    const params: Params<'projection.start'> = {
      datasetId,
      method,
      dims,
      ...(method === 'pca' && shared ? { sharedBasis: true } : {}),
      ...(limit !== undefined ? { maxPoints: limit } : {}),
      ...(neurons.length > 0 ? { ablation: { neurons, method: ablateMethod } } : {}),
    };
    form.start('project', () => api.call('projection.start', params), false);
  };

  return (
    <section className="card" aria-labelledby="projection-form-title">
      <h2 id="projection-form-title" className="card-title">
        New projection
      </h2>
      <form className="projection-form" onSubmit={onSubmit} noValidate>
        <div className="field">
          <label htmlFor="projection-method">Method</label>
          <select id="projection-method" className="input" data-testid="projection-method" value={method} onChange={(e) => setMethod(e.target.value as 'pca' | 'umap')}>
            <option value="pca">PCA (linear, fast)</option>
            <option value="umap">UMAP (neighbourhoods, slower)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="projection-dims">Dimensions</label>
          <select id="projection-dims" className="input" data-testid="projection-dims" value={dims} onChange={(e) => setDims(Number(e.target.value) as 2 | 3)}>
            <option value={3}>3</option>
            <option value={2}>2</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="projection-max-points">Max points</label>
          <input id="projection-max-points" className="input" inputMode="numeric" placeholder="all samples" data-testid="projection-max-points" value={maxPoints} onChange={(e) => setMaxPoints(e.target.value)} />
        </div>
        <div className="field field-check">
          <label>
            <input type="checkbox" checked={shared} disabled={method !== 'pca'} onChange={(e) => setShared(e.target.checked)} data-testid="projection-shared" /> One PCA basis for all layers
          </label>
        </div>
        <div className="field field-wide">
          <label htmlFor="projection-ablate">Ablate neurons (optional)</label>
          <input id="projection-ablate" className="input" placeholder="layer:neuron, e.g. 0:12, 1:7" data-testid="projection-ablate" value={ablate} onChange={(e) => setAblate(e.target.value)} />
          <p className="hint">The sampled tokens run again with these neurons switched off; the viewer's “Ablated” toggle shows where their states move.</p>
        </div>
        <div className="field">
          <label htmlFor="projection-ablate-method">Replace by</label>
          <select id="projection-ablate-method" className="input" value={ablateMethod} onChange={(e) => setAblateMethod(e.target.value as 'zero' | 'mean')}>
            <option value="zero">zero</option>
            <option value="mean">the neuron’s mean</option>
          </select>
        </div>
        <div className="import-actions">
          <button type="submit" className="button button-primary" disabled={form.busy !== null} data-testid="projection-start">
            Start projection
          </button>
          {form.started && (
            <span className="hint" role="status" data-testid="projection-started">
              Job #{form.started.id} started: progress in the Jobs drawer (status bar, j); the projection appears below when it is done.
            </span>
          )}
        </div>
        {form.error && <ErrorAlert message={form.error} />}
      </form>
    </section>
  );
}
