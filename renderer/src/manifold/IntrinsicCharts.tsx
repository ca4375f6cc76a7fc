import { useApi } from '../api/ApiContext';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { DotLineChart } from '../charts/DotLineChart';
import { Figure } from '../charts/Figure';
import { okabeIto } from '../charts/style';

/** Intrinsic dimension across layers: TwoNN and PCA-90, each an exportable chart. */
export function IntrinsicCharts({ datasetId }: { datasetId: number }) {
  const api = useApi();
  const rows = useQuery(`intrinsic:${datasetId}`, () => api.call('projection.intrinsicDim', { datasetId }));
  useChanges('projections-changed', rows.reload);
  if (!rows.data || rows.data.length === 0) return null;
  const xs = rows.data.map((r) => r.layer);
  const data = { header: ['layer', 'twonn', 'pca90', 'points'], rows: rows.data.map((r) => [r.layer, r.twonn, r.pca90, r.points]) };
  const points = Math.max(...rows.data.map((r) => r.points));
  return (
    <section className="intrinsic-charts" data-testid="intrinsic-charts" aria-label="Intrinsic dimension per layer">
      <Figure chartId="intrinsic-twonn" title="Intrinsic dimension (TwoNN) per layer" baseName={`dataset-${datasetId}-intrinsic-twonn`} caption={`TwoNN (Facco et al. 2017) on ${points} sampled tokens per layer; largest 10% of ratios discarded.`} data={data}>
        <DotLineChart label="TwoNN intrinsic dimension per layer" xs={xs} ys={rows.data.map((r) => r.twonn)} xLabel="layer" yLabel="TwoNN dimension" color={okabeIto.blue} />
      </Figure>
      <Figure chartId="intrinsic-pca90" title="Components for 90% of variance (PCA-90) per layer" baseName={`dataset-${datasetId}-intrinsic-pca90`} caption="The linear span: how many principal components hold 90% of the variance." data={data}>
        <DotLineChart label="PCA-90 per layer" xs={xs} ys={rows.data.map((r) => r.pca90)} xLabel="layer" yLabel="components" color={okabeIto.vermillion} />
      </Figure>
    </section>
  );
}
