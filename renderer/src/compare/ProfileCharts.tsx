import { profileCsv, profilePoints, type ProfileMetric, PROFILE_METRICS } from '../../../common/compare-table';
import type { CompareResult } from '../api/contract';
import { CurveChart } from '../charts/CurveChart';
import { Figure } from '../charts/Figure';
import { seriesColors } from '../charts/style';

/** The colour of the k-th model, the same in every chart (Okabe-Ito). */
export const modelColor = (k: number): string => seriesColors[k % seriesColors.length] as string;

function ProfileFigure({ result, metric }: { result: CompareResult; metric: ProfileMetric }) {
  const series = result.models.map((m, k) => ({ name: m.model.name, color: modelColor(k), points: profilePoints(m, metric) }));
  if (series.every((s) => s.points.length === 0)) return null;
  const table = profileCsv(result, metric);
  return (
    <Figure
      chartId={`compare-${metric.key}`}
      title={metric.title}
      baseName={`compare-${metric.key}`}
      caption={metric.interval ? 'Shaded: 95% bootstrap interval over documents.' : undefined}
      data={{ header: table.header, rows: table.rows }}
    >
      <CurveChart label={`${metric.title} against relative depth`} series={series} xLabel="Relative depth (layer / (layers − 1))" yLabel={metric.yLabel} formatX={(v) => v.toFixed(2)} />
    </Figure>
  );
}

/** Small multiples: one chart per per-layer quantity, x = relative depth, one line per model. */
export function ProfileCharts({ result }: { result: CompareResult }) {
  return (
    <div className="chart-grid" data-testid="compare-profiles">
      {PROFILE_METRICS.map((m) => (
        <ProfileFigure key={m.key} result={result} metric={m} />
      ))}
    </div>
  );
}
