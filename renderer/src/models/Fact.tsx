import type { ReactNode } from 'react';

/** One term and value of a facts list. */
export function Fact({ term, children, title, wide, testId }: { term: string; children: ReactNode; title?: string; wide?: boolean; testId?: string }) {
  return (
    <div className={wide ? 'facts-wide' : undefined}>
      <dt>{term}</dt>
      <dd title={title} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
