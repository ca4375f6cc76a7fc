import type { ReactNode } from 'react';
import type { QueryState } from '../api/useQuery';
import { ErrorAlert } from './ErrorAlert';
import { Loading } from './Loading';

interface Props<T> {
  /**
   * What is listed, in the singular and the plural (e.g. 'corpus', 'corpora'): the count beside the
   * title ("1 corpus", "3 corpora"), the messages, the class `${one}-list`, the title's id
   * `${many}-title` and the error's testid `${one}-list-error`.
   */
  one: string;
  many: string;
  /** the load of the list */
  list: QueryState<readonly T[]>;
  /** shown for an empty list */
  empty: ReactNode;
  /** shows a list that has items */
  children: (items: readonly T[]) => ReactNode;
  /** the heading; default `Imported ${many}` */
  title?: string;
}

/** "Imported corpora" or the like: the heading with a count, then the list through its load. */
export function ListSection<T>({ one, many, list: { data: items, error, loading, reload }, empty, children, title }: Props<T>) {
  return (
    <section className={`${one}-list`} aria-labelledby={`${many}-title`}>
      <div className="section-head">
        <h2 id={`${many}-title`} className="section-title">
          {title ?? `Imported ${many}`}
        </h2>
        {items && <span className="muted">{items.length === 1 ? `1 ${one}` : `${items.length} ${many}`}</span>}
      </div>
      {error && <ErrorAlert message={`Could not load ${many}: ${error.message}`} onRetry={reload} testId={`${one}-list-error`} />}
      {!items && loading && <Loading label={`Loading ${many}…`} />}
      {items && items.length === 0 && empty}
      {items && items.length > 0 && children(items)}
    </section>
  );
}
