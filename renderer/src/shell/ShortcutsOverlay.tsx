import { useEffect, useRef } from 'react';
import { shortcutRows, type ShortcutRow } from './shortcuts';

function Rows({ rows }: { rows: ShortcutRow[] }) {
  return (
    <tbody>
      {rows.map((row) => (
        <tr key={row.what} data-testid="shortcut-row">
          <td className="shortcut-keys">
            {row.keys.map((k, i) => (
              <span key={k}>
                {i > 0 && <span className="muted"> or </span>}
                <kbd>{k}</kbd>
              </span>
            ))}
          </td>
          <td>{row.what}</td>
        </tr>
      ))}
    </tbody>
  );
}

/** The `?` overlay: every keyboard shortcut of the app; Esc, the button or a click outside closes it. */
export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  const { global, sections, pages } = shortcutRows();
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="overlay-backdrop" onClick={onClose} data-testid="shortcuts-backdrop">
      <div className="overlay-dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts-overlay" onClick={(e) => e.stopPropagation()}>
        <div className="overlay-head">
          <h2 id="shortcuts-title" className="section-title">
            Keyboard shortcuts
          </h2>
          <button ref={close} type="button" className="button button-small" onClick={onClose} data-testid="shortcuts-close">
            Close
          </button>
        </div>
        <table className="shortcut-table">
          <caption className="muted">Anywhere (not while typing in a field)</caption>
          <Rows rows={global} />
        </table>
        <table className="shortcut-table">
          <caption className="muted">Go to a section: Alt+digit, or g then the letter</caption>
          <Rows rows={sections} />
        </table>
        {pages.map((p) => (
          <table key={p.page} className="shortcut-table">
            <caption className="muted">{p.page}</caption>
            <Rows rows={p.rows} />
          </table>
        ))}
      </div>
    </div>
  );
}
