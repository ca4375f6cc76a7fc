import { WeightScanParams } from '../../api.js';
import type { JobDefinition } from '../definition.js';

export const weightScan: JobDefinition<WeightScanParams> = {
  kind: 'weight-scan',
  params: WeightScanParams,
  title: (p, n) => `Scan the weights of ${n.model(p.modelId)}`,
  // the scan is written in one transaction at the end: an interrupted scan leaves the old one
  resumable: false,
  cleanup: () => {},
};
