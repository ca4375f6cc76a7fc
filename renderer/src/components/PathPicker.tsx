import { useId, useState } from 'react';
import { FileBrowser } from './FileBrowser';
import type { ImportForm, PickKind } from './useImportForm';

/** What the path and name fields say, and what the file dialog asks. */
export interface PathTexts {
  /** the path field's label */
  label: string;
  /** the path field's placeholder, with and without the Browse… and Folder… buttons */
  placeholders: { picker: string; typed: string };
  /** the file dialog's title, for a file and for a folder */
  pickTitles: Record<PickKind, string>;
  namePlaceholder: string;
  /** what the path may name; follows the hint on where the path lives */
  hint: string;
  /** browser mode's file browser (the backend's folders): its title and which marks it points out */
  browse: { title: string; want: 'checkpoint' | 'corpus' };
}

interface Props {
  /** the testids: `${testIdPrefix}-path`, `-name`, `-browse-file` and `-browse-folder` (native dialog), `-browse-server` and `-file-browser` (browser mode) */
  testIdPrefix: string;
  /** the form whose path and name these fields edit */
  form: Pick<ImportForm<string>, 'path' | 'setPath' | 'name' | 'setName' | 'busy' | 'pick'>;
  /** whether the shell has a native file dialog: then Browse… and Folder… buttons open it */
  canPickFiles: boolean;
  texts: PathTexts;
  /** whether to show the optional name field (default true; a path that is not imported has no name) */
  withName?: boolean;
}

/**
 * The path to import (typed, or picked: with the native dialog in the desktop app, with the
 * backend's file browser in browser mode) and an optional name.
 */
export function PathPicker({ testIdPrefix, form, canPickFiles, texts, withName = true }: Props) {
  const pathId = useId();
  const nameId = useId();
  const [browsing, setBrowsing] = useState(false);
  const pickButton = (kind: PickKind, text: string) => (
    <button type="button" className="button" data-testid={`${testIdPrefix}-browse-${kind}`} disabled={form.busy !== null} onClick={() => form.pick(kind, texts.pickTitles[kind])}>
      {text}
    </button>
  );
  return (
    <>
      <div className="field field-grow">
        <label htmlFor={pathId}>{texts.label}</label>
        <div className="input-row">
          <input
            id={pathId}
            className="input mono"
            data-testid={`${testIdPrefix}-path`}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder={canPickFiles ? texts.placeholders.picker : texts.placeholders.typed}
            value={form.path}
            onChange={(event) => form.setPath(event.target.value)}
            aria-describedby={`${pathId}-hint`}
          />
          {canPickFiles ? (
            <>
              {pickButton('file', 'Browse…')}
              {pickButton('folder', 'Folder…')}
            </>
          ) : (
            <button type="button" className="button" data-testid={`${testIdPrefix}-browse-server`} disabled={form.busy !== null} onClick={() => setBrowsing(true)}>
              Browse…
            </button>
          )}
        </div>
        {browsing && (
          <FileBrowser
            title={texts.browse.title}
            want={texts.browse.want}
            {...(form.path.trim() ? { start: form.path.trim() } : {})}
            testId={`${testIdPrefix}-file-browser`}
            onClose={() => setBrowsing(false)}
            onPick={(picked) => {
              form.setPath(picked);
              setBrowsing(false);
            }}
          />
        )}
        <p id={`${pathId}-hint`} className="hint">
          {canPickFiles ? 'A path on this computer.' : 'A path on the machine running the FFN Lab backend (the browser does not upload files): type it, or Browse… its folders.'}{' '}
          {texts.hint}
        </p>
      </div>
      {withName && (
        <div className="field">
          <label htmlFor={nameId}>Name (optional)</label>
          <input
            id={nameId}
            className="input"
            data-testid={`${testIdPrefix}-name`}
            type="text"
            maxLength={200}
            placeholder={texts.namePlaceholder}
            value={form.name}
            onChange={(event) => form.setName(event.target.value)}
          />
        </div>
      )}
    </>
  );
}
