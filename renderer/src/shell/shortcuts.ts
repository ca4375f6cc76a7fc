// The app's keyboard scheme, in one place so the handler, the navigation's hints and the `?`
// overlay agree. Sections: Alt+1..9 and Alt+0 for the first ten (event.code, because macOS
// Option+digit types other characters); every section, however many there are, also has a
// "g then letter" chord (as in Gmail or GitHub), which does not run out at ten.
import { sections, type SectionId } from '../routing/sections';

/** The letter of each section's g-chord: its initial where free, else a letter of its name. */
export const chordLetters: Record<SectionId, string> = {
  start: 's',
  models: 'm',
  corpora: 'o',
  datasets: 'd',
  neurons: 'n',
  manifold: 'v',
  ablation: 'a',
  compare: 'c',
  figures: 'f',
  notebook: 'b',
};

/** "1".."9", "0" for the tenth section, null after it (those use the chord only). */
export function altDigitOf(index: number): string | null {
  if (index < 9) return String(index + 1);
  if (index === 9) return '0';
  return null;
}

/** The section an Alt+digit press selects (event.code "Digit3" or key "3"), if any. */
export function sectionForAltDigit(code: string, key: string): SectionId | null {
  const digit = /^Digit(\d)$/.exec(code)?.[1] ?? /^(\d)$/.exec(key)?.[1];
  if (digit === undefined) return null;
  const index = digit === '0' ? 9 : Number(digit) - 1;
  return sections[index]?.id ?? null;
}

export function sectionForChord(letter: string): SectionId | null {
  const found = (Object.entries(chordLetters) as Array<[SectionId, string]>).find(([, l]) => l === letter.toLowerCase());
  return found ? found[0] : null;
}

/** Whether a key press is aimed at a text field (or an editable element), where letters are typing. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag !== 'input') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

export interface ShortcutRow {
  keys: string[];
  what: string;
}

/** Everything the `?` overlay lists: global keys, one row per section, and the keys of pages that have their own. */
export function shortcutRows(): { global: ShortcutRow[]; sections: ShortcutRow[]; pages: Array<{ page: string; rows: ShortcutRow[] }> } {
  return {
    global: [
      { keys: ['?'], what: 'Show this list of shortcuts' },
      { keys: ['Esc'], what: 'Close this list, or a dialog' },
      { keys: ['j'], what: 'Open or close the jobs drawer' },
      { keys: ['Tab'], what: 'Move between controls; the first Tab offers “Skip to content”' },
    ],
    sections: sections.map((s, i) => {
      const digit = altDigitOf(i);
      return { keys: [...(digit ? [`Alt+${digit}`] : []), `g ${chordLetters[s.id]}`], what: s.label };
    }),
    // kept in step with manifold/ManifoldView.tsx's onKeyDown (focus in the 3D view)
    pages: [
      {
        page: 'Manifold view (focus in the 3D view)',
        rows: [
          { keys: ['[', ']'], what: 'Previous / next layer' },
          { keys: ['a'], what: 'Intact / ablated positions (when the projection has an ablation)' },
          { keys: ['r'], what: 'Reset the camera' },
          { keys: ['Esc'], what: 'Clear the selection' },
        ],
      },
    ],
  };
}
