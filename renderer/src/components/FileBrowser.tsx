import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import type { Result } from '../api/contract';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { formatBytes } from '../format';
import { ErrorAlert } from './ErrorAlert';
import '../styles/file-browser.css';

type Listing = Result<'files.list'>;
type Entry = Listing['entries'][number];

interface Props {
  /** the dialog's title: "Choose a checkpoint", "Choose a corpus" */
  title: string;
  /** which marks to point out: checkpoints on the Models page, corpora on the Corpora page */
  want: 'checkpoint' | 'corpus';
  /** the folder to start in (the path field's folder); the roots when absent or refused */
  start?: string;
  /** the chosen file or folder */
  onPick: (path: string) => void;
  onClose: () => void;
  /** testids: `${testId}` (the dialog), `-entry`, `-go`, `-choose`, `-choose-folder`, `-error`, `-up`, `-roots` */
  testId: string;
}

const FORMAT_NAMES: Record<NonNullable<Entry['mark']>['format'], string> = {
  'hf-folder': 'Hugging Face folder',
  safetensors: 'safetensors',
  gguf: 'GGUF',
  llama2c: 'llama2.c',
  txt: 'text',
  'txt-folder': 'text folder',
  jsonl: 'JSON lines',
};

/** "/a/b/c.txt" -> "/a/b" (the renderer has no path module; both separators, for Windows backends) */
function parentOf(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut <= 0 ? trimmed.slice(0, cut + 1) || '/' : trimmed.slice(0, cut);
}

function markText(mark: NonNullable<Entry['mark']>): string {
  return [`${mark.what}: ${FORMAT_NAMES[mark.format]}`, mark.architecture, mark.detail].filter(Boolean).join(' · ');
}

/**
 * Browser mode's file browser: the backend's folders under the allowed roots (the browser cannot
 * show the backend's disk), each checkpoint or corpus marked. A modal <dialog>: Tab moves between
 * the path field, the list and the buttons; in the list, the arrow keys move, Enter opens a
 * folder or chooses a file, Backspace goes up, Escape closes.
 */
export function FileBrowser({ title, want, start, onPick, onClose, testId }: Props) {
  const api = useApi();
  const dialog = useRef<HTMLDialogElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [listing, setListing] = useState<Listing | null>(null);
  const [active, setActive] = useState(0);
  const [hidden, setHidden] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const request = useRef(0);
  const titleId = useId();
  const goId = useId();

  const open = useCallback(
    /** `fallbacks`: folders to try in turn when `dir` cannot be listed (undefined: the roots) */
    async (dir: string | undefined, showHidden: boolean, fallbacks: (string | undefined)[] = []) => {
      const id = ++request.current;
      setLoading(true);
      try {
        const next = await api.call('files.list', { ...(dir !== undefined ? { dir } : {}), hidden: showHidden });
        if (id !== request.current) return;
        setListing(next);
        setTyped(next.dir ?? '');
        setActive(0);
        setError(null);
      } catch (failure) {
        if (id !== request.current) return;
        if (fallbacks.length > 0) return void open(fallbacks[0], showHidden, fallbacks.slice(1));
        setError(errorMessage(failure)); // the listing on screen stays, with the refusal above it
      } finally {
        if (id === request.current) setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal(); // (StrictMode runs this twice in development)
    // the path field's folder, else the folder holding the file it names, else the roots
    void open(start, false, start === undefined ? [] : [parentOf(start), undefined]);
  }, [open, start]);

  const go = () => {
    const dir = typed.trim();
    void open(dir === '' ? undefined : dir, hidden);
  };

  const entries = listing?.entries ?? [];
  const current = entries[active];

  const enter = (e: Entry | undefined) => {
    if (!e) return;
    if (e.kind === 'folder') void open(e.path, hidden);
    else if (e.kind === 'file') onPick(e.path);
  };

  const onListKey = (event: KeyboardEvent<HTMLUListElement>) => {
    const move = (to: number) => {
      event.preventDefault();
      setActive(Math.max(0, Math.min(entries.length - 1, to)));
    };
    if (event.key === 'ArrowDown') move(active + 1);
    else if (event.key === 'ArrowUp') move(active - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(entries.length - 1);
    else if (event.key === 'PageDown') move(active + 10);
    else if (event.key === 'PageUp') move(active - 10);
    else if (event.key === 'Enter') {
      event.preventDefault();
      enter(current);
    } else if (event.key === 'Backspace' && listing?.dir) {
      event.preventDefault();
      void open(listing.parent ?? undefined, hidden);
    }
  };

  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active, listing]);

  const optionId = (i: number) => `${titleId}-entry-${i}`;

  // In a portal: the path field's form is not this dialog's ancestor, so Enter here never submits it.
  return createPortal(
    <dialog ref={dialog} className="file-browser" aria-labelledby={titleId} data-testid={testId} onClose={onClose}>
      <div className="file-browser-head">
        <h2 id={titleId} className="card-title">
          {title}
        </h2>
        <p className="hint">
          Folders on the machine running the FFN Lab backend, under {listing ? listing.roots.map((r) => `${r.path} (${r.label})`).join(', ') : 'the allowed folders'}.
          Start FFN Lab with --allow-dir to open others.
        </p>
      </div>
      <div className="input-row">
        <label htmlFor={goId} className="visually-hidden">
          Folder
        </label>
        <input
          id={goId}
          className="input mono"
          data-testid={`${testId}-path`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder="A folder path, then Enter"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(event) => {
            if (event.key !== 'Enter') return;
            event.preventDefault();
            go();
          }}
        />
        <button type="button" className="button" data-testid={`${testId}-go`} onClick={go}>
          Go
        </button>
        <button type="button" className="button" data-testid={`${testId}-up`} disabled={!listing?.dir} onClick={() => void open(listing?.parent ?? undefined, hidden)}>
          Up
        </button>
        <button type="button" className="button" data-testid={`${testId}-roots`} disabled={listing?.dir === null} onClick={() => void open(undefined, hidden)}>
          All folders
        </button>
        <label className="file-browser-hidden">
          <input
            type="checkbox"
            checked={hidden}
            onChange={(e) => {
              setHidden(e.target.checked);
              void open(listing?.dir ?? undefined, e.target.checked);
            }}
          />{' '}
          Hidden files
        </label>
      </div>
      {error && <ErrorAlert message={error} testId={`${testId}-error`} />}
      <ul
        ref={list}
        className="file-browser-list"
        role="listbox"
        tabIndex={0}
        aria-label={listing?.dir ? `Contents of ${listing.dir}` : 'Allowed folders'}
        aria-activedescendant={current ? optionId(active) : undefined}
        aria-busy={loading}
        onKeyDown={onListKey}
      >
        {entries.map((e, i) => (
          <li
            key={e.path}
            id={optionId(i)}
            data-index={i}
            role="option"
            aria-selected={i === active}
            aria-disabled={e.kind === 'other'}
            className={`file-browser-entry${i === active ? ' active' : ''}${e.mark?.what === want ? ' wanted' : ''}`}
            data-testid={`${testId}-entry`}
            data-name={e.name}
            data-kind={e.kind}
            data-mark={e.mark?.what ?? ''}
            onClick={() => setActive(i)}
            onDoubleClick={() => enter(e)}
          >
            <span className="file-browser-kind" aria-hidden="true">
              {e.kind === 'folder' ? '▸' : e.kind === 'file' ? '·' : '×'}
            </span>
            <span className="file-browser-name mono">{e.name}</span>
            <span className="file-browser-mark">{e.mark ? markText(e.mark) : e.kind === 'other' ? 'not readable here' : ''}</span>
            <span className="file-browser-size">{e.size !== null ? formatBytes(e.size) : ''}</span>
          </li>
        ))}
        {listing && entries.length === 0 && <li className="hint">This folder is empty{hidden ? '' : ' (or holds only hidden files)'}.</li>}
      </ul>
      {listing?.truncated && <p className="hint">Only the first {entries.length} entries are listed.</p>}
      <div className="file-browser-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        {listing?.dir && (
          <button type="button" className="button" data-testid={`${testId}-choose-folder`} onClick={() => onPick(listing.dir!)}>
            Choose this folder
          </button>
        )}
        <button
          type="button"
          className="button button-primary"
          data-testid={`${testId}-choose`}
          disabled={!current || current.kind === 'other' || listing?.dir === null}
          onClick={() => current && onPick(current.path)}
        >
          Choose {current?.kind === 'folder' ? 'folder' : 'file'}
        </button>
      </div>
    </dialog>,
    document.body,
  );
}
