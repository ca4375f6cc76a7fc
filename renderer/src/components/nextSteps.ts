// The next steps a result leads to, shared by the pages that show captures and ablation runs.
import type { ApiClient } from '../api/client';
import type { Dataset } from '../api/contract';
import { hrefFor } from '../routing/route';
import type { NextAction } from './NextActions';

const samplesOf = (d: Dataset) => Number((d.params as { samples?: unknown } | null)?.samples ?? 0) || 0;

/**
 * The capture's silent ("dead") neurons as a saved set (made once, found by name after), and the
 * playground with them switched off. Refuses, saying so, when the capture has none.
 */
export async function deadSetInPlayground(api: ApiClient, dataset: Dataset): Promise<string> {
  const name = `dead of ${dataset.name}`.slice(0, 200);
  const existing = (await api.call('sets.list', { modelId: dataset.modelId })).find((s) => s.name === name);
  if (existing) return hrefFor('ablation', 'playground', dataset.modelId, 'set', existing.id);
  const { neurons } = await api.call('sets.resolve', { modelId: dataset.modelId, set: { kind: 'verdict', datasetId: dataset.id, verdict: 'dead' } });
  if (neurons.length === 0) throw new Error(`capture “${dataset.name}” has no silent (dead) neurons to switch off; try its never-positive or rare set from the neuron table`);
  const made = await api.call('sets.create', { modelId: dataset.modelId, name, neurons, origin: { kind: 'verdict', datasetId: dataset.id, verdict: 'dead' } });
  return hrefFor('ablation', 'playground', dataset.modelId, 'set', made.id);
}

/** From a capture: the dead set in the playground, its samples projected, another model beside it, the notebook. */
export function captureNextSteps(api: ApiClient, dataset: Dataset): NextAction[] {
  return [
    { label: 'Open the dead set in the playground', testId: 'next-dead-playground', run: () => deadSetInPlayground(api, dataset) },
    ...(samplesOf(dataset) > 0 ? [{ label: 'Project its samples', testId: 'next-project', href: hrefFor('manifold', dataset.id), title: 'The manifold view of this capture (a PCA of all layers starts by itself)' }] : []),
    { label: 'Compare with another model', testId: 'next-compare', href: hrefFor('compare', dataset.id) },
    { label: 'Notebook', testId: 'next-notebook', href: hrefFor('notebook', dataset.modelId) },
  ];
}
