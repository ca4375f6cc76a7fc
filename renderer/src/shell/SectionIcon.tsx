import type { SectionId } from '../routing/sections';

// Simple 16px line icons, one per section, drawn inline (no icon font, nothing fetched).
const paths: Record<SectionId, string> = {
  start: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13ZM6.5 5.2v5.6L11 8 6.5 5.2Z',
  models: 'M8 1.5 14 4.8v6.4L8 14.5 2 11.2V4.8L8 1.5Zm0 0v6.5m0 0 6-3.2M8 8 2 4.8M8 8v6.5',
  corpora: 'M3 2.5h7l3 3v8H3v-11Zm7 0v3h3M5.5 8h5M5.5 10.5h5',
  datasets: 'M2.5 3.5c0-1.1 2.5-1.5 5.5-1.5s5.5.4 5.5 1.5v9c0 1.1-2.5 1.5-5.5 1.5s-5.5-.4-5.5-1.5v-9Zm0 0c0 1.1 2.5 1.5 5.5 1.5s5.5-.4 5.5-1.5M2.5 8c0 1.1 2.5 1.5 5.5 1.5s5.5-.4 5.5-1.5',
  neurons: 'M8 5.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5ZM8 1v4.5M8 10.5V15M1 8h4.5M10.5 8H15',
  manifold: 'M2 11c2-5 4-7 6-5s4 1 6-4M2 14c2-3 4-4 6-3s4 0 6-3',
  ablation: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13ZM3.4 3.4l9.2 9.2',
  compare: 'M2 13.5 5 9l3 2.5L14 3M2 13.5h12M5 9V3.5M11 13.5V7',
  figures: 'M2 2v12h12M4.5 11V8M7.5 11V5M10.5 11V7M13.5 11V3.5',
  notebook: 'M3.5 1.5h8a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1h-8v-13ZM3.5 1.5v13M2 4.5h3M2 8h3M2 11.5h3M7 5h3.5M7 8h3.5',
};

export function SectionIcon({ section }: { section: SectionId }) {
  return (
    <svg className="section-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={paths[section]} fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
