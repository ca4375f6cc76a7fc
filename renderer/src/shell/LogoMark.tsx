/** The app's mark: a small two-layer network, drawn inline so nothing is fetched. */
export function LogoMark() {
  return (
    <svg className="logo-mark" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <g stroke="currentColor" strokeWidth="1.2" opacity="0.55">
        <path d="M5 6 L12 4 M5 6 L12 12 M5 6 L12 20 M5 18 L12 4 M5 18 L12 12 M5 18 L12 20 M12 4 L19 12 M12 12 L19 12 M12 20 L19 12" />
      </g>
      <g fill="currentColor">
        <circle cx="5" cy="6" r="2" />
        <circle cx="5" cy="18" r="2" />
        <circle cx="12" cy="4" r="2" />
        <circle cx="12" cy="12" r="2" opacity="0.35" />
        <circle cx="12" cy="20" r="2" />
        <circle cx="19" cy="12" r="2.4" />
      </g>
    </svg>
  );
}
