import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { Corpus, Model, Params } from '../api/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/Field';
import { useImportForm } from '../components/useImportForm';
import { formatCount } from '../format';
import { initialOrderFields, orderFilter, type OrderFields } from './documentOrder';
import { DocumentOrderFields } from './DocumentOrderFields';

interface Fields {
  modelId: string;
  corpusId: string;
  genre: string;
  /** "field = value": only documents whose metadata field has that value */
  where: string;
  /** the first N matching documents */
  documents: string;
  maxTokens: string;
  seqLen: string;
  stride: string;
  batch: string;
  threshold: string;
  /** 'positive': a > threshold; 'magnitude': |a| > threshold */
  fire: string;
  topK: string;
  samples: string;
  /** document order, split and per-document cut (documentOrder.ts); absent: shuffled, all, whole */
  documentOrder?: OrderFields;
}

const initial: Fields = { modelId: '', corpusId: '', genre: '', where: '', documents: '', maxTokens: '100000', seqLen: '', stride: '', batch: '4', threshold: '0', fire: 'positive', topK: '16', samples: '' };

/** Reads the form into capture.start's params, or says which field is wrong. */
export function captureParams(f: Fields, name: string, metadataFields: readonly string[] | null = null): Params<'capture.start'> | string {
  const modelId = Number(f.modelId);
  const corpusId = Number(f.corpusId);
  if (!Number.isInteger(modelId) || modelId <= 0) return 'Choose a model to capture from.';
  if (!Number.isInteger(corpusId) || corpusId <= 0) return 'Choose a corpus to run through the model.';
  const int = (text: string, what: string, min: number): number | string => {
    const n = Number(text.trim());
    return text.trim() !== '' && Number.isInteger(n) && n >= min ? n : `${what} must be a whole number of at least ${min}.`;
  };
  const maxTokens = int(f.maxTokens, 'Max tokens', 1);
  if (typeof maxTokens === 'string') return maxTokens;
  const seqLen = f.seqLen.trim() === '' ? undefined : int(f.seqLen, 'Sequence length', 2);
  if (typeof seqLen === 'string') return seqLen;
  const stride = f.stride.trim() === '' ? undefined : int(f.stride, 'Stride', 1);
  if (typeof stride === 'string') return stride;
  const batch = int(f.batch, 'Batch', 1);
  if (typeof batch === 'string') return batch;
  if (batch > 1024) return 'Batch must be at most 1024.';
  const topK = int(f.topK, 'Top-k examples', 0);
  if (typeof topK === 'string') return topK;
  if (topK > 256) return 'Top-k examples must be at most 256.';
  const samples = f.samples.trim() === '' ? undefined : int(f.samples, 'Sampled tokens', 0);
  if (typeof samples === 'string') return samples;
  if (samples !== undefined && samples > 1_000_000) return 'Sampled tokens must be at most 1,000,000.';
  if (f.fire !== 'positive' && f.fire !== 'magnitude') return 'Firing must be "a > threshold" or "|a| > threshold".';
  const threshold = Number(f.threshold.trim());
  if (f.threshold.trim() === '' || !Number.isFinite(threshold)) return 'Firing threshold must be a number.';
  const genre = f.genre.trim();
  const documents = f.documents.trim() === '' ? undefined : int(f.documents, 'Documents', 1);
  if (typeof documents === 'string') return documents;
  let metadata: { field: string; value: string | number } | undefined;
  if (f.where.trim() !== '') {
    const m = /^\s*([^=]+?)\s*=\s*(.+?)\s*$/.exec(f.where);
    if (!m) return 'Metadata filter must read "field = value", e.g. "genre = news".';
    const raw = m[2] as string;
    metadata = { field: m[1] as string, value: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw };
  }
  const order = orderFilter(f.documentOrder ?? initialOrderFields, metadataFields);
  if (typeof order === 'string') return order;
  return {
    modelId,
    corpusId,
    filter: { ...(genre ? { genre } : {}), ...(metadata ? { metadata } : {}), ...(documents !== undefined ? { documents } : {}), ...order },
    maxTokens,
    ...(seqLen !== undefined ? { seqLen } : {}),
    ...(stride !== undefined ? { stride } : {}),
    batch,
    threshold,
    fire: f.fire,
    topK,
    ...(samples !== undefined ? { samples } : {}),
    ...(name.trim() ? { name: name.trim() } : {}),
  };
}

/** "New capture": a model, a corpus and the capture's settings; Start begins a capture job. */
export function CaptureForm({ models, corpora }: { models: readonly Model[]; corpora: readonly Corpus[] }) {
  const api = useApi();
  const form = useImportForm<'capture'>();
  const [fields, setFields] = useState<Fields>(initial);
  const set = (key: keyof Fields) => (event: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: event.target.value }));
  const modelId = fields.modelId || (models[0] ? String(models[0].id) : '');
  const corpusId = fields.corpusId || (corpora[0] ? String(corpora[0].id) : '');
  const corpus = corpora.find((c) => String(c.id) === corpusId);
  const model = models.find((m) => String(m.id) === modelId);
  const defaultSeqLen = String(Math.min(256, model?.maxPositions ?? 256));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const params = captureParams({ ...fields, modelId, corpusId }, form.name, corpus?.metadataFields ?? null);
    if (typeof params === 'string') {
      form.setError(params);
      return;
    }
    form.start('capture', () => api.call('capture.start', params), true);
  };

  const input = (key: Exclude<keyof Fields, 'documentOrder'>, id: string, extra: { placeholder?: string; inputMode?: 'numeric' | 'decimal' } = {}) => (
    <input id={id} className="input" data-testid={id} value={fields[key]} onChange={set(key)} {...extra} />
  );

  return (
    <section className="card capture-card" aria-labelledby="capture-title">
      <h2 id="capture-title" className="card-title">
        New capture
      </h2>
      <form className="capture-form" onSubmit={onSubmit} noValidate>
        <Field id="capture-model" label="Model">
          <select id="capture-model" className="input" data-testid="capture-model" value={modelId} onChange={set('modelId')}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {`${m.name} (${m.layers} × ${formatCount(m.dFf)})`}
              </option>
            ))}
          </select>
        </Field>
        <Field id="capture-corpus" label="Corpus">
          <select id="capture-corpus" className="input" data-testid="capture-corpus" value={corpusId} onChange={set('corpusId')}>
            {corpora.map((c) => (
              <option key={c.id} value={c.id}>
                {`${c.name} (${formatCount(c.documents)} documents)`}
              </option>
            ))}
          </select>
        </Field>
        <Field id="capture-genre" label="Genre (optional)" hint={corpus && !corpus.metadataFields.includes('genre') ? 'This corpus has no genre field.' : undefined}>
          {input('genre', 'capture-genre', { placeholder: 'All documents' })}
        </Field>
        <Field id="capture-where" label="Metadata filter (optional)" hint={corpus && corpus.metadataFields.length > 0 ? `Fields: ${corpus.metadataFields.join(', ')}` : undefined}>
          {input('where', 'capture-where', { placeholder: 'field = value' })}
        </Field>
        <Field id="capture-documents" label="Documents (optional)">
          {input('documents', 'capture-documents', { inputMode: 'numeric', placeholder: 'All that match' })}
        </Field>
        <DocumentOrderFields
          prefix="capture"
          fields={fields.documentOrder ?? initialOrderFields}
          metadataFields={corpus?.metadataFields ?? []}
          onChange={(key, value) => setFields((f) => ({ ...f, documentOrder: { ...(f.documentOrder ?? initialOrderFields), [key]: value } }))}
        />
        <Field id="capture-max-tokens" label="Max tokens">
          {input('maxTokens', 'capture-max-tokens', { inputMode: 'numeric' })}
        </Field>
        <Field id="capture-seq-len" label="Sequence length" hint={model && model.maxPositions < 256 ? `This model's context is ${model.maxPositions} tokens.` : undefined}>
          {input('seqLen', 'capture-seq-len', { inputMode: 'numeric', placeholder: defaultSeqLen })}
        </Field>
        <Field id="capture-stride" label="Stride">
          {input('stride', 'capture-stride', { inputMode: 'numeric', placeholder: 'Sequence length' })}
        </Field>
        <Field id="capture-batch" label="Batch">
          {input('batch', 'capture-batch', { inputMode: 'numeric' })}
        </Field>
        <Field id="capture-threshold" label="Firing threshold">
          {input('threshold', 'capture-threshold', { inputMode: 'decimal' })}
        </Field>
        <Field id="capture-fire" label="Fires when" hint={model?.gated ? 'Gated units (act(gate) × up) are negative whenever up is: |a| counts either sign.' : undefined}>
          <select id="capture-fire" className="input" data-testid="capture-fire" value={fields.fire} onChange={set('fire')}>
            <option value="positive">a &gt; threshold</option>
            <option value="magnitude">|a| &gt; threshold</option>
          </select>
        </Field>
        <Field id="capture-top-k" label="Top-k examples">
          {input('topK', 'capture-top-k', { inputMode: 'numeric' })}
        </Field>
        <Field id="capture-samples" label="Sampled tokens" hint="Hidden states kept for the manifold view, resample ablation and the token-specific and positional verdicts; 0 for none.">
          {input('samples', 'capture-samples', { inputMode: 'numeric', placeholder: 'Up to 4,096' })}
        </Field>
        <Field id="capture-name" label="Name">
          <input id="capture-name" className="input" data-testid="capture-name" value={form.name} onChange={(e) => form.setName(e.target.value)} placeholder="From the model and corpus" />
        </Field>
        <div className="import-actions">
          <button type="submit" className="button button-primary" data-testid="capture-start" disabled={form.busy !== null}>
            {form.busy === 'capture' ? 'Starting…' : 'Start'}
          </button>
          <span className="hint">Firing counts (fire rate, rare) follow the rule above; dead and constant are judged from the output itself.</span>
        </div>
      </form>
      {form.error && <ErrorAlert message={form.error} testId="capture-error" />}
      {form.started && (
        <p className="notice" role="status" data-testid="capture-started">
          Started “{form.started.title}”. Its progress is in the Jobs drawer (status bar, j); the dataset appears below when it finishes.
        </p>
      )}
    </section>
  );
}
