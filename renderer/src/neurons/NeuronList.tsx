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
import { DetectorThresholds } from './DetectorThresholds';
import type { Detect } from './thresholds';
import { SelectionBar, useSelection } from './NeuronSelection';
import { NeuronJump } from './NeuronJump';
import { NeuronRangeFilters, type NeuronRangeFilter } from './NeuronRangeFilters';
import { neuronsCsv, pageInfo, PAGE_SIZE } from './neuronTableQuery';
import { download } from '../charts/export';
import { errorMessage } from '../api/errors';

/** every match of a query, for the CSV (the table pages through PAGE_SIZE at a time) */
const ALL = 100_000_000;

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

/**
 * The neurons of one dataset: verdict, layer and numeric range filters, sort (also by a click on a
 * column header), jump to layer:neuron, CSV of every match; PAGE_SIZE matches per page in a
 * windowed table.
 */
export function NeuronList({ dataset, layers, experts = null, neuronsPerLayer = null }: { dataset: Dataset; layers: number | null; experts?: number | null; neuronsPerLayer?: number | null }) {
  const api = useApi();
  const [kinds, setKinds] = useState<VerdictKind[]>([]);
  const [layer, setLayer] = useState<string>('all');
  const [expert, setExpert] = useState<string>('all');
  // mixture of experts: whether there is a shared expert (experts.get knows; without router statistics, routed experts only)
  const shape = useQuery(`neuron-experts:${dataset.id}:${experts ?? 'dense'}`, () => (experts === null ? Promise.resolve(null) : api.call('experts.get', { datasetId: dataset.id, pairs: 0 }).catch(() => null)));
  const hasShared = shape.data?.shared != null;
  const [sort, setSort] = useState<SortField | 'index'>('index');
  const [descending, setDescending] = useState(true);
  const [ranges, setRanges] = useState<NeuronRangeFilter[]>([]);
  const [detect, setDetect] = useState<Detect>({});
  const [page, setPage] = useState<{ key: string; offset: number }>({ key: '', offset: 0 });
  const [csvBusy, setCsvBusy] = useState(false);
  const [csvError, setCsvError] = useState<string | null>(null);
  const selection = useSelection();

  // a new filter or order starts again at the first page
  const filterKey = JSON.stringify([kinds, layer, expert, sort, descending, ranges, detect]);
  // the offset belongs to the filters it was chosen under: any other filter or order is at its first page
  const offset = page.key === filterKey ? page.offset : 0;
  const setOffset = (next: number) => setPage({ key: filterKey, offset: next });

  const filter: Params<'neurons.list'> = {
    datasetId: dataset.id,
    limit: PAGE_SIZE,
    ...(ranges.length > 0 ? { ranges } : {}),
    ...(kinds.length > 0 ? { kinds } : {}),
    ...(layer !== 'all' ? { layer: Number(layer) } : {}),
    ...(experts !== null && expert !== 'all' ? { expert: expert === 'shared' ? ('shared' as const) : Number(expert) } : {}),
    ...(sort !== 'index' ? { sort, descending } : {}),
    ...(Object.keys(detect).length > 0 ? { detect } : {}),
  };
  const query: Params<'neurons.list'> = { ...filter, ...(offset > 0 ? { offset } : {}) };
  // the page's offset travels with its rows: while the next page loads, the count still describes the rows on screen
  const neurons = useQuery(JSON.stringify(query), () => api.call('neurons.list', query).then((r) => ({ ...r, offset })));
  const onSort = (field: SortField | 'index') => {
    if (field === sort && field !== 'index') setDescending((d) => !d);
    else {
      setSort(field);
      setDescending(true);
    }
  };
  const downloadCsv = async () => {
    setCsvBusy(true);
    setCsvError(null);
    try {
      const all = await api.call('neurons.list', { ...filter, limit: ALL });
      download(new Blob([neuronsCsv(all.neurons)], { type: 'text/csv' }), `${dataset.name.replace(/[^\w.-]+/g, '_')}-neurons.csv`);
    } catch (failure) {
      setCsvError(errorMessage(failure));
    } finally {
      setCsvBusy(false);
    }
  };
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
            {data.neurons.length < data.total ? `${formatCount(pageInfo(data.offset, data.neurons.length, data.total).first)}–${formatCount(pageInfo(data.offset, data.neurons.length, data.total).last)} of ${formatCount(data.total)} neurons` : `${formatCount(data.total)} neurons`}
          </span>
        )}
        <button type="button" className="button button-small" data-testid="neuron-csv" disabled={csvBusy || !data || data.total === 0} onClick={() => void downloadCsv()} title="Every neuron that matches the filters, as CSV">
          {csvBusy ? 'Preparing CSV…' : 'CSV'}
        </button>
        {csvError && <span className="error-text" role="alert">{csvError}</span>}
        <NeuronJump datasetId={dataset.id} layers={layers} neurons={neuronsPerLayer} />
      </div>
      <NeuronRangeFilters ranges={ranges} onChange={setRanges} />
      <DetectorThresholds detect={detect} onChange={setDetect} />
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
      {data && <SelectionBar dataset={dataset} layers={layers} query={filter} total={data.total} selection={selection} />}
      {data && data.neurons.length > 0 && <NeuronTable datasetId={dataset.id} moe={experts !== null} neurons={data.neurons} busy={neurons.loading} selected={new Set(selection.selected.keys())} onToggle={selection.toggle} sort={{ field: sort, descending, onSort }} />}
      {data && data.total > PAGE_SIZE && <Pager offset={data.offset} shown={data.neurons.length} total={data.total} onOffset={setOffset} />}
    </section>
  );
}

/** Previous / next page of the neuron table, and where the page is in all the matches. */
function Pager({ offset, shown, total, onOffset }: { offset: number; shown: number; total: number; onOffset: (offset: number) => void }) {
  const p = pageInfo(offset, shown, total);
  return (
    <nav className="neuron-pager" aria-label="Pages of neurons" data-testid="neuron-pager">
      <button type="button" className="button button-small" data-testid="neuron-page-previous" disabled={!p.hasPrevious} onClick={() => onOffset(Math.max(0, offset - PAGE_SIZE))}>
        ‹ Previous {formatCount(PAGE_SIZE)}
      </button>
      <span className="muted" data-testid="neuron-page">{`Rows ${formatCount(p.first)}–${formatCount(p.last)} of ${formatCount(total)}`}</span>
      <button type="button" className="button button-small" data-testid="neuron-page-next" disabled={!p.hasNext} onClick={() => onOffset(offset + PAGE_SIZE)}>
        Next {formatCount(Math.min(PAGE_SIZE, total - offset - shown))} ›
      </button>
    </nav>
  );
}
