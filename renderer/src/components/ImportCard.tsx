import type { FormEvent, ReactNode } from 'react';
import type { Job } from '../api/contract';
import { ErrorAlert } from './ErrorAlert';
import { PathPicker, type PathTexts } from './PathPicker';
import type { ImportForm } from './useImportForm';

export interface ImportTexts extends PathTexts {
  /** said when the form is sent without a path */
  emptyPath: string;
}

interface Props<Kind extends string> {
  /**
   * What is imported ('corpus', 'model'): in the title ("Import a corpus") and the notice, and the
   * testids `${what}-import` (the submit button), `${what}-import-error`, `${what}-import-started`,
   * the title's id `${what}-import-title`, and those of the path fields (see PathPicker).
   */
  what: string;
  /** the form's state; its Import button starts jobs as 'import' */
  form: ImportForm<'import' | Kind>;
  canPickFiles: boolean;
  /** what the form says */
  texts: ImportTexts;
  /** starts the import of `path`; `named` is `{ name }` when a name was given, else `{}` */
  submit: (path: string, named: { name?: string }) => Promise<{ job: Job }>;
  /** after the Import button */
  more: ReactNode;
}

/** A card that starts import jobs from a path (and an optional name); the job goes to the Jobs drawer (status bar, j). */
export function ImportCard<Kind extends string>({ what, form, canPickFiles, texts, submit, more }: Props<Kind>) {
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const path = form.path.trim();
    if (!path) {
      form.setError(texts.emptyPath);
      return;
    }
    const name = form.name.trim();
    form.start('import', () => submit(path, name ? { name } : {}), true);
  };

  const titleId = `${what}-import-title`;
  return (
    <section className="card import-card" aria-labelledby={titleId}>
      <h2 id={titleId} className="card-title">
        {`Import a ${what}`}
      </h2>
      <form className="import-form" onSubmit={onSubmit} noValidate>
        <PathPicker testIdPrefix={what} form={form} canPickFiles={canPickFiles} texts={texts} />
        <div className="import-actions">
          <button type="submit" className="button button-primary" data-testid={`${what}-import`} disabled={form.busy !== null}>
            {form.busy === 'import' ? 'Starting…' : 'Import'}
          </button>
          {more}
        </div>
      </form>
      {form.error && <ErrorAlert message={form.error} testId={`${what}-import-error`} />}
      {form.started && (
        <p className="notice" role="status" data-testid={`${what}-import-started`}>
          Started “{form.started.title}”. Its progress is in the Jobs drawer (status bar, j); the {what} appears below when it finishes.
        </p>
      )}
    </section>
  );
}
