import { useState } from 'react';
import type { ApiEvent } from './contract';
import { useChanges } from './useChanges';
import { useQuery, type QueryState } from './useQuery';

export interface RecordState<T> extends QueryState<T> {
  /** goes up each time the record may have changed; parts that load more about it depend on it */
  version: number;
}

/**
 * One record by id (a corpus, a model), loaded again whenever an event of type `changed` arrives
 * or the event channel comes back. Errors keep the last loaded record; a 'not-found' error means
 * it is gone.
 */
export function useRecord<T>(id: number, load: () => Promise<T>, changed: ApiEvent['type']): RecordState<T> {
  const [version, setVersion] = useState(0);
  const query = useQuery(`${id}:${version}`, load);
  useChanges(changed, () => setVersion((v) => v + 1));
  return { ...query, version };
}
