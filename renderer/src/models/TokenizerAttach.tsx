import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { PathPicker, type PathTexts } from '../components/PathPicker';
import { useImportForm } from '../components/useImportForm';
import type { Model } from './types';

const texts: PathTexts = {
  label: 'Tokenizer path (tokenizer.json, tokenizer.bin, or their folder)',
  placeholders: { picker: '/path/to/tokenizer.json or click Browse', typed: '/path/on/the/backend/machine/tokenizer.json' },
  pickTitles: { file: 'Choose a tokenizer.json or a llama2.c tokenizer.bin', folder: 'Choose a folder holding tokenizer.json or tokenizer.bin' },
  namePlaceholder: '',
  browse: { title: 'Choose a tokenizer (tokenizer.json, a llama2.c tokenizer.bin, or a folder holding one)', want: 'checkpoint' },
  hint: 'A Hugging Face tokenizer.json, a llama2.c tokenizer.bin, or a folder holding one. It is loaded first: a malformed one, or one with more tokens than the model’s vocabulary, is refused.',
};

/**
 * Attaches a tokenizer to a model imported without one (or replaces / detaches the attached one),
 * so that capture, ablation and the playground can read text. The Models page reloads the model
 * when the backend says models changed.
 */
export function TokenizerAttach({ model }: { model: Model }) {
  const api = useApi();
  const form = useImportForm<'attach'>();
  const info = useQuery('app-info', () => api.call('app.info', {}));
  const [busy, setBusy] = useState<'attach' | 'detach' | null>(null);

  const send = async (kind: 'attach' | 'detach', path: string | null) => {
    setBusy(kind);
    form.setError(null);
    try {
      await api.call('model.attachTokenizer', { modelId: model.id, path });
      form.setPath('');
    } catch (failure) {
      form.setError(errorMessage(failure));
    } finally {
      setBusy(null);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const path = form.path.trim();
    if (!path) {
      form.setError('Enter the path of a tokenizer.json, a llama2.c tokenizer.bin, or a folder holding one.');
      return;
    }
    void send('attach', path);
  };

  return (
    <form className="import-form tokenizer-attach" onSubmit={onSubmit} noValidate data-testid="tokenizer-attach">
      <PathPicker testIdPrefix="tokenizer" form={{ ...form, busy: busy ?? form.busy }} canPickFiles={info.data?.canPickFiles ?? false} texts={texts} withName={false} />
      <div className="import-actions">
        <button type="submit" className="button button-primary" data-testid="tokenizer-attach-submit" disabled={busy !== null || form.busy !== null}>
          {busy === 'attach' ? 'Attaching…' : 'Attach'}
        </button>
        {model.tokenizerPath !== null && (
          <button type="button" className="button" data-testid="tokenizer-detach" disabled={busy !== null || form.busy !== null} onClick={() => void send('detach', null)}>
            {busy === 'detach' ? 'Detaching…' : 'Detach'}
          </button>
        )}
      </div>
      {form.error && <ErrorAlert message={form.error} testId="tokenizer-attach-error" />}
    </form>
  );
}
