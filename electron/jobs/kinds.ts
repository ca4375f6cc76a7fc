// Every job kind the app knows, for the owner process (light: no job code runs here).
import { ablate } from './ablate/definition.js';
import { weightScan } from './weight-scan/definition.js';
import type { JobKind } from '../api.js';
import { corpusImport } from './corpus-import/definition.js';
import { modelImport } from './model-import/definition.js';
import { capture } from './capture/definition.js';
import { project } from './project/definition.js';
import type { JobDefinition } from './definition.js';

export const jobDefinitions: Record<JobKind, JobDefinition<never>> = {
  'corpus-import': corpusImport as JobDefinition<never>,
  'model-import': modelImport as JobDefinition<never>,
  capture: capture as JobDefinition<never>,
  ablate: ablate as JobDefinition<never>,
  project: project as JobDefinition<never>,
  'weight-scan': weightScan as JobDefinition<never>,
};

export function definitionOf(kind: string): JobDefinition<unknown> | undefined {
  return (jobDefinitions as Record<string, JobDefinition<unknown>>)[kind];
}
