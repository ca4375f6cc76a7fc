import { useEffect } from 'react';
import { hrefFor } from './route';
import { navigate } from './useHashRoute';
import { sections } from './sections';

/**
 * Alt+1..9 jumps to the n-th section. Reads event.code (Digit1..) because on macOS Option+1
 * types "¡" into event.key.
 */
export function useSectionShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const match = /^Digit([1-9])$/.exec(event.code) ?? /^([1-9])$/.exec(event.key);
      if (!match?.[1]) return;
      const section = sections[Number(match[1]) - 1];
      if (!section) return;
      event.preventDefault();
      navigate(hrefFor(section.id));
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
