import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Job, PairStudyKey, Result } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useQuery } from '../api/useQuery';
import { ModelTable } from '../compare/CompareTables';
import { ProfileCharts } from '../compare/ProfileCharts';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { JobProgressBar } from '../jobs/JobProgressBar';
import { useJobs } from '../jobs/JobsStore';
import { hrefFor } from '../routing/route';
import { explainDenseMoe, explainWidthDepth } from './width-depth';

type Status = Result<'start.pairStatus'>;

/** What each pair study compares, in one line under its title. */
const SUMMARY: Record<PairStudyKey, string> = {
  'width-depth': 'the same parameter count, data, steps and seed; 2 wide layers against 8 narrow ones.',
  'dense-moe': 'the same active parameters per token, data, steps and seed; one feed-forward layer per block against 8 experts of which a router picks 2 per token.',
};

/** The study's job that is queued or running, if any (its jobs are named "<title>: <model>", or import a model of the pair). */
function activeJob(jobs: readonly Job[], status: Status): Job | undefined {
  const names = status.models.map((m) => m.name);
  return jobs.find((j) => {
    if (j.state !== 'running' && j.state !== 'queued') return false;
    const p = j.params as { name?: string; path?: string };
    return (p.name ?? '').startsWith(`${status.title}: `) || (j.kind === 'model-import' && names.includes(p.name ?? ''));
  });
}

function stepText(job: Job, status: Status): string {
  const model = ((job.params as { name?: string }).name ?? '').replace(`${status.title}: `, '');
  if (job.kind === 'model-import') return `Importing ${model}`;
  if (job.kind === 'capture') return `Capturing ${model} on the training documents`;
  return `Measuring the layer sensitivity of ${model} on held-out documents`;
}

/** Start here, a pair study: two demo models that differ in one design choice, measured side by side. */
export function PairStudyCard({ status, onChange }: { status: Status; onChange: () => void }) {
  const api = useApi();
  const jobs = useJobs();
  const [error, setError] = useState<string | null>(null);
  const key = status.study;
  const running = activeJob(jobs.jobs, status);
  const done = status.datasets !== null;
  const run = async () => {
    setError(null);
    try {
      const { job } = await api.call('start.pair', { study: key });
      if (job) jobs.upsert(job);
      onChange();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const steps = status.models.flatMap((m) => [m.modelId !== null, m.datasetId !== null, m.ablationId !== null]).filter(Boolean).length;
  return (
    <section className="card start-card" data-testid={`start-card-${key}`} aria-label={status.title}>
      <h2 className="card-title">{status.title}</h2>
      <p className="muted">
        {status.models.map((m) => m.name).join(' and ')}: {SUMMARY[key]}
      </p>
      {!status.available && (
        <p className="notice" data-testid={`${key}-missing`}>
          The pair is not in <code>{status.folder}</code>; native-models/demo/README.md says how to make it.
        </p>
      )}
      {running && (
        <div data-testid={`${key}-running`}>
          <p>
            {stepText(running, status)} (step {steps + 1} of 6)…
          </p>
          <JobProgressBar job={running} />
        </div>
      )}
      {!running && done && (
        <a className="button button-primary" href={hrefFor('start', key)} data-testid={`${key}-result-link`}>
          See the comparison
        </a>
      )}
      {!running && !done && status.available && (
        <button type="button" className="button button-primary" disabled={status.corpusId === null} onClick={() => void run()} data-testid={`${key}-run`}>
          {steps === 0 ? 'Run: import, capture both, measure layer sensitivity' : `Continue (${steps} of 6 steps done)`}
        </button>
      )}
      {error && <ErrorAlert message={error} />}
    </section>
  );
}

/** #/start/<study>: the comparison of the study's two captures, in words and figures. */
export function PairStudyResult({ status }: { status: Status & { datasets: number[] } }) {
  const api = useApi();
  const { datasets, study } = status;
  const result = useQuery(`compare:${datasets.join(',')}`, () => api.call('compare.run', { datasets: [...datasets] }));
  const moe = result.data?.models.find((m) => m.model.moe);
  // the mixture of experts' router statistics (load, entropy, dead and rare experts), which the comparison does not carry
  const experts = useQuery(`pair-experts:${moe?.dataset.id ?? 'none'}`, () => (moe ? api.call('experts.get', { datasetId: moe.dataset.id, pairs: 0 }) : Promise.resolve(null)));
  if (result.error) return <ErrorAlert message={result.error.message} onRetry={result.reload} />;
  if (!result.data || (moe && !experts.data && !experts.error)) return <Loading label="Comparing the two models…" />;
  const paragraphs = study === 'dense-moe' ? explainDenseMoe(result.data, experts.data ?? null) : explainWidthDepth(result.data);
  return (
    <>
      <PageHeader title={`${status.title}: what FFN Lab measured`}>
        <a href={hrefFor('start')}>Start here</a> · captures {datasets.join(' and ')} · <a href={hrefFor('compare', ...datasets)}>open in Compare</a>
        {moe && (
          <>
            {' '}
            · <a href={hrefFor('neurons', moe.dataset.id)}>{moe.model.name}&apos;s experts</a>
          </>
        )}
      </PageHeader>
      {experts.error && <ErrorAlert message={experts.error.message} onRetry={experts.reload} />}
      <div className="start-explanation" data-testid={`${study}-explanation`}>
        {paragraphs.map((p, i) => (
          <p key={i}>{p}</p>
        ))}
      </div>
      <ModelTable result={result.data} />
      <ProfileCharts result={result.data} />
    </>
  );
}
