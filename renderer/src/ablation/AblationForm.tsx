import { DocumentOrderFields } from '../datasets/DocumentOrderFields';
import { initialOrderFields } from '../datasets/documentOrder';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../api/ApiContext';
import type { Corpus, Dataset, Job, Model, RankScore } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Field } from '../components/Field';
import { useImportForm } from '../components/useImportForm';
import { formatCount } from '../format';
import { verdictKinds, verdictLabels, verdictMeanings } from '../neurons/evidence';
import { ablationParams, initialFields, licensedMethod, sweepParams, type AblationFields } from './params';
import { RunJob } from './RunJob';

export const scoreLabels: Record<RankScore, string> = {
  fire_rate: 'Fire rate',
  mean_abs: 'Mean |activation|',
  value_norm: 'Value-vector norm',
  wanda: 'Wanda (value norm × RMS activation)',
};

const methodLabels = { zero: 'Zero', mean: 'Mean (over the capture)', resample: 'Resample (from the capture)' } as const;

function Select<T extends string>({ id, value, onChange, options }: { id: string; value: T; onChange: (v: T) => void; options: readonly { value: T; label: string }[] }) {
  return (
    <select id={id} className="input" data-testid={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/**
 * "New ablation" (a set against the intact model, with a matched random control) or "New sweep"
 * (growing fractions in ranking order beside matched random sets): the evaluation data, the
 * capture, the method and the budget are the same fields in both.
 */
export function AblationForm({ kind, models, corpora, datasets }: { kind: 'compare' | 'sweep'; models: readonly Model[]; corpora: readonly Corpus[]; datasets: readonly Dataset[] }) {
  const api = useApi();
  const form = useImportForm<'ablate'>();
  const [fields, setFields] = useState<AblationFields>(initialFields);
  const set = <K extends keyof AblationFields>(key: K) => (value: AblationFields[K]) => setFields((f) => ({ ...f, [key]: value }));
  const text = (key: keyof AblationFields) => (event: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: event.target.value }));
  const p = kind === 'compare' ? 'ablate' : 'sweep';

  const modelId = fields.modelId || (models[0] ? String(models[0].id) : '');
  const corpusId = fields.corpusId || (corpora[0] ? String(corpora[0].id) : '');
  const captures = datasets.filter((d) => String(d.modelId) === modelId);
  // the newest capture of the model by default: verdict sets, rankings, means and resamples need one
  const datasetId = fields.datasetId === 'none' ? '' : fields.datasetId && captures.some((d) => String(d.id) === fields.datasetId) ? fields.datasetId : captures.length ? String(captures[captures.length - 1]!.id) : '';
  const sets = useQuery(`sets:${modelId}`, () => (modelId ? api.call('sets.list', { modelId: Number(modelId) }) : Promise.resolve([])));
  useChanges('sets-changed', sets.reload);
  const savedId = fields.savedId || (sets.data?.[0] ? String(sets.data[0].id) : '');
  const corpus = corpora.find((c) => String(c.id) === corpusId);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const all = { ...fields, modelId, corpusId, datasetId, savedId, name: form.name };
    const go = <P,>(params: P | string, call: (params: P) => Promise<{ job: Job }>) => {
      if (typeof params === 'string') form.setError(params);
      else form.start('ablate', () => call(params), false);
    };
    if (kind === 'compare') go(ablationParams(all), (params) => api.call('ablation.start', params));
    else go(sweepParams(all), (params) => api.call('ablation.sweep', params));
  };

  const input = (key: keyof AblationFields, extra: { placeholder?: string; inputMode?: 'numeric' | 'decimal' } = {}): ReactNode => (
    <input id={`${p}-${key}`} className="input" data-testid={`${p}-${key}`} value={String(fields[key])} onChange={text(key)} {...extra} />
  );

  const setPart =
    kind === 'compare' ? (
      <>
        <Field id={`${p}-setKind`} label="Neurons to ablate">
          <Select
            id={`${p}-setKind`}
            value={fields.setKind}
            onChange={set('setKind')}
            options={[
              { value: 'verdict', label: 'A verdict of the capture' },
              { value: 'saved', label: 'A saved set' },
              { value: 'top', label: 'Top k by a score' },
              { value: 'weights', label: 'Single W_out weights' },
            ]}
          />
        </Field>
        {fields.setKind === 'verdict' && (
          <Field id={`${p}-verdict`} label="Verdict" hint={verdictMeanings[fields.verdict]}>
            <Select
              id={`${p}-verdict`}
              value={fields.verdict}
              onChange={(verdict) => setFields((f) => ({ ...f, verdict, method: licensedMethod(verdict) ?? f.method }))}
              options={verdictKinds.map((v) => ({ value: v, label: verdictLabels[v] }))}
            />
          </Field>
        )}
        {fields.setKind === 'weights' && (
          <Field id={`${p}-weights`} label="Weights (layer:neuron:dim, =value to set instead of 0)" hint="W_out[neuron → dim] of that layer, e.g. 1:120:29 — a super-weight candidate from the massive-dims table.">
            {input('weights', { placeholder: '1:120:29, 2:7:3=0.5' })}
          </Field>
        )}
        {fields.setKind === 'saved' && (
          <Field id={`${p}-savedId`} label="Saved set" hint={sets.data && sets.data.length === 0 ? 'This model has no saved sets yet.' : undefined}>
            <Select id={`${p}-savedId`} value={savedId} onChange={set('savedId')} options={(sets.data ?? []).map((s) => ({ value: String(s.id), label: `${s.name} (${formatCount(s.neurons.length)})` }))} />
          </Field>
        )}
        {fields.setKind === 'top' && (
          <>
            <Field id={`${p}-score`} label="Score">
              <Select id={`${p}-score`} value={fields.score} onChange={set('score')} options={Object.entries(scoreLabels).map(([value, label]) => ({ value: value as RankScore, label }))} />
            </Field>
            <Field id={`${p}-k`} label="k">
              {input('k', { inputMode: 'numeric' })}
            </Field>
            <Field id={`${p}-order`} label="Which end">
              <Select id={`${p}-order`} value={fields.order} onChange={set('order')} options={[{ value: 'descending', label: 'Highest scores' }, { value: 'ascending', label: 'Lowest scores' }]} />
            </Field>
          </>
        )}
        <div className="field field-check">
          <label className="check">
            <input type="checkbox" data-testid={`${p}-control`} checked={fields.control} onChange={(e) => set('control')(e.target.checked)} />
            Matched random control
          </label>
          <p className="hint">As many neurons per layer, drawn with the seed.</p>
        </div>
      </>
    ) : (
      <>
        <Field id={`${p}-criterion`} label="Rank by">
          <Select id={`${p}-criterion`} value={fields.criterion} onChange={set('criterion')} options={Object.entries(scoreLabels).map(([value, label]) => ({ value: value as RankScore, label }))} />
        </Field>
        <Field id={`${p}-sweepOrder`} label="Ablate first">
          <Select id={`${p}-sweepOrder`} value={fields.sweepOrder} onChange={set('sweepOrder')} options={[{ value: 'ascending', label: 'Lowest scores' }, { value: 'descending', label: 'Highest scores' }]} />
        </Field>
        <Field id={`${p}-fractions`} label="Fractions of all neurons" hint="Numbers in (0, 1] or percentages; each beside a matched random set.">
          {input('fractions')}
        </Field>
      </>
    );

  return (
    <section className="card ablation-card" aria-labelledby={`${p}-title`} data-testid={`${p}-form`}>
      <h2 id={`${p}-title`} className="card-title">
        {kind === 'compare' ? 'New ablation' : 'New sweep'}
      </h2>
      <form className="capture-form ablation-form" onSubmit={onSubmit} noValidate>
        <Field id={`${p}-modelId`} label="Model">
          <Select id={`${p}-modelId`} value={modelId} onChange={set('modelId')} options={models.map((m) => ({ value: String(m.id), label: `${m.name} (${m.layers} × ${formatCount(m.dFf)})` }))} />
        </Field>
        <Field id={`${p}-corpusId`} label="Evaluation corpus">
          <Select id={`${p}-corpusId`} value={corpusId} onChange={set('corpusId')} options={corpora.map((c) => ({ value: String(c.id), label: `${c.name} (${formatCount(c.documents)} documents)` }))} />
        </Field>
        <Field id={`${p}-genre`} label="Genre" hint={corpus && !corpus.metadataFields.includes('genre') ? 'This corpus has no genre field.' : undefined}>
          {input('genre', { placeholder: 'All' })}
        </Field>
        <Field id={`${p}-documents`} label="Documents">
          {input('documents', { inputMode: 'numeric', placeholder: 'All' })}
        </Field>
        <Field id={`${p}-offset`} label="Skip documents" hint="Evaluate on documents the capture did not see.">
          {input('offset', { inputMode: 'numeric', placeholder: '0' })}
        </Field>
        <DocumentOrderFields
          prefix={p}
          fields={fields.documentOrder ?? initialOrderFields}
          metadataFields={corpus?.metadataFields ?? []}
          onChange={(key, value) => setFields((f) => ({ ...f, documentOrder: { ...(f.documentOrder ?? initialOrderFields), [key]: value } }))}
        />
        <Field id={`${p}-datasetId`} label="Capture" hint={captures.length === 0 ? 'This model has no capture: start one on the Datasets page.' : undefined}>
          <Select
            id={`${p}-datasetId`}
            value={datasetId || 'none'}
            onChange={set('datasetId')}
            options={[...captures.map((d) => ({ value: String(d.id), label: `${d.name} (${formatCount(d.tokens)} tokens)` })), { value: 'none', label: 'None' }]}
          />
        </Field>
        {setPart}
        <Field id={`${p}-method`} label="Method">
          <Select id={`${p}-method`} value={fields.method} onChange={set('method')} options={Object.entries(methodLabels).map(([value, label]) => ({ value: value as keyof typeof methodLabels, label }))} />
        </Field>
        <Field id={`${p}-seed`} label="Seed" hint={kind === 'compare' ? 'Control, bootstrap and resample draws.' : 'Random sets, bootstrap and resample draws.'}>
          {input('seed', { inputMode: 'numeric' })}
        </Field>
        <Field id={`${p}-maxTokens`} label="Max tokens">
          {input('maxTokens', { inputMode: 'numeric' })}
        </Field>
        <Field id={`${p}-resamples`} label="Bootstrap resamples">
          {input('resamples', { inputMode: 'numeric' })}
        </Field>
        <Field id={`${p}-seqLen`} label="Sequence length">
          {input('seqLen', { inputMode: 'numeric', placeholder: String(Math.min(256, models.find((m) => String(m.id) === modelId)?.maxPositions ?? 256)) })}
        </Field>
        <Field id={`${p}-name`} label="Name">
          <input id={`${p}-name`} className="input" data-testid={`${p}-name`} value={form.name} onChange={(e) => form.setName(e.target.value)} placeholder={kind === 'compare' ? 'From the set and the method' : 'From the ranking and the method'} />
        </Field>
        <div className="import-actions">
          <button type="submit" className="button button-primary" data-testid={`${p}-start`} disabled={form.busy !== null}>
            {form.busy === 'ablate' ? 'Starting…' : kind === 'compare' ? 'Start ablation' : 'Start sweep'}
          </button>
          <span className="hint">Loss, KL and top-1 agreement against the intact model, with 95% bootstrap intervals over documents.</span>
        </div>
      </form>
      {form.error && <ErrorAlert message={form.error} testId={`${p}-error`} />}
      {form.started && <RunJob jobId={form.started.id} testId={`${p}-job`} />}
    </section>
  );
}
