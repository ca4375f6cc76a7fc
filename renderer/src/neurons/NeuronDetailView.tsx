import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import { expertUnitLabel } from '../../../common/experts';
import type { NeuronDetail } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { Figure } from '../charts/Figure';
import { Histogram } from '../charts/Histogram';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatCount } from '../format';
import { Fact } from '../models/Fact';
import { hrefFor } from '../routing/route';
import { formatStat } from '../format';
import { describeVerdict, formatPercent, verdictLabels } from './evidence';
import { VerdictBadges } from './VerdictBadges';
import { contextsNote } from './contextText';
import { TopContexts } from './TopContexts';

function TokenList({ title, tokens, testId }: { title: string; tokens: NeuronDetail['promoted']; testId: string }) {
  return (
    <div className="token-list" data-testid={testId}>
      <h3 className="section-title">{title}</h3>
      {tokens.length === 0 ? (
        <p className="hint">None recorded.</p>
      ) : (
        <ol>
          {tokens.map((t) => (
            <li key={t.token}>
              <code className="token">{t.text === null ? `#${t.token}` : JSON.stringify(t.text)}</code> <span className="muted num">{formatStat(t.score)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** #/neurons/<dataset>/<layer>/<neuron>: one neuron's statistics, verdicts with evidence, contexts, tokens, weights. */
export function NeuronDetailView({ datasetId, layer, neuron }: { datasetId: number; layer: number; neuron: number }) {
  const api = useApi();
  const detail = useQuery(`${datasetId}:${layer}:${neuron}`, () => api.call('neuron.get', { datasetId, layer, neuron }));
  useChanges('datasets-changed', detail.reload);
  const d = detail.data;
  // a log count axis shows the tail (bins of a few tokens beside bins of thousands)
  const [logCount, setLogCount] = useState(false);

  return (
    <div className="neuron-detail" data-testid="neuron-detail" data-layer={layer} data-neuron={neuron}>
      <a className="back-link" href={hrefFor('neurons', datasetId)} data-testid="neuron-back">
        ‹ All neurons of this dataset
      </a>
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="neuron-title">{d && d.stats.expert !== undefined && d.stats.unit !== undefined ? `Layer ${layer}, ${expertUnitLabel({ expert: d.stats.expert, unit: d.stats.unit })}` : `Layer ${layer}, neuron ${neuron}`}</h1>
          {d && d.stats.expert !== undefined && (
            <p className="muted" data-testid="neuron-flat-index">{`neuron ${neuron} on the layer's flat axis`}</p>
          )}
          {d && (
            <p className="page-lede">
              <VerdictBadges verdicts={d.stats.verdicts} />
              {d.stats.verdicts.length === 0 && 'No detector flags this neuron.'}
            </p>
          )}
        </div>
      </div>
      {detail.error && <ErrorAlert message={`Could not load the neuron: ${detail.error.message}`} onRetry={detail.reload} testId="neuron-error" />}
      {!d && detail.loading && <Loading label="Loading the neuron…" />}
      {d && (
        <>
          <dl className="facts" data-testid="neuron-stats">
            <Fact term="Tokens">{formatCount(d.stats.tokens)}</Fact>
            <Fact term="Fired">{`${formatCount(d.stats.fire_count)} (${d.stats.fire_rate === null ? '—' : formatPercent(d.stats.fire_rate)})`}</Fact>
            <Fact term="Mean">{formatStat(d.stats.mean)}</Fact>
            <Fact term="Std">{formatStat(d.stats.std)}</Fact>
            <Fact term="Min">{formatStat(d.stats.min)}</Fact>
            <Fact term="Max">{formatStat(d.stats.max)}</Fact>
            <Fact term="Mean |activation|">{formatStat(d.stats.mean_abs)}</Fact>
            <Fact term="Peak |activation|">{formatStat(d.stats.peak_abs)}</Fact>
            <Fact term="Peak ratio">{formatStat(d.stats.peak_ratio)}</Fact>
            <Fact term="Excess kurtosis">{formatStat(d.stats.kurtosis)}</Fact>
            <Fact term="Key norm">{formatStat(d.weights?.key_norm)}</Fact>
            {d.weights?.gate_norm !== null && d.weights?.gate_norm !== undefined && <Fact term="Gate norm">{formatStat(d.weights.gate_norm)}</Fact>}
            <Fact term="Value norm">{formatStat(d.weights?.value_norm)}</Fact>
          </dl>

          {d.histogram && (
            <section className="neuron-section" data-testid="neuron-histogram">
              <label className="check">
                <input type="checkbox" data-testid="histogram-log" checked={logCount} onChange={(e) => setLogCount(e.target.checked)} />
                Log count axis
              </label>
              <Figure
                chartId="neuron-histogram"
                title="Activation histogram"
                baseName={`neuron-L${d.stats.layer}-N${d.stats.neuron}-histogram`}
                caption={`The neuron's activation at the capture's ${formatCount(d.histogram.samples)} sampled tokens.`}
                data={{
                  header: ['lower', 'upper', 'tokens'],
                  rows: d.histogram.counts.map((c, i) => [d.histogram!.edges[i] as number, d.histogram!.edges[i + 1] as number, c]),
                }}
              >
                <Histogram
                  label="Activation histogram"
                  bins={d.histogram.counts.map((count, i) => ({ label: `${formatStat(d.histogram!.edges[i])} to ${formatStat(d.histogram!.edges[i + 1])}`, count }))}
                  edges={d.histogram.edges.map((e, i) => (i === 0 || i === d.histogram!.edges.length - 1 || i % 10 === 0 ? formatStat(e) : null))}
                  valueRange={[d.histogram.edges[0] as number, d.histogram.edges[d.histogram.edges.length - 1] as number]}
                  logCount={logCount}
                  xLabel="Activation (a.u.)"
                  yLabel={logCount ? 'Sampled tokens (count, log scale)' : 'Sampled tokens (count)'}
                />
              </Figure>
            </section>
          )}

          {d.stats.verdicts.length > 0 && (
            <section className="neuron-section" data-testid="neuron-verdicts">
              <h2 className="section-title">Verdicts</h2>
              <ul className="evidence-list">
                {d.stats.verdicts.map((v) => (
                  <li key={v.kind} data-testid="neuron-verdict" data-verdict={v.kind}>
                    <strong>{verdictLabels[v.kind]}:</strong> {describeVerdict(v.kind, v.evidence)}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section className="neuron-section" data-testid="neuron-contexts">
            <h2 className="section-title">Top activating contexts</h2>
            {contextsNote(d.contexts.length, d.topK, d.stats.fire_count) !== null && (
              <p className="hint" data-testid="neuron-contexts-note">
                {contextsNote(d.contexts.length, d.topK, d.stats.fire_count)}
              </p>
            )}
            <TopContexts datasetId={datasetId} layer={layer} neuron={neuron} contexts={d.contexts} />
          </section>

          <section className="neuron-section token-lists">
            <TokenList title="Promoted tokens (value vector through the unembedding)" tokens={d.promoted} testId="neuron-promoted" />
            <TokenList title="Suppressed tokens" tokens={d.suppressed} testId="neuron-suppressed" />
          </section>
        </>
      )}
    </div>
  );
}
