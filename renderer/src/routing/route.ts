import { defaultSection, isSectionId, type SectionId } from './sections';

/** Where the app is: a section, and within it an optional sub-path (e.g. a corpus id). */
export interface Route {
  section: SectionId;
  /** path segments after the section: #/corpora/12 -> ['12'] */
  rest: string[];
}

/** Parses location.hash ("#/corpora/12"); anything unknown goes to the default section. */
export function parseHash(hash: string): Route {
  const segments = hash.replace(/^#\/?/, '').split('/').filter((s) => s.length > 0).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const [first, ...rest] = segments;
  if (first !== undefined && isSectionId(first)) return { section: first, rest };
  return { section: defaultSection, rest: [] };
}

export function hrefFor(section: SectionId, ...rest: (string | number)[]): string {
  return `#/${[section, ...rest.map((s) => encodeURIComponent(String(s)))].join('/')}`;
}
