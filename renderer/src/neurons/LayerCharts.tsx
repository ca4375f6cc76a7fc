import { useApi } from '../api/ApiContext';
import type { Dataset } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { BarChart } from '../charts/BarChart';
import { DotLineChart } from '../charts/DotLineChart';
import { Figure } from '../charts/Figure';
import { Histogram } from '../charts/Histogram';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatCount } from '../format';
import { fireRateBins, summarizeLayers } from './layerStats';

/** every row of a dataset (the API's limit is only a cap) */
const ALL = 100_000_000;

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'dataset';

/** Per-layer charts of one dataset: dead neurons, fire rates, peak activation, tail measure. */
export function LayerCharts({ dataset, layers }: { dataset: Dataset; layers: number | null }) {
  const api = useApi();
  const all = useQuery(`layer-charts:${dataset.id}`, () => api.call('neurons.list', { datasetId: dataset.id, limit: ALL }));
  const perLayer = useQuery(`layer-activity:${dataset.id}`, () => api.call('layers.get', { datasetId: dataset.id, bins: 20 }));
  useChanges('datasets-changed', all.reload);
  const base = slug(dataset.name);

  if (all.error && !all.data) return <ErrorAlert message={`Could not load the neurons for the charts: ${all.error.message}`} onRetry={all.reload} testId="layer-charts-error" />;
  if (!all.data) return <Loading label="Computing the layer charts…" />;
  const rows = all.data.neurons;
  const summary = summarizeLayers(rows, layers);
  const { bins, edges, unknown } = fireRateBins(rows.map((r) => r.fire_rate));
  const layerNames = summary.map((s) => String(s.layer));
  const tokens = `${formatCount(dataset.tokens)} tokens`;

  return (
    <section className="layer-charts" aria-labelledby="layer-charts-title" data-testid="layer-charts" data-layers={summary.length}>
      <div className="section-head">
        <h2 id="layer-charts-title" className="section-title">
          Layer charts
        </h2>
        <span className="muted">{`${formatCount(rows.length)} neurons · ${tokens}`}</span>
      </div>
      <div className="chart-grid">
        <Figure
          chartId="dead-per-layer"
          title="Dead (silent) neurons per layer"
          baseName={`${base}-dead-per-layer`}
          caption={`Neurons whose |output| stayed within ε (a thousandth of the layer's typical |activation|) on every one of ${tokens}.`}
          data={{ header: ['layer', 'neurons', 'dead'], rows: summary.map((s) => [s.layer, s.neurons, s.dead]) }}
        >
          <BarChart label="Dead neurons per layer" categories={layerNames} values={summary.map((s) => s.dead)} xLabel="Layer" yLabel="Dead neurons (count)" />
        </Figure>
        <Figure
          chartId="fire-rate-histogram"
          title="Fire-rate distribution"
          baseName={`${base}-fire-rate-histogram`}
          caption={`All layers; decade bins on a log axis, never-firing neurons apart${unknown ? `; ${formatCount(unknown)} without a rate left out` : ''}.`}
          data={{ header: ['bin', 'lower', 'upper', 'neurons'], rows: bins.map((b) => [b.label, b.lo, b.hi, b.count]) }}
        >
          <Histogram label="Fire-rate distribution" bins={bins} edges={edges} separateFirst="0" xLabel="Fire rate (fraction of tokens, log scale)" yLabel="Neurons (count)" />
        </Figure>
        <Figure
          chartId="peak-per-layer"
          title="Peak activation per layer"
          baseName={`${base}-peak-per-layer`}
          caption="The largest peak |activation| among the layer's neurons."
          data={{ header: ['layer', 'max_peak_abs'], rows: summary.map((s) => [s.layer, s.maxPeak]) }}
        >
          <DotLineChart label="Peak activation per layer" xs={summary.map((s) => s.layer)} ys={summary.map((s) => s.maxPeak)} xLabel="Layer" yLabel="Max peak |activation| (a.u.)" />
        </Figure>
        <Figure
          chartId="kurtosis-per-layer"
          title="Tail measure per layer"
          baseName={`${base}-kurtosis-per-layer`}
          caption="The median excess kurtosis of the layer's neurons' activations."
          data={{ header: ['layer', 'median_kurtosis'], rows: summary.map((s) => [s.layer, s.medianKurtosis]) }}
        >
          <DotLineChart label="Median kurtosis per layer" xs={summary.map((s) => s.layer)} ys={summary.map((s) => s.medianKurtosis)} xLabel="Layer" yLabel="Median excess kurtosis (unitless)" color="#CC79A7" />
        </Figure>
        {perLayer.data && perLayer.data.some((l) => l.active_fraction_histogram) && (
          <Figure
            chartId="active-fraction-per-layer"
            title="Fraction of the layer active per token"
            baseName={`${base}-active-fraction-per-layer`}
            caption="Mean over tokens of the fraction of the layer's neurons that fired; the CSV holds each layer's distribution (20 bins)."
            data={{
              header: ['layer', 'mean_active_fraction', ...Array.from({ length: 20 }, (_, b) => `bin_${b}`)],
              rows: perLayer.data.map((l) => [l.layer, l.mean_active_fraction ?? '', ...(l.active_fraction_histogram?.counts ?? [])]),
            }}
          >
            <DotLineChart
              label="Mean fraction active per layer"
              xs={perLayer.data.map((l) => l.layer)}
              ys={perLayer.data.map((l) => l.mean_active_fraction)}
              xLabel="Layer"
              yLabel="Neurons active per token (fraction)"
              color="#009E73"
            />
          </Figure>
        )}
      </div>
    </section>
  );
}
