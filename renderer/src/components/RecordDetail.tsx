import type { ReactNode } from 'react';
import type { QueryState } from '../api/useQuery';
import { hrefFor } from '../routing/route';
import type { SectionId } from '../routing/sections';
import { ErrorAlert } from './ErrorAlert';
import { Loading } from './Loading';

interface Frame {
  /**
   * What the record is, e.g. 'corpus': the class `${kind}-detail`, the testids `${kind}-detail`,
   * `${kind}-back`, `${kind}-title` and `${kind}-not-found`, the attribute `data-${kind}-id`, and
   * the word in the messages.
   */
  kind: string;
  /** the section that lists all of them; the back link ("‹ All corpora") goes there */
  section: SectionId;
}

/** The page of one record: a link back to the list, then `children`. */
export function DetailFrame({ kind, section, recordId, children }: Frame & { recordId?: number; children: ReactNode }) {
  const idAttribute = { [`data-${kind}-id`]: recordId };
  return (
    <div className={`${kind}-detail`} data-testid={`${kind}-detail`} {...idAttribute}>
      <a className="back-link" href={hrefFor(section)} data-testid={`${kind}-back`}>
        {`‹ All ${section}`}
      </a>
      {children}
    </div>
  );
}

/** The page of a record that does not exist. */
export function DetailNotFound({ message, ...frame }: Frame & { message: string }) {
  return (
    <DetailFrame {...frame}>
      <ErrorAlert message={message} testId={`${frame.kind}-not-found`} />
    </DetailFrame>
  );
}

/** What the header of a record's page shows besides the record's name. */
export interface Heading {
  /** the line under the name, and its tooltip (by default the line itself) */
  lede: string;
  ledeTitle?: string;
  actions: ReactNode;
}

interface Props<T> extends Frame {
  /** the record's load (see useRecord) */
  record: QueryState<T>;
  /** shown when the record does not exist (any more) */
  notFound: string;
  header: (record: T) => Heading;
  /** what follows the header */
  children: (record: T) => ReactNode;
}

/**
 * One record's page through its load: loading, failed (with retry), not found, or the header (its
 * name, a line under it, actions) and the body; a failed reload keeps the record on screen with a
 * note above the body.
 */
export function RecordDetail<T extends { id: number; name: string }>({ record: { data, error, loading, reload }, notFound, header, children, ...frame }: Props<T>) {
  if (error?.code === 'not-found') return <DetailNotFound {...frame} message={notFound} />;
  if (!data) {
    return (
      <DetailFrame {...frame}>
        {error ? <ErrorAlert message={`Could not load the ${frame.kind}: ${error.message}`} onRetry={reload} /> : loading && <Loading label={`Loading ${frame.kind}…`} />}
      </DetailFrame>
    );
  }
  const heading = header(data);
  return (
    <DetailFrame {...frame} recordId={data.id}>
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid={`${frame.kind}-title`}>
            {data.name}
          </h1>
          <p className="page-lede mono" title={heading.ledeTitle ?? heading.lede}>
            {heading.lede}
          </p>
        </div>
        <div className="page-actions">{heading.actions}</div>
      </div>
      {error && <ErrorAlert message={`Could not refresh the ${frame.kind}: ${error.message}`} onRetry={reload} />}
      {children(data)}
    </DetailFrame>
  );
}
