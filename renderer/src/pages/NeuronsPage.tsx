import { Warnings } from '../datasets/Warnings';
import { useApi } from '../api/ApiContext';
import type { Dataset } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { DatasetTable } from '../datasets/DatasetTable';
import { ExpertsSection } from '../experts/ExpertsSection';
import { formatCount } from '../format';
import { NeuronDetailView } from '../neurons/NeuronDetailView';
import { LayerCharts } from '../neurons/LayerCharts';
import { MassiveDims } from '../neurons/MassiveDims';
import { NeuronList } from '../neurons/NeuronList';
import { NeuronSets } from '../neurons/NeuronSets';
import { hrefFor } from '../routing/route';
import { NextActions } from '../components/NextActions';
import { captureNextSteps } from '../components/nextSteps';

const index = (s: string | undefined, min: number) => (s !== undefined && /^\d+$/.test(s) && Number(s) >= min ? Number(s) : null);

/** #/neurons: pick a dataset; #/neurons/<dataset>: its neurons; #/neurons/<dataset>/<layer>/<neuron>: one neuron. */
export function NeuronsPage({ rest }: { rest: readonly string[] }) {
  const api = useApi();
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  const models = useQuery('models', () => api.call('model.list', {}));
  const corpora = useQuery('corpora', () => api.call('corpus.list', {}));
  useChanges('datasets-changed', datasets.reload);
  useChanges('models-changed', models.reload);

  const datasetId = index(rest[0], 1);
  const layer = index(rest[1], 0);
  const neuron = index(rest[2], 0);

  if (datasetId !== null && layer !== null && neuron !== null) return <NeuronDetailView key={`${datasetId}:${layer}:${neuron}`} datasetId={datasetId} layer={layer} neuron={neuron} />;

  const header = <PageHeader title="Neurons">Fire rates, dead neurons and outliers, layer by layer, and what one neuron does.</PageHeader>;
  if (datasets.error && !datasets.data) return <>{header}<ErrorAlert message={`Could not load datasets: ${datasets.error.message}`} onRetry={datasets.reload} /></>;
  if (!datasets.data) return <>{header}<Loading label="Loading datasets…" /></>;

  if (rest[0] !== undefined) {
    const dataset = datasets.data.find((d: Dataset) => d.id === datasetId);
    if (!dataset) return <>{header}<ErrorAlert message={`There is no dataset “${rest[0]}”. Pick one on the Neurons page.`} testId="dataset-not-found" /></>;
    const model = models.data?.find((m) => m.id === dataset.modelId);
    return (
      <div data-testid="neurons-of-dataset" data-dataset-id={dataset.id}>
        <a className="back-link" href={hrefFor('neurons')}>
          ‹ All datasets
        </a>
        <PageHeader title={`Neurons of “${dataset.name}”`} actions={<NextActions actions={captureNextSteps(api, dataset)} />}>
          {`${model ? model.name : `model #${dataset.modelId}`} · ${formatCount(dataset.tokens)} tokens${model ? ` · ${model.layers} layers × ${formatCount(model.dFf)} neurons` : ''}`}
        </PageHeader>
        <Warnings warnings={dataset.warnings} testId="dataset-warnings" />
        <LayerCharts dataset={dataset} layers={model?.layers ?? null} />
        <ExpertsSection dataset={dataset} />
        <NeuronList dataset={dataset} layers={model?.layers ?? null} experts={model?.experts ?? null} neuronsPerLayer={model?.dFf ?? null} />
        <MassiveDims dataset={dataset} />
        <NeuronSets modelId={dataset.modelId} layers={model?.layers ?? null} />
      </div>
    );
  }

  if (datasets.data.length === 0) {
    return (
      <>
        {header}
        <EmptyState
          testId="neurons-empty"
          title="Nothing to inspect yet"
          next={
            <a className="button button-primary" href={hrefFor('datasets')}>
              Start a capture
            </a>
          }
        >
          <p>
            This page shows each neuron&apos;s fire rate and activation statistics; dead and rarely firing neurons, with the
            number of tokens behind each verdict; outliers (massive activations, heavy tails); and for a single neuron its
            max-activating contexts and the tokens its value vector promotes.
          </p>
          <p>It reads the statistics of a capture. Start one on the Datasets page.</p>
        </EmptyState>
      </>
    );
  }
  return (
    <>
      {header}
      <p className="hint">Choose a dataset.</p>
      <DatasetTable datasets={datasets.data} models={models.data ?? []} corpora={corpora.data ?? []} />
    </>
  );
}
