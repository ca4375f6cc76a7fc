import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { CompareResult } from '../api/contract';
import { errorMessage } from '../api/errors';
import { Field } from '../components/Field';
import { useJobs } from '../jobs/JobsStore';

const whole = (text: string): number | null => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);

/**
 * Layer sensitivity of every compared model on the same held-out documents of the comparison's
 * corpus (documents N+1..N+M in corpus order, up to a token budget): one ablation run per model;
 * the comparison reads each model's newest run when they end.
 */
export function SensitivityForm({ result }: { result: CompareResult }) {
  const api = useApi();
  const jobs = useJobs();
  const [skip, setSkip] = useState('');
  const [take, setTake] = useState('20');
  const [tokens, setTokens] = useState('20000');
  const [fraction, setFraction] = useState('0.25');
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState(0);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const s = whole(skip);
    const t = whole(take);
    const m = tokens.trim() === '' ? undefined : whole(tokens);
    const f = Number(fraction);
    if (s === null || t === null || t < 1 || m === null || (m !== undefined && m < 1)) return setError('Skip, documents and tokens must be whole numbers (documents and tokens at least 1; tokens may be left empty).');
    if (!(f > 0 && f <= 1)) return setError('The random fraction must be above 0 and at most 1.');
    try {
      for (const model of result.models) {
        const { job } = await api.call('ablation.sensitivity', {
          modelId: model.model.id,
          corpusId: result.text.corpus.id,
          filter: { offset: s, documents: t },
          ...(m !== undefined ? { maxTokens: m } : {}),
          fraction: f,
          seqLen: model.flops_per_token.context,
          batch: 4,
        });
        jobs.upsert(job);
      }
      setStarted(result.models.length);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section className="card" aria-labelledby="compare-sensitivity-title" data-testid="compare-sensitivity-form">
      <h2 id="compare-sensitivity-title" className="card-title">
        Measure layer sensitivity
      </h2>
      <p className="hint">
        For every compared model, one ablation run: each layer’s whole FFN zeroed, and a random fraction of its neurons, on the same documents of “{result.text.corpus.name}”. Choose documents the models were not trained on (held out), and not those the captures read.
      </p>
      <form className="projection-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="sensitivity-skip" label="Skip the first N documents">
          <input id="sensitivity-skip" className="input" inputMode="numeric" required value={skip} onChange={(e) => setSkip(e.target.value)} data-testid="sensitivity-skip" />
        </Field>
        <Field id="sensitivity-take" label="Then take documents">
          <input id="sensitivity-take" className="input" inputMode="numeric" value={take} onChange={(e) => setTake(e.target.value)} data-testid="sensitivity-take" />
        </Field>
        <Field id="sensitivity-tokens" label="At most tokens" hint="Empty: the documents whole (needed when the models' tokenizers differ: a token budget ends at different places in the text).">
          <input id="sensitivity-tokens" className="input" inputMode="numeric" value={tokens} onChange={(e) => setTokens(e.target.value)} data-testid="sensitivity-tokens" />
        </Field>
        <Field id="sensitivity-fraction" label="Random fraction">
          <input id="sensitivity-fraction" className="input" inputMode="decimal" value={fraction} onChange={(e) => setFraction(e.target.value)} data-testid="sensitivity-fraction" />
        </Field>
        <button type="submit" className="button button-primary" data-testid="sensitivity-start">
          Measure {result.models.length} models
        </button>
      </form>
      {started > 0 && !error && (
        <p className="notice" role="status" data-testid="sensitivity-started">
          Started {started} runs (see Jobs); the comparison updates when they end.
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
