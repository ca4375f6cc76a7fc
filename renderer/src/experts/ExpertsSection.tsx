import { useApi } from '../api/ApiContext';
import type { Dataset, Result } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { Figure } from '../charts/Figure';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatCount, formatStat } from '../format';
import { HeatMap } from './HeatMap';

type Experts = Result<'experts.get'>;
type Layer = Experts['layers'][number] & { id: number };

/** the rare-expert bound asked of experts.get (the neurons' default), so that the caption states the one used */
const RARE_BOUND = 1e-3;

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'dataset';

/** The fraction of the layer's tokens routed to each expert (its top-k rate). */
export function loadFractions(layer: Experts['layers'][number]): (number | null)[] {
  return layer.experts.map((e) => e.topk_rate);
}

const listOf = (l: Layer, verdict: 'dead' | 'rare') => l.experts.filter((e) => e.verdict === verdict).map((e) => e.expert);

/**
 * "Experts": for a capture of a mixture-of-experts model, the load heat map (layer × expert) and
 * the router's summary per layer. Nothing at all for a dense model.
 */
export function ExpertsSection({ dataset }: { dataset: Dataset }) {
  // keyed by the dataset: another dataset's statistics never stay on screen while this one's load (or fail)
  return <ExpertsOf key={dataset.id} dataset={dataset} />;
}

function ExpertsOf({ dataset }: { dataset: Dataset }) {
  const api = useApi();
  const model = useQuery(`model:${dataset.modelId}`, () => api.call('model.get', { id: dataset.modelId }));
  // a dense model has no experts: nothing to show (and nothing to ask)
  return model.data?.experts ? <RouterReport dataset={dataset} /> : null;
}

function RouterReport({ dataset }: { dataset: Dataset }) {
  const api = useApi();
  const report = useQuery(`experts:${dataset.id}`, () => api.call('experts.get', { datasetId: dataset.id, rareBound: RARE_BOUND, pairs: 1 }));
  useChanges('datasets-changed', report.reload);

  if (!report.data) {
    if (!report.error) return null;
    return (
      <section className="neuron-section" aria-labelledby="experts-title" data-testid="experts">
        <h2 id="experts-title" className="section-title">
          Experts
        </h2>
        <ErrorAlert message={`Could not load the router statistics: ${report.error.message}`} onRetry={report.reload} testId="experts-error" />
      </section>
    );
  }
  const r = report.data;
  const layers: Layer[] = r.layers.map((l) => ({ ...l, id: l.layer }));
  const bound = RARE_BOUND;
  const base = slug(dataset.name);
  const expertNames = Array.from({ length: r.experts }, (_, e) => String(e));
  const columns: readonly Column<Layer>[] = [
    { header: 'Layer', headerClass: 'num', cellClass: 'num', cell: (l) => String(l.layer) },
    { header: 'Tokens', headerClass: 'num', cellClass: 'num', cell: (l) => formatCount(l.tokens) },
    {
      header: 'Router entropy (nats)',
      headerClass: 'num',
      cellClass: 'num',
      headerTitle: 'mean over tokens of −Σ p ln p of the router’s probabilities, of at most ln(experts)',
      cell: (l) => <span data-testid="experts-entropy">{`${l.entropy_mean === null ? '–' : formatStat(l.entropy_mean)} of ${formatStat(l.entropy_max)}`}</span>,
    },
    {
      header: 'Load CV',
      headerClass: 'num',
      cellClass: 'num',
      headerTitle: 'standard deviation / mean of the experts’ loads: 0 = perfectly balanced',
      cell: (l) => <span data-testid="experts-cv">{l.load_cv === null ? '–' : formatStat(l.load_cv)}</span>,
    },
    {
      header: 'Dead experts',
      headerTitle: 'never routed to: each one’s rate is below 3 / tokens with 95% confidence',
      cell: (l) => {
        const dead = listOf(l, 'dead');
        return (
          <span data-testid="experts-dead" data-experts={dead.join(',')}>
            {dead.length === 0 ? 'none' : dead.join(', ')}
            {l.dead_upper95 !== null && <span className="muted">{` (rate < ${formatStat(l.dead_upper95)})`}</span>}
          </span>
        );
      },
    },
    {
      header: 'Rare experts',
      headerTitle: `routed on fewer than ${bound} of the tokens`,
      cell: (l) => {
        const rare = listOf(l, 'rare');
        return (
          <span data-testid="experts-rare" data-experts={rare.join(',')}>
            {rare.length === 0 ? 'none' : rare.join(', ')}
          </span>
        );
      },
    },
    {
      header: 'Top co-selected pair',
      headerTitle: 'the two experts most often chosen together, the share of tokens, and the lift over independent choice',
      cell: (l) => {
        const p = l.pairs[0];
        return (
          <span data-testid="experts-pair" data-pair={p ? `${p.a},${p.b}` : ''}>
            {p ? `${p.a} + ${p.b}: ${formatStat(p.rate)} of tokens${p.lift === null ? '' : ` (lift ${formatStat(p.lift)})`}` : '–'}
          </span>
        );
      },
    },
  ];

  return (
    <section className="neuron-section" aria-labelledby="experts-title" data-testid="experts" data-layers={r.layers.length} data-experts={r.experts}>
      <div className="section-head">
        <h2 id="experts-title" className="section-title">
          Experts
        </h2>
        <span className="muted">{`${r.experts} experts, top-${r.topK} routing${r.shared ? `, a shared expert of ${formatCount(r.shared.ff)} units${r.shared.gated ? ' (gated)' : ''}` : ''}`}</span>
      </div>
      <p className="hint" data-testid="experts-caption">
        Each token is sent to {r.topK} of the {r.experts} experts of a layer. An expert’s <strong>load</strong> is the fraction of the layer’s tokens sent to it (the loads of a layer add up to{' '}
        {r.topK}); an even split gives each {formatStat(r.topK / r.experts)}. The router’s <strong>entropy</strong> says how undecided it is per token: 0 when it puts all its weight on one
        expert, ln {r.experts} = {formatStat(Math.log(r.experts))} when it spreads it evenly. A <strong>dead</strong> expert got no token; a <strong>rare</strong> one fewer than {bound} of them.
      </p>
      <div className="chart-grid">
        <Figure
          chartId="expert-load"
          title="Expert load per layer"
          baseName={`${base}-expert-load`}
          caption="Fraction of each layer's tokens routed to each expert; darker is less."
          data={{
            header: ['layer', 'expert', 'tokens', 'routed', 'load', 'verdict'],
            rows: r.layers.flatMap((l) => l.experts.map((e) => [l.layer, e.expert, l.tokens, e.load, e.topk_rate, e.verdict ?? ''])),
          }}
        >
          <HeatMap
            label="Expert load per layer"
            rows={r.layers.map((l) => `L${l.layer}`)}
            columns={expertNames}
            values={r.layers.map(loadFractions)}
            xLabel="Expert"
            yLabel="Layer"
            legendLabel="Load (fraction of tokens)"
            cellAttributes={{ row: 'data-layer', column: 'data-expert' }}
            cellTitle={(l, e, v) => `layer ${r.layers[l]!.layer}, expert ${e}: ${v === null ? 'no tokens' : `${formatStat(v)} of tokens`} (${formatCount(r.layers[l]!.experts[e]!.load)})`}
          />
        </Figure>
      </div>
      <div className="table-region" style={{ marginTop: 12 }} role="region" aria-label="Router statistics per layer" tabIndex={0}>
        <DataTable testId="experts-table" columns={columns} rows={layers} rowTestId="experts-row" idAttribute="data-layer" />
      </div>
    </section>
  );
}
