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
  return (
    <>
      <dl className="facts" data-testid="pg-facts">
        <Fact term="KL of the next token" title="KL(intact ‖ ablated) of the next-token distributions" testId="pg-kl">{`${formatStat(r.nextKl)} nats`}</Fact>
        <Fact term="Neurons ablated">{String(r.neurons)}</Fact>
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
          <h3 className="subsection-title">Ablated continuation</h3>
          <p className="context-text" data-testid="pg-ablated">{r.ablated.continuation.text || '—'}</p>
        </div>
      </div>
      <div className="chart-grid">
        <Figure
          chartId="pg-next"
          title="Next-token distribution"
          baseName="playground-next-token"
          caption="The most likely next tokens of either model, by intact probability."
          data={{ header: ['token', 'text', 'intact', 'ablated'], rows: r.next.map((n) => [n.token, n.text, n.intact, n.ablated]) }}
        >
          <GroupedBarChart
            label="Next-token probability, intact and ablated"
            categories={r.next.map((n) => `“${shown(n.text)}”`)}
            series={[
              { name: 'intact', color: okabeIto.blue, values: r.next.map((n) => n.intact) },
              { name: 'ablated', color: okabeIto.vermillion, values: r.next.map((n) => n.ablated) },
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
  const meanNeedsCapture = method === 'mean' && !capture;
  const request = model && prompt.trim() !== '' && !meanNeedsCapture ? { modelId: model.id, prompt, neurons, weights, method, maxNew, topK: 10, ...(method === 'mean' && capture ? { datasetId: capture.id } : {}) } : null;
  const key = request ? JSON.stringify({ ...request, neurons: neurons.map(neuronLabel) }) : null;
  const live = useLatest(key, () => api.call('playground.run', request!), 150);

  const header = (
    <>
      <BackToRuns />
      <PageHeader title="Playground">Switch neurons off, or zero single weights of W_out (super weights), and watch one prompt change: the next token, the continuation, and the loss at each token.</PageHeader>
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
            Method
            <select className="input" data-testid="pg-method" value={method} onChange={(e) => setMethod(e.target.value as 'zero' | 'mean')}>
              <option value="zero">Zero</option>
              <option value="mean">{capture ? `Mean over “${capture.name}”` : 'Mean (needs a capture)'}</option>
            </select>
          </label>
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
        <WeightPicker model={model} picked={pickedWeights} onChange={setPickedWeights} />
      </div>
      <div className="playground-output" aria-busy={live.busy} data-testid="pg-output" data-busy={live.busy}>
        <p className="hint" role="status" data-testid="pg-status">
          {live.busy ? 'Updating…' : meanNeedsCapture ? 'Mean ablation needs a capture of this model.' : live.data ? 'Up to date.' : ''}
        </p>
        {live.error && <ErrorAlert message={live.error} testId="pg-error" />}
        {live.data && <Results r={live.data} />}
      </div>
    </div>
  );
}
