/** The sections of the left navigation, in order; Alt+1..9, Alt+0 and g-letter chords select them (shell/shortcuts.ts). */
export const sections = [
  { id: 'start', label: 'Start here' },
  { id: 'models', label: 'Models' },
  { id: 'corpora', label: 'Corpora' },
  { id: 'datasets', label: 'Datasets' },
  { id: 'neurons', label: 'Neurons' },
  { id: 'manifold', label: 'Manifold' },
  { id: 'ablation', label: 'Ablation' },
  { id: 'compare', label: 'Compare' },
  { id: 'figures', label: 'Figures' },
  { id: 'notebook', label: 'Notebook' },
] as const;

export type SectionId = (typeof sections)[number]['id'];

export const defaultSection: SectionId = 'start';

export function isSectionId(value: string): value is SectionId {
  return sections.some((section) => section.id === value);
}

export function sectionLabel(id: SectionId): string {
  return sections.find((section) => section.id === id)?.label ?? id;
}
