import { hrefFor } from '../routing/route';
import { sections, type SectionId } from '../routing/sections';
import { SectionIcon } from './SectionIcon';

/** The left navigation: one link per section, Alt+n shortcuts shown beside them. */
export function SideNav({ current }: { current: SectionId }) {
  return (
    <nav className="side-nav" aria-label="Sections">
      <ul>
        {sections.map((section, index) => (
          <li key={section.id}>
            <a
              href={hrefFor(section.id)}
              className="side-nav-link"
              data-testid={`nav-${section.id}`}
              aria-current={section.id === current ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${index + 1}`}
              title={`${section.label} (Alt+${index + 1})`}
            >
              <SectionIcon section={section.id} />
              <span className="side-nav-label">{section.label}</span>
              <kbd className="side-nav-key" aria-hidden="true">
                {index + 1}
              </kbd>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
