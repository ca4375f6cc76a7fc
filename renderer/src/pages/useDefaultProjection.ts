import { useEffect, useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset, ProjectionRun } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useJobs } from '../jobs/JobsStore';
import { isActive } from '../jobs/order';

// Datasets whose default projection this window already started: once per dataset and session,
// so leaving and coming back (or a failed run) never starts another by itself.
const startedFor = new Set<number>();

const samplesOf = (d: Dataset) => Number((d.params as { samples?: unknown } | null)?.samples ?? 0) || 0;

/**
 * The manifold opens on a picture, not a form: a dataset with samples and no projection gets a
 * PCA of all its layers started for it (unless a projection of it is already queued or running).
 */
export function useDefaultProjection(dataset: Dataset, runs: readonly ProjectionRun[] | undefined): { jobId: number | null; error: string | null } {
  const api = useApi();
  const { jobs, loaded, upsert } = useJobs();
  const [state, setState] = useState<{ jobId: number | null; error: string | null }>({ jobId: null, error: null });
  // a projection of it queued, running or done: a done one's run may not be in `runs` yet (the list
  // reloads after the job's event), and starting another then would make two
  const pending = jobs.some((j) => j.kind === 'project' && (isActive(j) || j.state === 'done') && (j.params as { datasetId?: number }).datasetId === dataset.id);
  const wanted = loaded && runs !== undefined && runs.length === 0 && !pending && samplesOf(dataset) > 0 && !startedFor.has(dataset.id);
  useEffect(() => {
    if (!wanted) return;
    startedFor.add(dataset.id);
    api.call('projection.start', { datasetId: dataset.id, method: 'pca' }).then(
      ({ job }) => {
        upsert(job);
        setState({ jobId: job.id, error: null });
      },
      (e: unknown) => setState({ jobId: null, error: errorMessage(e) }),
    );
  }, [wanted, dataset.id, api, upsert]);
  return state;
}
