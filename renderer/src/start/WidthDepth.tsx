import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Job, Result } from '../api/contract';
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
import { explainWidthDepth } from './width-depth';

type Status = Result<'start.widthDepthStatus'>;

/** The study's job that is queued or running, if any (its jobs are named "Width vs depth: <model>", or import a model of the pair). */
function activeJob(jobs: readonly Job[], status: Status): Job | undefined {
  const names = status.models.map((m) => m.name);
  return jobs.find((j) => {
    if (j.state !== 'running' && j.state !== 'queued') return false;
    const p = j.params as { name?: string; path?: string };
    return (p.name ?? '').startsWith('Width vs depth: ') || (j.kind === 'model-import' && names.includes(p.name ?? ''));
  });
}

function stepText(job: Job): string {
  const model = ((job.params as { name?: string }).name ?? '').replace(/^Width vs depth: /, '');
  if (job.kind === 'model-import') return `Importing ${model}`;
  if (job.kind === 'capture') return `Capturing ${model} on the training documents`;
  return `Measuring the layer sensitivity of ${model} on held-out documents`;
}

/** Start here, third study: the wide-and-shallow and the narrow-and-deep demo models side by side. */
export function WidthDepthCard({ status, onChange }: { status: Status; onChange: () => void }) {
  const api = useApi();
  const jobs = useJobs();
  const [error, setError] = useState<string | null>(null);
  const running = activeJob(jobs.jobs, status);
  const done = status.datasets !== null;
  const run = async () => {
    setError(null);
    try {
      const { job } = await api.call('start.widthDepth', {});
      if (job) jobs.upsert(job);
      onChange();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const steps = status.models.flatMap((m) => [m.modelId !== null, m.datasetId !== null, m.ablationId !== null]).filter(Boolean).length;
  return (
    <section className="card start-card" data-testid="start-card-width-depth" aria-label="Width vs depth">
      <h2 className="card-title">Width vs depth</h2>
      <p className="muted">
        {status.models.map((m) => m.name).join(' and ')}: the same parameter count, data, steps and seed; 2 wide layers against 8 narrow ones.
      </p>
      {!status.available && (
        <p className="notice" data-testid="width-depth-missing">
          The pair is not in <code>{status.folder}</code>; native-models/demo/README.md says how to make it.
        </p>
      )}
      {running && (
        <div data-testid="width-depth-running">
          <p>
            {stepText(running)} (step {steps + 1} of 6)…
          </p>
          <JobProgressBar job={running} />
        </div>
      )}
      {!running && done && (
        <a className="button button-primary" href={hrefFor('start', 'width-depth')} data-testid="width-depth-result-link">
          See the comparison
        </a>
      )}
      {!running && !done && status.available && (
        <button type="button" className="button button-primary" disabled={status.corpusId === null} onClick={() => void run()} data-testid="width-depth-run">
          {steps === 0 ? 'Run: import, capture both, measure layer sensitivity' : `Continue (${steps} of 6 steps done)`}
        </button>
      )}
      {error && <ErrorAlert message={error} />}
    </section>
  );
}

/** #/start/width-depth: the comparison of the study's two captures, in words and figures. */
export function WidthDepthResult({ datasets }: { datasets: readonly number[] }) {
  const api = useApi();
  const result = useQuery(`compare:${datasets.join(',')}`, () => api.call('compare.run', { datasets: [...datasets] }));
  if (result.error) return <ErrorAlert message={result.error.message} onRetry={result.reload} />;
  if (!result.data) return <Loading label="Comparing the two models…" />;
  const paragraphs = explainWidthDepth(result.data);
  return (
    <>
      <PageHeader title="Width vs depth: what FFN Lab measured">
        <a href={hrefFor('start')}>Start here</a> · captures {datasets.join(' and ')} · <a href={hrefFor('compare', ...datasets)}>open in Compare</a>
      </PageHeader>
      <div className="start-explanation" data-testid="width-depth-explanation">
        {paragraphs.map((p, i) => (
          <p key={i}>{p}</p>
        ))}
      </div>
      <ModelTable result={result.data} />
      <ProfileCharts result={result.data} />
    </>
  );
}
