import { useState, type FormEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { PatchResult } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { Figure } from '../charts/Figure';
import { GroupedIntervalChart } from '../charts/GroupedIntervalChart';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { ModelSelect } from '../components/ModelSelect';
import { PageHeader } from '../components/PageHeader';
import { HeatMap } from '../experts/HeatMap';
import { formatStat } from '../format';
import { Fact } from '../models/Fact';
import { hrefFor } from '../routing/route';
import { BackToRuns } from './AblationResultView';
import { ResidualLens } from './ResidualLens';

const shown = (text: string) => JSON.stringify(text).slice(1, -1);

type Pair = { clean: string; corrupt: string; target: string; foil?: string };

/** Pasted JSONL: one {"clean", "corrupt", "target", "foil"} object a line; the backend checks the fields. */
function parsePairs(text: string): Pair[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter((l) => l.line !== '')
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as Pair;
      } catch {
        throw new Error(`pairs line ${n} is not JSON; expected {"clean": "...", "corrupt": "...", "target": " Paris", "foil": " Rome"}`);
      }
    });
}
const point = (e: { effect: number; low: number; high: number } | null) => (e ? { value: e.effect, low: e.low, high: e.high } : null);

/** One stored run: the layer × position heat map, the whole-layer effects and the ranked neurons. */
function PatchView({ r, onRerun, rerunning }: { r: PatchResult; onRerun: () => void; rerunning: boolean }) {
  const layers = r.layers.denoise.map((e) => `layer ${e.layer}`);
  const base = `patching-${r.id}`;
  const positions = r.layers.denoise[0]?.positions ? r.tokens.map((t, i) => `${i} “${shown(t)}”`) : null;
  return (
    <div data-testid="patch-result" data-run={r.id}>
      <dl className="facts" data-testid="patch-facts">
        <Fact term="Metric" title="logit-diff: logit(target) − logit(foil) at the last position; loss: −log p(target)">{r.metric}</Fact>
        <Fact term="Clean" testId="patch-clean">{formatStat(r.clean)}</Fact>
        <Fact term="Corrupted" testId="patch-corrupt">{formatStat(r.corrupt)}</Fact>
        <Fact term="Pairs">{String(r.pairs.length)}</Fact>
        <Fact term="Target / foil">{`“${shown(r.target)}”${r.foil !== null ? ` / “${shown(r.foil)}”` : ''}`}</Fact>
        <Fact term="Forward rows" title="prompts run in all (the cost of exact patching)">{String(r.rows)}</Fact>
        <Fact term="Model SHA-256">{r.modelSha256.slice(0, 12)}</Fact>
        <Fact term="App version">{r.appVersion}</Fact>
      </dl>
      <div className="import-actions">
        <button type="button" className="button" data-testid="patch-rerun" disabled={rerunning} onClick={onRerun}>
          {rerunning ? 'Re-running…' : 'Re-run'}
        </button>
      </div>
      <div className="chart-grid">
        {positions && (
          <Figure
            chartId="patch-heatmap"
            title="Patching clean → corrupted, per layer and position"
            baseName={`${base}-heatmap`}
            caption="Each cell: the layer's whole FFN output patched from the clean run into the corrupted one at that position only; 1 = the clean metric restored, 0 = no change (negative effects are drawn as 0; the CSV and tooltips keep the sign)."
            data={{ header: ['layer', 'position', 'token', 'denoise', 'noise'], rows: r.layers.denoise.flatMap((e, l) => (e.positions ?? []).map((p, t) => [e.layer, t, r.tokens[t] ?? '', p?.effect ?? '', r.layers.noise[l]?.positions?.[t]?.effect ?? ''])) }}
          >
            <HeatMap
              label="Normalised patching effect by layer and position"
              rows={layers}
              columns={positions}
              values={r.layers.denoise.map((e) => (e.positions ?? []).map((p) => p?.effect ?? null))}
              xLabel="Position (corrupted prompt's token)"
              yLabel="Layer"
              legendLabel="Effect"
              cellAttributes={{ row: 'data-layer', column: 'data-position' }}
              cellTitle={(row, col, v) => `${layers[row]}, position ${positions[col]}: ${v === null ? 'no value' : v.toFixed(4)}`}
            />
          </Figure>
        )}
        <Figure
          chartId="patch-layers"
          title="Whole FFN patched at every position"
          baseName={`${base}-layers`}
          caption="Denoise: clean activations into the corrupted run (1 = fully restored). Noise: corrupted activations into the clean run (1 = fully destroyed). 95% intervals over pairs."
          data={{ header: ['layer', 'denoise', 'denoise_low', 'denoise_high', 'noise', 'noise_low', 'noise_high'], rows: r.layers.denoise.map((e, l) => [e.layer, e.all?.effect ?? '', e.all?.low ?? '', e.all?.high ?? '', r.layers.noise[l]?.all?.effect ?? '', r.layers.noise[l]?.all?.low ?? '', r.layers.noise[l]?.all?.high ?? '']) }}
        >
          <GroupedIntervalChart
            label="Patching effect of each layer's FFN"
            groups={layers.map((_, l) => String(l))}
            series={[
              { name: 'denoise', points: r.layers.denoise.map((e) => point(e.all)) },
              { name: 'noise', points: r.layers.noise.map((e) => point(e.all)) },
            ]}
            xLabel="Layer"
            yLabel="Normalised effect"
          />
        </Figure>
        {r.neurons.length > 0 && (
          <Figure
            chartId="patch-neurons"
            title={`Neurons ranked (layers ${r.searchedLayers.join(', ')})`}
            baseName={`${base}-neurons`}
            caption="Each neuron patched alone at every position; the highest denoising effects first, with 95% intervals over pairs."
            data={{ header: ['layer', 'neuron', 'denoise', 'denoise_low', 'denoise_high', 'noise', 'noise_low', 'noise_high'], rows: r.neurons.map((n) => [n.layer, n.neuron, n.denoise?.effect ?? '', n.denoise?.low ?? '', n.denoise?.high ?? '', n.noise?.effect ?? '', n.noise?.low ?? '', n.noise?.high ?? '']) }}
          >
            <GroupedIntervalChart
              label="Patching effect of single neurons"
              groups={r.neurons.map((n) => `${n.layer}:${n.neuron}`)}
              series={[
                { name: 'denoise', points: r.neurons.map((n) => point(n.denoise)) },
                { name: 'noise', points: r.neurons.map((n) => point(n.noise)) },
              ]}
              xLabel="Neuron (layer:index)"
              yLabel="Normalised effect"
            />
          </Figure>
        )}
      </div>
      <table className="table" data-testid="patch-neuron-table">
        <thead>
          <tr>
            <th>Rank</th>
            <th>Neuron</th>
            <th>Denoise</th>
            <th>Noise</th>
          </tr>
        </thead>
        <tbody>
          {r.neurons.map((n, i) => (
            <tr key={`${n.layer}:${n.neuron}`} data-layer={n.layer} data-neuron={n.neuron}>
              <td>{i + 1}</td>
              <td>{`${n.layer}:${n.neuron}`}</td>
              <td>{n.denoise ? formatStat(n.denoise.effect) : '—'}</td>
              <td>{n.noise ? formatStat(n.noise.effect) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * #/ablation/patching[/<id>]: exact activation patching of FFN neurons on a clean/corrupted prompt
 * pair (the same number of tokens), the stored runs of the model, and one run's figures.
 */
export function Patching({ id }: { id?: number }) {
  const api = useApi();
  const models = useQuery('models', () => api.call('model.list', {}));
  useChanges('models-changed', models.reload);
  const runs = useQuery('patch-runs', () => api.call('patch.list', {}));
  useChanges('ablations-changed', runs.reload);
  const stored = useQuery(`patch:${id ?? 0}`, () => (id !== undefined ? api.call('patch.get', { id }) : Promise.resolve(null)));
  const [modelPick, setModelPick] = useState('');
  const [clean, setClean] = useState('');
  const [corrupt, setCorrupt] = useState('');
  const [target, setTarget] = useState('');
  const [foil, setFoil] = useState('');
  const [metric, setMetric] = useState<'logit-diff' | 'loss'>('logit-diff');
  const [top, setTop] = useState(20);
  const [pairsText, setPairsText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<PatchResult | null>(null);

  const model = models.data?.find((m) => String(m.id) === modelPick) ?? models.data?.[0];
  const shownRun = fresh && (id === undefined || fresh.id === id) ? fresh : (stored.data ?? null);

  const start = async (params: Parameters<typeof api.call<'patch.run'>>[1]) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.call('patch.run', params);
      setFresh(r);
      window.location.hash = hrefFor('ablation', 'patching', r.id);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!model) return;
    let pairs: Pair[];
    try {
      pairs = pairsText.trim() !== '' ? parsePairs(pairsText) : [{ clean, corrupt, target, ...(foil !== '' ? { foil } : {}) }];
    } catch (err) {
      setError(errorMessage(err));
      return;
    }
    void start({ modelId: model.id, pairs, metric, top });
  };

  const header = (
    <>
      <BackToRuns />
      <PageHeader title="Activation patching">
        Patch FFN activations between a clean and a corrupted prompt and see which layers, positions and neurons carry the answer. Exact patching (no gradient estimate): every layer at every position, then each neuron of the layers that matter most.
      </PageHeader>
    </>
  );
  if (models.error && !models.data) return <>{header}<ErrorAlert message={`Could not load models: ${models.error.message}`} onRetry={models.reload} /></>;
  if (!models.data) return <>{header}<Loading label="Loading models…" /></>;
  if (!model) return <>{header}<p className="notice">Patching needs <a href={hrefFor('models')}>an imported model</a>.</p></>;

  return (
    <div data-testid="patching">
      {header}
      <form className="card playground-controls" data-testid="patch-form" onSubmit={onSubmit}>
        <div className="input-row">
          <label className="inline-field">
            Model
            <ModelSelect models={models.data} value={model.id} onChange={setModelPick} testId="patch-model" />
          </label>
          <label className="inline-field">
            Metric
            <select className="input" data-testid="patch-metric" value={metric} onChange={(e) => setMetric(e.target.value as 'logit-diff' | 'loss')}>
              <option value="logit-diff">Logit difference (target − foil)</option>
              <option value="loss">Loss of the target</option>
            </select>
          </label>
          <label className="inline-field">
            Neurons shown
            <input className="input input-narrow" type="number" min={1} max={1000} data-testid="patch-top" value={top} onChange={(e) => setTop(Math.max(1, Math.min(1000, Math.round(Number(e.target.value) || 1))))} />
          </label>
        </div>
        <label className="field">
          Clean prompt
          <input className="input" data-testid="patch-clean-prompt" value={clean} onChange={(e) => setClean(e.target.value)} placeholder="The Eiffel Tower is in the city of" />
        </label>
        <label className="field">
          Corrupted prompt (the same number of tokens)
          <input className="input" data-testid="patch-corrupt-prompt" value={corrupt} onChange={(e) => setCorrupt(e.target.value)} placeholder="The Colosseum is in the city of" />
        </label>
        <div className="input-row">
          <label className="inline-field">
            Target token
            <input className="input" data-testid="patch-target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder=" Paris" />
          </label>
          <label className="inline-field">
            Foil token
            <input className="input" data-testid="patch-foil" value={foil} onChange={(e) => setFoil(e.target.value)} placeholder=" Rome" />
          </label>
        </div>
        <label className="field">
          Or a dataset of pairs (JSONL, one {'{"clean", "corrupt", "target", "foil"}'} a line; replaces the prompts above)
          <textarea className="input" rows={3} data-testid="patch-pairs" value={pairsText} onChange={(e) => setPairsText(e.target.value)} />
        </label>
        <div className="import-actions">
          <button type="submit" className="button" data-testid="patch-run" disabled={busy || (pairsText.trim() === '' && (clean === '' || corrupt === '' || target === ''))}>
            {busy ? 'Patching…' : 'Run patching'}
          </button>
        </div>
        {error && <ErrorAlert message={error} testId="patch-error" />}
      </form>
      {id !== undefined && stored.error && !shownRun && <ErrorAlert message={`Could not load patching run ${id}: ${stored.error.message}`} onRetry={stored.reload} />}
      {shownRun && <PatchView r={shownRun} rerunning={busy} onRerun={() => void start(shownRun.params)} />}
      <ResidualLens key={model.id} modelId={model.id} />
      <section className="card" data-testid="patch-runs">
        <h2 className="card-title">Stored patching runs</h2>
        {(runs.data ?? []).length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul>
            {(runs.data ?? []).map((r) => (
              <li key={r.id}>
                <a href={hrefFor('ablation', 'patching', r.id)} data-testid={`patch-run-${r.id}`}>{`${r.id}: ${r.name} (${r.metric})`}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
