import { hrefFor } from '../routing/route';
import { sections, type SectionId } from '../routing/sections';
import { SectionIcon } from './SectionIcon';
import { altDigitOf, chordLetters } from './shortcuts';

/** The left navigation: one link per section, its Alt+digit shown beside it (shortcuts.ts). */
export function SideNav({ current }: { current: SectionId }) {
  return (
    <nav className="side-nav" aria-label="Sections">
      <ul>
        {sections.map((section, index) => {
          const digit = altDigitOf(index);
          const keys = [...(digit ? [`Alt+${digit}`] : []), `g ${chordLetters[section.id]}`];
          return (
          <li key={section.id}>
            <a
              href={hrefFor(section.id)}
              className="side-nav-link"
              data-testid={`nav-${section.id}`}
              aria-current={section.id === current ? 'page' : undefined}
              aria-keyshortcuts={keys.map((k) => k.replace(' ', '+')).join(' ')}
              title={`${section.label} (${keys.join(' or ')})`}
            >
              <SectionIcon section={section.id} />
              <span className="side-nav-label">{section.label}</span>
              <kbd className="side-nav-key" aria-hidden="true">
                {digit ?? chordLetters[section.id]}
              </kbd>
            </a>
          </li>
          );
        })}
      </ul>
    </nav>
  );
}
