import { hrefFor } from '../routing/route';

/** The one step that already works everywhere: go and import a corpus. */
export function CorporaLink({ children = 'Go to Corpora' }: { children?: string }) {
  return (
    <a className="button button-primary" href={hrefFor('corpora')}>
      {children}
    </a>
  );
}
