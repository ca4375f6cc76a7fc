import type { ReactNode } from 'react';

interface Props {
  title: string;
  /** what this place will show once there is something to show */
  children: ReactNode;
  /** the next thing the user can do, usually a link */
  next?: ReactNode;
  /** shown as a small tag, e.g. "Not available yet" */
  status?: string;
  testId?: string;
}

export function EmptyState({ title, children, next, status, testId }: Props) {
  return (
    <section className="empty-state" data-testid={testId}>
      {status && <span className="tag tag-muted">{status}</span>}
      <h2 className="empty-state-title">{title}</h2>
      <div className="empty-state-body">{children}</div>
      {next && <div className="empty-state-next">{next}</div>}
    </section>
  );
}
