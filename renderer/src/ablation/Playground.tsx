import { useEffect, useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { PlaygroundResult } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { Figure } from '../charts/Figure';
import { GroupedBarChart } from '../charts/GroupedBarChart';
import { okabeIto } from '../charts/style';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { ModelSelect } from '../components/ModelSelect';
import { PageHeader } from '../components/PageHeader';
import { formatStat } from '../format';
import { Fact } from '../models/Fact';
import { hrefFor } from '../routing/route';
import { BackToRuns } from './AblationResultView';
import { NeuronPicker, type Picked } from './NeuronPicker';
import { neuronLabel } from './neurons';
import { TokenLoss } from './TokenLoss';
import { useLatest } from './useLatest';
import { WeightPicker, type PickedWeight } from './WeightPicker';

const defaultPrompt = 'The Fulton County Grand Jury said Friday an investigation of the recent primary election produced no evidence that';

const shown = (text: string) => JSON.stringify(text).slice(1, -1);

function Results({ r }: { r: PlaygroundResult }) {
  // steer mode: the second side is the steered model
  const other = r.steer ? 'steered' : 'ablated';
  const Other = r.steer ? 'Steered' : 'Ablated';
  return (
    <>
      <dl className="facts" data-testid="pg-facts">
        <Fact term="KL of the next token" title={`KL(intact ‖ ${other}) of the next-token distributions`} testId="pg-kl">{`${formatStat(r.nextKl)} nats`}</Fact>
        {r.steer && (
          <Fact term="Mean KL per generated step" title="KL(intact ‖ steered) of the distribution each continuation token was picked from, averaged over the steps" testId="pg-steer-kl">{`${formatStat(r.steer.meanKl)} nats`}</Fact>
        )}
        <Fact term={r.steer ? `Neurons steered (${r.steer.by === 'value' ? 'value vectors' : 'means'} × ${r.steer.strength})` : 'Neurons ablated'}>{String(r.neurons)}</Fact>
        {r.weights > 0 && <Fact term="Weights set" testId="pg-weights-set">{String(r.weights)}</Fact>}
        <Fact term="Prompt tokens">{String(r.tokens.length)}</Fact>
        <Fact term="Measured time" testId="pg-timing">{`${Math.round(r.timing.forwardMs)} ms forward · ${Math.round(r.timing.generateMs)} ms continuations`}</Fact>
      </dl>
      <div className="continuations" data-testid="pg-continuations">
        <div>
          <h3 className="subsection-title">Intact continuation</h3>
          <p className="context-text" data-testid="pg-intact">{r.intact.continuation.text || '—'}</p>
        </div>
        <div>
          <h3 className="subsection-title">{Other} continuation</h3>
          <p className="context-text" data-testid="pg-ablated">{r.ablated.continuation.text || '—'}</p>
        </div>
      </div>
      {r.steer && r.steer.stepKl.length > 0 && (
        <p className="hint" data-testid="pg-step-kl">
          KL(intact ‖ steered) per step, nats: {r.steer.stepKl.map((k) => formatStat(k)).join(' · ')}
        </p>
      )}
      <div className="chart-grid">
        <Figure
          chartId="pg-next"
          title="Next-token distribution"
          baseName="playground-next-token"
          caption="The most likely next tokens of either model, by intact probability."
          data={{ header: ['token', 'text', 'intact', other], rows: r.next.map((n) => [n.token, n.text, n.intact, n.ablated]) }}
        >
          <GroupedBarChart
            label={`Next-token probability, intact and ${other}`}
            categories={r.next.map((n) => `“${shown(n.text)}”`)}
            series={[
              { name: 'intact', color: okabeIto.blue, values: r.next.map((n) => n.intact) },
              { name: other, color: okabeIto.vermillion, values: r.next.map((n) => n.ablated) },
            ]}
            xLabel="Next token"
            yLabel="Probability"
          />
        </Figure>
      </div>
      <TokenLoss result={r} />
    </>
  );
}

/** #/ablation/playground: a prompt, intact and with chosen neurons switched off, updated as you type. With a model and a saved set (from the Neurons page's sets), starts with that set switched off. */
export function Playground({ modelId, setId }: { modelId?: number; setId?: number } = {}) {
  const api = useApi();
  const models = useQuery('models', () => api.call('model.list', {}));
  const datasets = useQuery('datasets', () => api.call('dataset.list', {}));
  useChanges('models-changed', models.reload);
  useChanges('datasets-changed', datasets.reload);
  const [modelPick, setModelPick] = useState(modelId !== undefined ? String(modelId) : '');
  const [prompt, setPrompt] = useState(defaultPrompt);
  const [picked, setPicked] = useState<Picked[]>([]);
  const [pickedWeights, setPickedWeights] = useState<PickedWeight[]>([]);
  const [method, setMethod] = useState<'zero' | 'mean'>('zero');
  const [maxNew, setMaxNew] = useState(16);
  const [mode, setMode] = useState<'ablate' | 'steer'>('ablate');
  const [steerCapturePick, setSteerCapturePick] = useState('');
  const [steerBy, setSteerBy] = useState<'mean' | 'value'>('mean');
  const [strength, setStrength] = useState(4);

  const model = models.data?.find((m) => String(m.id) === modelPick) ?? models.data?.[0];
  const captures = (datasets.data ?? []).filter((d) => d.modelId === model?.id);
  const capture = captures[captures.length - 1];
  const sets = useQuery(`sets:${model?.id ?? 0}`, () => (model ? api.call('sets.list', { modelId: model.id }) : Promise.resolve([])));
  useChanges('sets-changed', sets.reload);

  // a set named in the address starts switched off
  useEffect(() => {
    if (setId === undefined) return;
    let live = true;
    api.call('sets.get', { id: setId }).then(
      (set) => live && setPicked(set.neurons.map((n) => ({ ...n, on: true }))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, setId]);

  const neurons = picked.filter((p) => p.on).map(({ layer, neuron }) => ({ layer, neuron }));
  const weights = pickedWeights.filter((w) => w.on).map(({ on: _on, ...w }) => w);
  const steerCapture = captures.find((d) => String(d.id) === steerCapturePick) ?? capture;
  const meanNeedsCapture = ((mode === 'steer' && steerBy === 'mean') || (mode === 'ablate' && method === 'mean')) && !capture;
  // steer: the picked neurons get strength x their mean over the chosen capture added at every step, or strength along their value vectors
  const steer = mode !== 'steer' ? {} : steerBy === 'value' ? { steer: { by: 'value' as const, strength } } : steerCapture ? { steer: { by: 'mean' as const, datasetId: steerCapture.id, strength } } : {};
  const request =
    model && prompt.trim() !== '' && !meanNeedsCapture
      ? { modelId: model.id, prompt, neurons, weights: mode === 'steer' ? [] : weights, method, maxNew, topK: 10, ...(method === 'mean' && capture ? { datasetId: capture.id } : {}), ...steer }
      : null;
  const key = request ? JSON.stringify({ ...request, neurons: neurons.map(neuronLabel) }) : null;
  const live = useLatest(key, () => api.call('playground.run', request!), 150);

  const header = (
    <>
      <BackToRuns />
      <PageHeader title="Playground">Switch neurons off, steer them (add a multiple of their mean over a capture), or zero single weights of W_out (super weights), and watch one prompt change: the next token, the continuation, and the loss at each token.</PageHeader>
    </>
  );
  if (models.error && !models.data) return <>{header}<ErrorAlert message={`Could not load models: ${models.error.message}`} onRetry={models.reload} /></>;
  if (!models.data) return <>{header}<Loading label="Loading models…" /></>;
  if (!model) return <>{header}<p className="notice">The playground needs <a href={hrefFor('models')}>an imported model</a>.</p></>;

  return (
    <div data-testid="playground">
      {header}
      <div className="playground-controls card">
        <div className="input-row">
          <label className="inline-field">
            Model
            <ModelSelect
              models={models.data}
              value={model.id}
              testId="pg-model"
              onChange={(id) => {
                setModelPick(id);
                setPicked([]); // another model's neurons mean nothing here
                setPickedWeights([]);
              }}
            />
          </label>
          <label className="inline-field">
            Mode
            <select className="input" data-testid="pg-mode" value={mode} onChange={(e) => setMode(e.target.value as 'ablate' | 'steer')}>
              <option value="ablate">Ablate</option>
              <option value="steer">Steer</option>
            </select>
          </label>
          {mode === 'steer' && (
            <>
              <label className="inline-field" title="Mean: each neuron's activation + strength x its mean over a capture. Value vector: + strength, i.e. strength x the neuron's value vector (its column of the FFN's output weights) added to the FFN output; no capture needed">
                Add
                <select className="input" data-testid="pg-steer-by" value={steerBy} onChange={(e) => setSteerBy(e.target.value as 'mean' | 'value')}>
                  <option value="mean">Mean activation × strength</option>
                  <option value="value">Value vector × strength</option>
                </select>
              </label>
              {steerBy === 'mean' && (
              <label className="inline-field">
                Means of
                <select className="input" data-testid="pg-steer-capture" value={steerCapture ? String(steerCapture.id) : ''} onChange={(e) => setSteerCapturePick(e.target.value)}>
                  {captures.length === 0 && <option value="">(needs a capture)</option>}
                  {captures.map((d) => (
                    <option key={d.id} value={String(d.id)}>
                      {d.name}
                    </option>
                  ))}
                </select>
              </label>
              )}
              <label className="inline-field" title={steerBy === 'mean' ? 'Each picked neuron gets this multiple of its mean activation over the capture added, at every position' : 'Each picked neuron gets this much added to its activation at every position: this multiple of its value vector in the FFN output'}>
                {`Strength ${strength}`}
                <input type="range" min={-8} max={8} step={0.5} data-testid="pg-strength" value={strength} onChange={(e) => setStrength(Number(e.target.value))} />
              </label>
            </>
          )}
          {mode === 'ablate' && (
          <label className="inline-field">
            Method
            <select className="input" data-testid="pg-method" value={method} onChange={(e) => setMethod(e.target.value as 'zero' | 'mean')}>
              <option value="zero">Zero</option>
              <option value="mean">{capture ? `Mean over “${capture.name}”` : 'Mean (needs a capture)'}</option>
            </select>
          </label>
          )}
          <label className="inline-field">
            Tokens to continue
            <input className="input input-narrow" type="number" min={0} max={128} data-testid="pg-max-new" value={maxNew} onChange={(e) => setMaxNew(Math.max(0, Math.min(128, Math.round(Number(e.target.value) || 0))))} />
          </label>
        </div>
        <label className="field">
          Prompt
          <textarea className="input prompt-input" rows={3} data-testid="pg-prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </label>
        <NeuronPicker model={model} sets={sets.data ?? []} captures={captures} picked={picked} onChange={setPicked} />
        {mode === 'ablate' && <WeightPicker model={model} picked={pickedWeights} onChange={setPickedWeights} />}
      </div>
      <div className="playground-output" aria-busy={live.busy} data-testid="pg-output" data-busy={live.busy}>
        <p className="hint" role="status" data-testid="pg-status">
          {live.busy ? 'Updating…' : meanNeedsCapture ? (mode === 'steer' ? 'Steering needs a capture of this model (its means are what is added).' : 'Mean ablation needs a capture of this model.') : live.data ? 'Up to date.' : ''}
        </p>
        {live.error && <ErrorAlert message={live.error} testId="pg-error" />}
        {live.data && <Results r={live.data} />}
      </div>
    </div>
  );
}
