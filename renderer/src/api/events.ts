import type { ApiEvent } from './contract';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Checks the shape of an event from the backend just enough to use it safely; unknown event
 * types (from a newer backend) are dropped rather than crashing the UI.
 */
export function parseApiEvent(raw: unknown): ApiEvent | null {
  if (!isRecord(raw)) return null;
  switch (raw.type) {
    case 'job': {
      const job = raw.job;
      if (!isRecord(job) || typeof job.id !== 'number' || typeof job.state !== 'string' || !isRecord(job.progress)) return null;
      return raw as ApiEvent;
    }
    case 'corpora-changed':
      return { type: 'corpora-changed' };
    case 'models-changed':
      return { type: 'models-changed' };
    case 'datasets-changed':
      return { type: 'datasets-changed' };
    case 'sets-changed':
      return { type: 'sets-changed' };
    case 'ablations-changed':
      return { type: 'ablations-changed' };
    case 'figures-changed':
      return { type: 'figures-changed' };
    case 'projections-changed':
      return { type: 'projections-changed' };
    default:
      return null;
  }
}
