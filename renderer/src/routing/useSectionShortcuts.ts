import { useEffect } from 'react';
import { hrefFor } from './route';
import { navigate } from './useHashRoute';
import { sectionForAltDigit } from '../shell/shortcuts';

/**
 * Alt+1..9 jumps to the n-th section, Alt+0 to the tenth (the g-letter chords are in shell/useKeyboard.ts). Reads event.code (Digit1..) because on macOS Option+1
 * types "¡" into event.key.
 */
export function useSectionShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const section = sectionForAltDigit(event.code, event.key);
      if (!section) return;
      event.preventDefault();
      navigate(hrefFor(section));
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
