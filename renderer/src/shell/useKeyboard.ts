import { useEffect, useRef } from 'react';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { isTypingTarget, sectionForChord } from './shortcuts';

const chordWindowMs = 1500;

/**
 * The app's plain-key shortcuts (shortcuts.ts): `?` shows the list, `j` the jobs drawer, and
 * "g then letter" goes to a section. None of them fires while the user types in a field, or
 * with Ctrl/Meta/Alt held (those belong to the browser, and Alt+digit to useSectionShortcuts).
 */
export function useKeyboard(actions: { showShortcuts: () => void; toggleJobs: () => void }): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    let chordAt = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (isTypingTarget(event.target)) return;
      const key = event.key;
      if (chordAt > 0 && Date.now() - chordAt < chordWindowMs) {
        chordAt = 0;
        const section = key.length === 1 ? sectionForChord(key) : null;
        if (section) {
          event.preventDefault();
          navigate(hrefFor(section));
          return;
        }
      }
      chordAt = 0;
      if (key === '?') {
        event.preventDefault();
        latest.current.showShortcuts();
      } else if (key === 'g' && !event.shiftKey) {
        chordAt = Date.now();
      } else if (key === 'j' && !event.shiftKey) {
        event.preventDefault();
        latest.current.toggleJobs();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
