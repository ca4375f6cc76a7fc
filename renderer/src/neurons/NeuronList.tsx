import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { Dataset, Params } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatCount } from '../format';
import { kindSlug, verdictKinds, verdictLabels, verdictMeanings, type VerdictKind } from './evidence';
import { NeuronTable } from './NeuronTable';
import { SelectionBar, useSelection } from './NeuronSelection';

const LIMIT = 2000;

type SortField = NonNullable<Params<'neurons.list'>['sort']>;
const sortFields: { value: SortField | 'index'; label: string }[] = [
  { value: 'index', label: 'Layer, neuron' },
  { value: 'fire_rate', label: 'Fire rate' },
  { value: 'mean', label: 'Mean' },
  { value: 'max', label: 'Max' },
  { value: 'peak_ratio', label: 'Peak ratio' },
  { value: 'kurtosis', label: 'Kurtosis' },
  { value: 'peak_abs', label: 'Peak |activation|' },
  { value: 'std', label: 'Std' },
  { value: 'fire_count', label: 'Fire count' },
  { value: 'tokens', label: 'Tokens' },
];

/** The neurons of one dataset: verdict filters, layer, sort; the first LIMIT matches in a windowed table. */
export function NeuronList({ dataset, layers, experts = null }: { dataset: Dataset; layers: number | null; experts?: number | null }) {
  const api = useApi();
  const [kinds, setKinds] = useState<VerdictKind[]>([]);
  const [layer, setLayer] = useState<string>('all');
  const [expert, setExpert] = useState<string>('all');
  // mixture of experts: whether there is a shared expert (experts.get knows; without router statistics, routed experts only)
  const shape = useQuery(`neuron-experts:${dataset.id}:${experts ?? 'dense'}`, () => (experts === null ? Promise.resolve(null) : api.call('experts.get', { datasetId: dataset.id, pairs: 0 }).catch(() => null)));
  const hasShared = shape.data?.shared != null;
  const [sort, setSort] = useState<SortField | 'index'>('index');
  const [descending, setDescending] = useState(true);
  const selection = useSelection();

  const query: Params<'neurons.list'> = {
    datasetId: dataset.id,
    limit: LIMIT,
    ...(kinds.length > 0 ? { kinds } : {}),
    ...(layer !== 'all' ? { layer: Number(layer) } : {}),
    ...(experts !== null && expert !== 'all' ? { expert: expert === 'shared' ? ('shared' as const) : Number(expert) } : {}),
    ...(sort !== 'index' ? { sort, descending } : {}),
  };
  const neurons = useQuery(JSON.stringify(query), () => api.call('neurons.list', query));
  useChanges('datasets-changed', neurons.reload);

  const toggle = (kind: VerdictKind) => setKinds((ks) => (ks.includes(kind) ? ks.filter((k) => k !== kind) : [...ks, kind]));
  const data = neurons.data;

  return (
    <section className="neuron-list" aria-label="Neurons">
      <div className="neuron-controls">
        <div className="filter-toggles" role="group" aria-label="Show only neurons that are">
          {verdictKinds.map((kind) => (
            <button
              key={kind}
              type="button"
              className={`button button-small toggle${kinds.includes(kind) ? ' toggle-on' : ''}`}
              aria-pressed={kinds.includes(kind)}
              data-testid={`filter-${kindSlug(kind)}`}
              title={verdictMeanings[kind]}
              onClick={() => toggle(kind)}
            >
              {verdictLabels[kind]}
            </button>
          ))}
        </div>
        <label className="inline-field">
          Layer
          <select className="input" data-testid="neuron-layer" value={layer} onChange={(e) => setLayer(e.target.value)}>
            <option value="all">All</option>
            {Array.from({ length: layers ?? 0 }, (_, l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {experts !== null && (
          <label className="inline-field">
            Expert
            <select className="input" data-testid="neuron-expert" value={expert} onChange={(e) => setExpert(e.target.value)}>
              <option value="all">All</option>
              {Array.from({ length: experts }, (_, e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
              {hasShared && <option value="shared">Shared</option>}
            </select>
          </label>
        )}
        <label className="inline-field">
          Sort by
          <select className="input" data-testid="neuron-sort" value={sort} onChange={(e) => setSort(e.target.value as SortField | 'index')}>
            {sortFields.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button button-small"
          data-testid="neuron-sort-direction"
          disabled={sort === 'index'}
          onClick={() => setDescending((d) => !d)}
          title={descending ? 'Largest first' : 'Smallest first'}
        >
          {descending ? '↓ Descending' : '↑ Ascending'}
        </button>
        {data && (
          <span className="muted" data-testid="neuron-count">
            {data.neurons.length < data.total ? `${formatCount(data.neurons.length)} of ${formatCount(data.total)} neurons` : `${formatCount(data.total)} neurons`}
          </span>
        )}
      </div>
      {data && data.unavailable.length > 0 && (
        <p className="hint" data-testid="neuron-unavailable">
          {data.unavailable.map((u) => `${u.kind}: ${u.reason}`).join(' · ')}
        </p>
      )}
      {neurons.error && <ErrorAlert message={`Could not load the neurons: ${neurons.error.message}`} onRetry={neurons.reload} testId="neuron-list-error" />}
      {!data && neurons.loading && <Loading label="Loading neurons…" />}
      {data && data.neurons.length === 0 && (
        <p className="notice" data-testid="neuron-none">
          No neuron matches {kinds.length > 0 ? `the verdicts ${kinds.map((k) => verdictLabels[k]).join(' or ')}` : 'this query'}
          {layer !== 'all' ? ` in layer ${layer}` : ''}
          {experts !== null && expert !== 'all' ? (expert === 'shared' ? ' in the shared expert' : ` in expert ${expert}`) : ''}.
        </p>
      )}
      {data && <SelectionBar dataset={dataset} layers={layers} query={query} total={data.total} selection={selection} />}
      {data && data.neurons.length > 0 && <NeuronTable datasetId={dataset.id} moe={experts !== null} neurons={data.neurons} busy={neurons.loading} selected={new Set(selection.selected.keys())} onToggle={selection.toggle} />}
    </section>
  );
}
