import { describe, expect, it } from 'vitest';
import { sections } from '../routing/sections';
import { altDigitOf, chordLetters, sectionForAltDigit, sectionForChord, shortcutRows } from './shortcuts';

describe('keyboard scheme', () => {
  it('gives every section a shortcut, each chord letter once', () => {
    const letters = sections.map((s) => chordLetters[s.id]);
    expect(new Set(letters).size).toBe(sections.length);
    for (const s of sections) expect(sectionForChord(chordLetters[s.id])).toBe(s.id);
    expect(shortcutRows().sections.map((r) => r.what)).toEqual(sections.map((s) => s.label));
  });

  it('maps Alt+1..9 to the first nine sections and Alt+0 to the tenth', () => {
    expect(sectionForAltDigit('Digit1', '¡')).toBe(sections[0].id);
    expect(sectionForAltDigit('Digit9', '9')).toBe(sections[8].id);
    expect(sectionForAltDigit('Digit0', 'º')).toBe(sections[9]?.id ?? null);
    expect(sectionForAltDigit('KeyA', 'a')).toBeNull();
    expect([0, 8, 9, 10].map(altDigitOf)).toEqual(['1', '9', '0', null]);
  });

  it('lists Alt+n and the chord of each section in the overlay rows', () => {
    const rows = shortcutRows().sections;
    expect(rows[0]!.keys).toEqual(['Alt+1', `g ${chordLetters[sections[0].id]}`]);
    expect(rows[9]!.keys).toEqual(['Alt+0', `g ${chordLetters[sections[9]!.id]}`]);
  });
});
