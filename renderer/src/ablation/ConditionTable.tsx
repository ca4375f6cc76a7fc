import type { AblationResult } from '../api/contract';
import { formatCount, formatStat } from '../format';
import { formatInterval, metricLabels, type MetricKey } from './format';
import { formatPerLayer } from './neurons';

// the effects first (Δ loss, KL, top-1 stay in view on a 1440 px window even beside another run); the per-layer breakdown last
const shown: readonly MetricKey[] = ['delta_loss', 'kl', 'top1_agreement', 'loss', 'ppl'];
const intactValues: Record<MetricKey, (r: AblationResult) => string> = {
  delta_loss: () => '0',
  kl: () => '0',
  top1_agreement: () => '1',
  loss: (r) => formatInterval(r.baseline.loss),
  ppl: (r) => formatInterval(r.baseline.ppl),
};

/** The intact baseline, then each ablated condition, every metric with its 95% interval. */
export function ConditionTable({ result, testId = 'condition-table' }: { result: AblationResult; testId?: string }) {
  return (
    <div className="table-wrap">
      <table className="table condition-table" data-testid={testId}>
        <caption className="table-caption">{`${formatCount(result.tokens)} tokens in ${formatCount(result.documents)} documents; [95% bootstrap interval over documents]`}</caption>
        <thead>
          <tr>
            <th scope="col">Condition</th>
            <th scope="col" className="num">Neurons</th>
            {shown.map((k) => (
              <th key={k} scope="col" className="num" data-metric={k}>
                {metricLabels[k].title}
              </th>
            ))}
            <th scope="col">Per layer</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="condition-row" data-condition="intact">
            <th scope="row">Intact</th>
            <td className="num">0</td>
            {shown.map((k) => (
              <td key={k} className="num" data-metric={k}>
                {intactValues[k](result)}
              </td>
            ))}
            <td />
          </tr>
          {result.results.map((c, i) => (
            <tr key={i} data-testid="condition-row" data-condition={c.label}>
              <th scope="row" title={c.weights?.map((w) => `W_out[${w.layer}][${w.neuron}→${w.dim}]: ${formatStat(w.original)} in the checkpoint, set to ${formatStat(w.value)}`).join('\n')}>
                {c.label}
              </th>
              <td className="num">{c.weights?.length ? `${formatCount(c.neurons)} + ${formatCount(c.weights.length)} weights` : formatCount(c.neurons)}</td>
              {shown.map((k) => (
                <td key={k} className="num" data-metric={k} title={`${metricLabels[k].title}: ${formatStat(c.metrics[k].value)}`}>
                  {formatInterval(c.metrics[k])}
                </td>
              ))}
              <td className="per-layer">{formatPerLayer(c.perLayer)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
