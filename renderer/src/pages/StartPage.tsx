import { useState } from 'react';
import type { Job, PairStudyKey, Result } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { BarChart } from '../charts/BarChart';
import { Figure } from '../charts/Figure';
import { GroupedIntervalChart } from '../charts/GroupedIntervalChart';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { JobProgressBar } from '../jobs/JobProgressBar';
import { useJobs } from '../jobs/JobsStore';
import { hrefFor } from '../routing/route';
import { NextActions } from '../components/NextActions';
import { explain } from '../start/explain';
import { PairStudyCard, PairStudyResult } from '../start/PairStudy';

type DemoModel = Result<'start.status'>['models'][number];

/** The Start-here job of a model that is queued or running, if any. */
function activeJob(jobs: readonly Job[], model: DemoModel): Job | undefined {
  return jobs.find((j) => (j.state === 'running' || j.state === 'queued') && (j.params as { name?: string }).name === `Start here: ${model.name}`);
}

/** #/start: one click per demo model runs capture, detectors and the quiet-set ablation (silent, else never-positive neurons); #/start/ID shows the result. */
export function StartPage({ rest }: { rest: string[] }) {
  const api = useApi();
  const status = useQuery('start-status', () => api.call('start.status', {}));
  useChanges('models-changed', status.reload);
  useChanges('corpora-changed', status.reload);
  useChanges('datasets-changed', status.reload);
  useChanges('ablations-changed', status.reload);
  const widthDepth = usePairStudy('width-depth');
  const denseMoe = usePairStudy('dense-moe');
  const pair = rest[0] === 'width-depth' ? widthDepth : rest[0] === 'dense-moe' ? denseMoe : null;
  if (pair) {
    if (pair.error) return <ErrorAlert message={pair.error.message} onRetry={pair.reload} />;
    if (!pair.data) return <Loading label="Looking for the study…" />;
    const { datasets } = pair.data;
    if (datasets) return <PairStudyResult status={{ ...pair.data, datasets }} />;
  }
  const chosen = rest[0] !== undefined ? Number(rest[0]) : null;
  const model = status.data?.models.find((m) => m.modelId === chosen);
  if (model && model.ablationId !== null && model.datasetId !== null) return <StartResult model={model} datasetId={model.datasetId} ablationId={model.ablationId} />;
  return (
    <>
      <PageHeader title="Start here">See the whole app work on a small model in about a minute.</PageHeader>
      <p className="lead">
        FFN Lab ships two small GPT-2 models trained on the Brown corpus, the same except for their feed-forward activation (GELU or
        ReLU). One click captures how often each of a model&apos;s 4,096 feed-forward neurons fires on its training text, finds the
        neurons that never fire, switches them off on held-out text beside a matched random set, and explains what it found.
      </p>
      {status.error && <ErrorAlert message={status.error.message} onRetry={status.reload} />}
      {!status.data && !status.error && <Loading label="Looking for the demo models…" />}
      {status.data && status.data.models.length === 0 && (
        <EmptyState testId="start-no-demo" title="The demo models are not registered" next={<a href={hrefFor('models')}>Open Models</a>}>
          <p>
            A fresh data folder registers them on the first start. Import <code>native-models/demo/brown-gpt2-relu</code> (and{' '}
            <code>brown-gpt2-gelu</code>) from the Models page, and the Brown corpus from Corpora, to use this page.
          </p>
        </EmptyState>
      )}
      {status.data && status.data.models.length > 0 && status.data.corpusId === null && (
        <p className="notice" data-testid="start-needs-corpus">
          The Brown corpus is not imported yet (its import may still be running, see Jobs); <a href={hrefFor('corpora')}>Corpora</a>.
        </p>
      )}
      <div className="start-cards">{status.data?.models.map((m) => <StartCard key={m.modelId} model={m} ready={status.data?.corpusId !== null} />)}</div>
      <h2 className="section-title start-study-title">Two more studies</h2>
      <p className="lead">
        Why do large models spend their parameters on wide feed-forward layers rather than on more layers? Two more demo models, one wide and shallow, one
        narrow and deep, with the same parameter count, put the question to the measurement. And why are the largest models built as mixtures of experts,
        with far more parameters than a token uses? A dense model and a mixture of experts with the same active parameters per token, trained alike, show
        what the router does with the extra ones.
      </p>
      {widthDepth.error && <ErrorAlert message={widthDepth.error.message} onRetry={widthDepth.reload} />}
      {denseMoe.error && <ErrorAlert message={denseMoe.error.message} onRetry={denseMoe.reload} />}
      <div className="start-cards">
        {widthDepth.data && <PairStudyCard status={widthDepth.data} onChange={widthDepth.reload} />}
        {denseMoe.data && <PairStudyCard status={denseMoe.data} onChange={denseMoe.reload} />}
      </div>
    </>
  );
}

/** A pair study's status, reloaded whenever a step of it (an import, capture or ablation) may have ended. */
function usePairStudy(study: PairStudyKey) {
  const api = useApi();
  const status = useQuery(`start-${study}`, () => api.call('start.pairStatus', { study }));
  useChanges('models-changed', status.reload);
  useChanges('corpora-changed', status.reload);
  useChanges('datasets-changed', status.reload);
  useChanges('ablations-changed', status.reload);
  return status;
}

function StartCard({ model, ready }: { model: DemoModel; ready: boolean }) {
  const api = useApi();
  const jobs = useJobs();
  const [error, setError] = useState<string | null>(null);
  const running = activeJob(jobs.jobs, model);
  const done = model.ablationId !== null;
  const run = async () => {
    setError(null);
    try {
      const { job } = await api.call('start.run', { id: model.modelId });
      jobs.upsert(job);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const step = running ? (running.kind === 'capture' ? 'Step 1 of 2: capturing neuron statistics' : 'Step 2 of 2: ablating the quiet set and its control') : null;
  return (
    <section className="card start-card" data-testid={`start-card-${model.name}`} aria-label={model.name}>
      <h2 className="card-title">{model.name}</h2>
      <p className="muted">{model.activation} feed-forward layers</p>
      {running && (
        <div data-testid="start-running">
          <p>{step}…</p>
          <JobProgressBar job={running} />
        </div>
      )}
      {!running && done && (
        <a className="button button-primary" href={hrefFor('start', model.modelId)} data-testid="start-result-link">
          See what was found
        </a>
      )}
      {!running && !done && (
        <button type="button" className="button button-primary" disabled={!ready} onClick={() => void run()} data-testid="start-run">
          {model.datasetId === null ? 'Run: capture, detect, ablate' : 'Continue: ablate the quiet set'}
        </button>
      )}
      {error && <ErrorAlert message={error} />}
    </section>
  );
}

function StartResult({ model, datasetId, ablationId }: { model: DemoModel; datasetId: number; ablationId: number }) {
  const api = useApi();
  const layers = useQuery(`start-layers:${datasetId}`, () => api.call('layers.get', { datasetId, bins: 20 }));
  const ablation = useQuery(`ablation:${ablationId}`, () => api.call('ablation.get', { id: ablationId }));
  const info = useQuery(`model:${model.modelId}`, () => api.call('model.get', { id: model.modelId }));
  const error = layers.error ?? ablation.error ?? info.error;
  if (error) return <ErrorAlert message={error.message} />;
  if (!layers.data || !ablation.data || !info.data) return <Loading label="Loading the result…" />;
  const dead = layers.data.map((l) => l.dead);
  const tokens = layers.data[0]?.tokens ?? 0;
  const results = ablation.data.results.filter((r) => r.neurons > 0);
  const paragraphs = explain({
    model: model.name,
    activation: model.activation,
    tokens,
    neurons: info.data.layers * info.data.dFf,
    deadPerLayer: dead,
    constantPerLayer: layers.data.map((l) => l.constant),
    neverPositivePerLayer: layers.data.map((l) => l.never_positive),
    ablation: ablation.data,
  });
  const setName = results[0]?.label === 'dead' ? 'silent set' : `${results[0]?.label ?? 'quiet'} set`;
  const base = `${model.name}-start-here`;
  return (
    <>
      <PageHeader
        title={`What FFN Lab found in ${model.name}`}
        actions={
          <NextActions
            actions={[
              { label: 'Explore the neurons', testId: 'next-neurons', href: hrefFor('neurons', datasetId) },
              { label: 'Project the samples', testId: 'next-project', href: hrefFor('manifold', datasetId) },
              { label: 'The ablation run', testId: 'next-ablation', href: hrefFor('ablation', ablationId) },
              { label: 'Notebook', testId: 'next-notebook', href: hrefFor('notebook', model.modelId) },
            ]}
          />
        }
      >
        <a href={hrefFor('start')}>Start here</a> · capture {datasetId} · ablation run {ablationId}
      </PageHeader>
      <div className="chart-grid">
        <Figure
          chartId="start-dead-per-layer"
          title={`Silent and never-positive neurons per layer, ${model.name}`}
          baseName={`${base}-dead-per-layer`}
          caption={`Silent: |output| within a thousandth of the layer's typical |activation| on all ${tokens.toLocaleString('en-US')} tokens. Never positive: output ≤ 0 throughout, yet not silent.`}
          data={{ header: ['layer', 'silent', 'never_positive'], rows: layers.data.map((l) => [l.layer, l.dead, l.never_positive]) }}
        >
          <BarChart
            label="Silent and never-positive neurons per layer"
            categories={dead.map((_, l) => String(l))}
            values={dead.some((d) => d > 0) ? dead : layers.data.map((l) => l.never_positive)}
            xLabel="Layer"
            yLabel={dead.some((d) => d > 0) ? 'Silent neurons (count)' : 'Never-positive neurons (count)'}
          />
        </Figure>
        {results.length > 0 && (
          <Figure
            chartId="start-comparison"
            title={`Change in held-out loss, ${setName} vs matched random set`}
            baseName={`${base}-ablation-comparison`}
            caption="Zero ablation; 95% bootstrap intervals over documents."
            data={{
              header: ['condition', 'neurons', 'delta_loss', 'low', 'high', 'kl', 'top1_agreement'],
              rows: results.map((r) => [r.label, r.neurons, r.metrics.delta_loss.value, r.metrics.delta_loss.low, r.metrics.delta_loss.high, r.metrics.kl.value, r.metrics.top1_agreement.value]),
            }}
          >
            <GroupedIntervalChart
              label="Change in held-out loss"
              groups={[model.name]}
              series={results.map((r) => ({ name: r.label.startsWith('random') ? 'random control' : `${r.label} set`, points: [r.metrics.delta_loss] }))}
              xLabel="Model"
              yLabel="Δ loss (nats/token, 95% CI)"
            />
          </Figure>
        )}
      </div>
      {/* the figures first, in view without scrolling; what they say in words follows */}
      <div className="start-explanation" data-testid="start-explanation">
        {paragraphs.map((p, i) => (
          <p key={i}>{p}</p>
        ))}
      </div>
      <p className="next-steps">
        Next: <a href={hrefFor('neurons', datasetId)}>the neurons of this capture</a> · <a href={hrefFor('ablation', ablationId)}>the full ablation result</a> ·{' '}
        <a href={hrefFor('start')}>the other demo model</a>
      </p>
    </>
  );
}
