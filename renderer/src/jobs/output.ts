// Where a finished job's product lives in the app, read from the job's result (each job kind
// returns the id of what it made: electron/jobs/*/run.ts).
import type { Job } from '../api/contract';
import { hrefFor } from '../routing/route';

export interface JobOutput {
  kind: 'corpus' | 'model' | 'dataset' | 'ablation' | 'projection';
  id: number;
  label: string;
  href: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
const field = (o: unknown, key: string): unknown => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined);

export function jobOutput(job: Job): JobOutput | null {
  if (job.state !== 'done') return null;
  const r = job.result;
  switch (job.kind) {
    case 'corpus-import': {
      const id = num(field(field(r, 'corpus'), 'id'));
      return id ? { kind: 'corpus', id, label: 'Open the corpus', href: hrefFor('corpora', id) } : null;
    }
    case 'model-import': {
      const id = num(field(field(r, 'model'), 'id'));
      return id ? { kind: 'model', id, label: 'Open the model', href: hrefFor('models', id) } : null;
    }
    case 'weight-scan': {
      const id = num(field(r, 'modelId'));
      return id ? { kind: 'model', id, label: 'Open the scan', href: hrefFor('models', id) } : null;
    }
    case 'capture': {
      const id = num(field(field(r, 'dataset'), 'id'));
      return id ? { kind: 'dataset', id, label: 'Open the dataset', href: hrefFor('neurons', id) } : null;
    }
    case 'ablate': {
      const id = num(field(field(r, 'ablation'), 'id'));
      return id ? { kind: 'ablation', id, label: 'Open the result', href: hrefFor('ablation', id) } : null;
    }
    case 'project': {
      const run = field(r, 'run');
      const id = num(field(run, 'id'));
      const dataset = num(field(run, 'datasetId'));
      return id && dataset ? { kind: 'projection', id, label: 'Open the projection', href: hrefFor('manifold', dataset, id) } : null;
    }
  }
  return null;
}
