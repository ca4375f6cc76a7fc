// Every API parameter that looks like a path is either confined in browser mode (PATH_PARAMS) or
// listed with a reason as not a path (NOT_PATHS): a new method that takes a path cannot slip past.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { methods, type Method } from './api.js';
import { NOT_PATHS, PATH_PARAMS, pathParams } from './api-paths.js';

const PATH_LIKE = /^(path|dir|folder|file|directory)$|(Path|Dir|Folder|File)$/;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The names of string fields anywhere in the schema whose names look like paths. */
function pathLikeFields(schema: z.ZodType, seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const d = defOf(schema);
  const children = [d.innerType, d.element, d.in, d.out, d.left, d.right, d.valueType, ...(d.options ?? []), ...(d.getter ? [d.getter()] : [])].filter((c): c is z.ZodType => c !== undefined);
  const found = children.flatMap((c) => pathLikeFields(c, seen));
  for (const [key, field] of Object.entries(d.shape ?? {})) {
    if (PATH_LIKE.test(key) && isStringy(field)) found.push(key);
    found.push(...pathLikeFields(field, seen));
  }
  return found;
}

function isStringy(s: z.ZodType): boolean {
  const d = defOf(s);
  if (d.type === 'string') return true;
  return [d.innerType, d.in].some((c) => c !== undefined && isStringy(c));
}

describe('path parameters of the API', () => {
  it('are all confined in browser mode, or named as not paths with a reason', () => {
    const missed: string[] = [];
    for (const [method, m] of Object.entries(methods)) {
      for (const field of pathLikeFields(m.params as z.ZodType)) {
        if (PATH_PARAMS[method as Method] === undefined && NOT_PATHS[`${method} ${field}`] === undefined) missed.push(`${method} ${field}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it('finds the paths the walk must find (the walk itself works)', () => {
    expect(pathLikeFields(methods['model.import'].params as z.ZodType)).toEqual(['path']);
    expect(pathLikeFields(methods['corpus.import'].params as z.ZodType)).toEqual(['path']);
    expect(pathLikeFields(methods['study.import'].params as z.ZodType)).toEqual(['dir']);
  });

  it('extracts each request path with what it is', () => {
    expect(pathParams('model.import', { path: '/m' })).toEqual([{ what: 'model path', value: '/m' }]);
    expect(pathParams('corpus.import', { source: { kind: 'path', path: '/c.txt' } })).toEqual([{ what: 'corpus path', value: '/c.txt' }]);
    expect(pathParams('corpus.import', { source: { kind: 'brown' } })).toEqual([]);
    expect(pathParams('files.list', { hidden: false })).toEqual([]);
    expect(pathParams('model.list', {})).toEqual([]);
  });
});
