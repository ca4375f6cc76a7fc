import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { LensResult } from '../api/contract';
import { errorMessage } from '../api/errors';
import { Figure } from '../charts/Figure';
import { ErrorAlert } from '../components/ErrorAlert';
import { HeatMap } from '../experts/HeatMap';
import { formatStat } from '../format';

const shown = (text: string) => JSON.stringify(text).slice(1, -1);

function LensView({ r }: { r: LensResult }) {
  const columns = r.tokens.map((t, i) => `${i} “${shown(t.text)}”`);
  const rows = r.layers.map((l) => `layer ${l.layer}`);
  const csv = {
    header: ['layer', 'position', 'token', 'top1', 'top1_prob', 'target_rank', 'target_prob'],
    rows: r.layers.flatMap((l) => l.positions.map((p, t) => [l.layer, t, r.tokens[t]?.text ?? '', p.top[0]?.text ?? '', p.top[0]?.prob ?? '', p.target?.rank ?? '', p.target?.prob ?? ''])),
  };
  return (
    <div data-testid="lens-result">
      {r.target && (
        <div className="chart-grid">
          <Figure
            chartId="lens-target"
            title={`Probability of “${shown(r.target.text)}” by layer and position`}
            baseName="logit-lens"
            caption="The final norm and the unembedding applied to the residual stream after each layer; hover a cell for the target's rank."
            data={csv}
          >
            <HeatMap
              label="Logit lens: target probability"
              rows={rows}
              columns={columns}
              values={r.layers.map((l) => l.positions.map((p) => p.target?.prob ?? null))}
              xLabel="Position"
              yLabel="Layer"
              legendLabel="p(target)"
              cellAttributes={{ row: 'data-layer', column: 'data-position' }}
              cellTitle={(row, col) => {
                const p = r.layers[row]?.positions[col];
                return `${rows[row]}, ${columns[col]}: p = ${p?.target ? formatStat(p.target.prob) : '—'}, rank ${p?.target?.rank ?? '—'}; top “${shown(p?.top[0]?.text ?? '')}”`;
              }}
            />
          </Figure>
        </div>
      )}
      <div className="table-scroll">
        <table className="table" data-testid="lens-table">
          <thead>
            <tr>
              <th>Layer</th>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.layers.map((l) => (
              <tr key={l.layer} data-layer={l.layer}>
                <td>{l.layer}</td>
                {l.positions.map((p, t) => (
                  <td key={t} title={p.top.map((x) => `“${shown(x.text)}” ${formatStat(x.prob)}`).join(', ')} data-rank={p.target?.rank ?? ''}>
                    {`“${shown(p.top[0]?.text ?? '')}”`}
                    {p.target && <span className="muted">{` #${p.target.rank}`}</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The logit lens of a prompt's residual stream after every layer (lens.run), for one model. */
export function ResidualLens({ modelId }: { modelId: number }) {
  const api = useApi();
  const [prompt, setPrompt] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<LensResult | null>(null);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api
      .call('lens.run', { modelId, prompt, ...(target !== '' ? { target } : {}), top: 5 })
      .then(setResult, (err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="card" data-testid="lens">
      <h2 className="card-title">Logit lens of the residual stream</h2>
      <form className="playground-controls" onSubmit={onSubmit}>
        <label className="field">
          Prompt
          <input className="input" data-testid="lens-prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </label>
        <div className="input-row">
          <label className="inline-field">
            Target token
            <input className="input" data-testid="lens-target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder=" Paris" />
          </label>
          <button type="submit" className="button" data-testid="lens-run" disabled={busy || prompt === ''}>
            {busy ? 'Reading…' : 'Read the lens'}
          </button>
        </div>
      </form>
      {error && <ErrorAlert message={error} testId="lens-error" />}
      {result && <LensView r={result} />}
    </section>
  );
}
