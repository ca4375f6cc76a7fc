// Which API parameters are paths on the backend's file system, so that browser mode can confine
// every one of them to the allowed roots (electron/allowed-roots.ts). api-paths.test.ts walks
// the contract's schemas and fails when a method takes a path-like field this table misses.
import type { Method, Params } from './api.js';

export interface PathParam {
  /** for messages: "the model path ..." */
  what: string;
  value: string;
}

type PathsOf = { [M in Method]?: (params: Params<M>) => PathParam[] };

export const PATH_PARAMS: PathsOf = {
  'model.import': ({ path }) => [{ what: 'model path', value: path }],
  'model.attachTokenizer': ({ path }) => (path === null ? [] : [{ what: 'tokenizer path', value: path }]),
  'corpus.import': ({ source }) => (source.kind === 'path' ? [{ what: 'corpus path', value: source.path }] : []),
  'study.status': ({ dir }) => [{ what: 'study folder', value: dir }],
  'study.import': ({ dir }) => [{ what: 'study folder', value: dir }],
  'dataset.export': ({ dir }) => [{ what: 'export folder', value: dir }],
  'files.list': ({ dir }) => (dir === undefined ? [] : [{ what: 'folder', value: dir }]),
};

/**
 * Fields named like paths that are not paths on this machine, each with the reason; the schema
 * walk in the test skips them.
 */
export const NOT_PATHS: Readonly<Record<string, string>> = {
  'figures.record file': 'the name the browser saved an exported figure under; the app never opens it',
};

/** The path parameters of one (already validated) request; none for methods that take no path. */
export function pathParams(method: Method, params: unknown): PathParam[] {
  const of = PATH_PARAMS[method] as ((p: unknown) => PathParam[]) | undefined;
  return of ? of(params) : [];
}
