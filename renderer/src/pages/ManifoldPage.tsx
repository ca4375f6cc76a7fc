import { lazy, Suspense } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset, ProjectionRun } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { formatCount, formatDateTime } from '../format';
import { IntrinsicCharts } from '../manifold/IntrinsicCharts';
import { ProjectionForm } from '../manifold/ProjectionForm';
import { hrefFor } from '../routing/route';
import { useDefaultProjection } from './useDefaultProjection';
import { NextActions, type NextAction } from '../components/NextActions';
import '../manifold/manifold.css';

// three.js is large: loaded only when a projection is shown
const ManifoldView = lazy(() => import('../manifold/ManifoldView').then((m) => ({ default: m.ManifoldView })));

const index = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) && Number(s) >= 1 ? Number(s) : null);
const samplesOf = (d: Dataset) => Number((d.params as { samples?: unknown } | null)?.samples ?? 0) || 0;

function runLabel(r: ProjectionRun): string {
  const ablation = r.ablation ? ` · ${r.ablation.neurons} neurons ablated (${r.ablation.method})` : '';
  return `${r.method.toUpperCase()} ${r.dims}-D of the ${r.space === 'ffn' ? 'FFN activations' : 'residual stream'}, ${formatCount(r.points)} points, layers ${r.layers.join(', ')}${r.sharedBasis ? ', one basis' : ''}${ablation}`;
}

/** #/manifold: pick a dataset; #/manifold/<dataset>[/<projection>]: its projections, the 3D view and the intrinsic dimension. */
export function ManifoldPage({ rest = [] }: { rest?: readonly string[] }) {
  const api = useApi();
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  const models = useQuery('models', () => api.call('model.list', {}));
  useChanges('datasets-changed', datasets.reload);
  const datasetId = index(rest[0]);
  const header = <PageHeader title="Manifold">Hidden states per layer as a 3D point cloud, and their intrinsic dimension.</PageHeader>;
  if (datasets.error && !datasets.data) return <>{header}<ErrorAlert message={`Could not load datasets: ${datasets.error.message}`} onRetry={datasets.reload} /></>;
  if (!datasets.data) return <>{header}<Loading label="Loading datasets…" /></>;

  const dataset = datasets.data.find((d) => d.id === datasetId);
  if (dataset) {
    const model = models.data?.find((m) => m.id === dataset.modelId);
    return (
      <>
        <a className="back-link" href={hrefFor('manifold')}>
          ‹ All datasets
        </a>
        <PageHeader title={`Manifold of “${dataset.name}”`} actions={<NextActions actions={manifoldNextSteps(dataset)} />}>{`${model ? model.name : `model #${dataset.modelId}`} · ${formatCount(samplesOf(dataset))} sampled tokens`}</PageHeader>
        <DatasetManifold dataset={dataset} layers={model?.layers ?? null} runId={index(rest[1])} />
      </>
    );
  }

  const withSamples = datasets.data.filter((d) => samplesOf(d) > 0);
  if (withSamples.length === 0) {
    return (
      <>
        {header}
        {rest[0] !== undefined && <ErrorAlert message={`There is no dataset “${rest[0]}”.`} testId="dataset-not-found" />}
        <EmptyState testId="manifold-empty" title="No sampled hidden states yet" next={<a className="button button-primary" href={hrefFor('datasets')}>Datasets</a>}>
          <p>
            This page projects hidden states sampled during a capture to 3D (PCA, UMAP), per layer, coloured by token, part
            of speech, genre, position, loss or a neuron&apos;s activation, with the intrinsic dimension of each layer
            (TwoNN beside PCA-90).
          </p>
          <p>
            It needs a capture that kept samples: from the command line, <code>ffn-lab capture --model M --corpus C --samples 5000</code>.
          </p>
        </EmptyState>
      </>
    );
  }
  // the most recent dataset is shown (and projected) at once; the list picks another
  const latest = withSamples.reduce((a, b) => (b.id > a.id ? b : a));
  const latestModel = models.data?.find((m) => m.id === latest.modelId);
  return (
    <>
      {header}
      <p className="hint">Choose a dataset with sampled hidden states; the most recent one is shown below.</p>
      <ul className="manifold-datasets" data-testid="manifold-datasets">
        {withSamples.map((d) => (
          <li key={d.id}>
            <a href={hrefFor('manifold', d.id)} data-testid="manifold-dataset" data-dataset-id={d.id}>
              {d.name}
            </a>{' '}
            <span className="muted">
              {formatCount(samplesOf(d))} samples · {formatCount(d.tokens)} tokens · {formatDateTime(d.createdAt)}
            </span>
          </li>
        ))}
      </ul>
      <h2 className="section-title" data-testid="manifold-latest">{`Most recent: “${latest.name}” (${latestModel ? latestModel.name : `model #${latest.modelId}`})`}</h2>
      <NextActions actions={manifoldNextSteps(latest)} />
      <DatasetManifold key={latest.id} dataset={latest} layers={latestModel?.layers ?? null} runId={null} />
    </>
  );
}

/** From a manifold: the capture's neurons and the model's notebook. */
function manifoldNextSteps(d: Dataset): NextAction[] {
  return [
    { label: 'View the neurons', testId: 'next-neurons', href: hrefFor('neurons', d.id) },
    { label: 'Notebook', testId: 'next-notebook', href: hrefFor('notebook', d.modelId) },
  ];
}

function DatasetManifold({ dataset, layers, runId }: { dataset: Dataset; layers: number | null; runId: number | null }) {
  const api = useApi();
  const runs = useQuery(`projections:${dataset.id}`, () => api.call('projection.list', { datasetId: dataset.id }));
  useChanges('projections-changed', runs.reload);
  const chosen = runs.data?.find((r) => r.id === runId) ?? runs.data?.[0];
  const auto = useDefaultProjection(dataset, runs.data);
  return (
    <div className="manifold-page" data-testid="manifold-dataset-page" data-dataset-id={dataset.id}>
      {runs.data?.length === 0 && <ProjectionForm datasetId={dataset.id} layers={layers} />}
      {runs.error && <ErrorAlert message={`Could not load projections: ${runs.error.message}`} onRetry={runs.reload} />}
      {runs.data && runs.data.length === 0 && (
        <EmptyState testId="projections-empty" title={auto.jobId !== null ? 'Projecting: PCA of all layers…' : 'No projections of this dataset yet'}>
          {auto.jobId !== null && <p data-testid="projection-default">A default projection (PCA to 3-D, all layers) was started for you (job {auto.jobId}); it appears here when done.</p>}
          {auto.error && <ErrorAlert message={`The default projection did not start: ${auto.error}`} />}
          <p>Or start another above: PCA takes seconds; UMAP minutes for large samples. It appears here when the job is done.</p>
        </EmptyState>
      )}
      {runs.data && runs.data.length > 0 && chosen && (
        <>
          <div className="field">
            <label htmlFor="manifold-run">Projection</label>
            <select
              id="manifold-run"
              className="input"
              value={chosen.id}
              data-testid="manifold-run"
              onChange={(e) => {
                window.location.hash = hrefFor('manifold', dataset.id, e.target.value);
              }}
            >
              {runs.data.map((r) => (
                <option key={r.id} value={r.id}>
                  {`#${r.id}: ${runLabel(r)}`}
                </option>
              ))}
            </select>
          </div>
          <Suspense fallback={<Loading label="Loading the 3D viewer…" />}>
            <ManifoldView runId={chosen.id} datasetId={dataset.id} modelId={dataset.modelId} />
          </Suspense>
        </>
      )}
      {runs.data && runs.data.length > 0 && <ProjectionForm datasetId={dataset.id} layers={layers} />}
      <IntrinsicCharts datasetId={dataset.id} />
    </div>
  );
}
