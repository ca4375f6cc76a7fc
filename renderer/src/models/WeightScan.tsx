import { useApi } from '../api/ApiContext';
import type { WeightScanResult } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatCount } from '../format';

type Tensor = WeightScanResult['tensors'][number];

const num = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(4))));
const coords = (index: readonly number[] | null) => (index ? `[${index.join(', ')}]` : '—');

/** The summary line: "no NaN or Inf values in N tensors" or how many and where. */
export function scanSummary(scan: WeightScanResult): string {
  const n = scan.tensors.length;
  const tensors = `${formatCount(n)} ${n === 1 ? 'tensor' : 'tensors'}`;
  const nan = scan.tensors.reduce((a, t) => a + t.nan, 0);
  const inf = scan.tensors.reduce((a, t) => a + t.inf, 0);
  if (nan + inf === 0) return `No NaN or Inf values in ${tensors}.`;
  const bad = scan.tensors.filter((t) => t.nan + t.inf > 0).length;
  return `${formatCount(nan)} NaN and ${formatCount(inf)} Inf ${nan + inf === 1 ? 'value' : 'values'} in ${formatCount(bad)} of ${tensors}.`;
}

/** The weight scan made at import: every tensor's statistics, invalid entries, super-weight candidates. */
export function WeightScan({ modelId }: { modelId: number }) {
  const api = useApi();
  const scan = useQuery(`model.scan:${modelId}`, () => api.call('model.scan', { id: modelId }));
  useChanges('models-changed', scan.reload);
  return (
    <section className="weight-scan" aria-labelledby="weight-scan-title" data-testid="weight-scan">
      <div className="section-head">
        <h2 id="weight-scan-title" className="section-title">
          Weight scan
        </h2>
      </div>
      {scan.error && <ErrorAlert message={`Could not load the weight scan: ${scan.error.message}`} onRetry={scan.reload} testId="weight-scan-error" />}
      {!scan.data && scan.loading && <Loading label="Loading the weight scan…" />}
      {scan.data && <ScanBody scan={scan.data} />}
    </section>
  );
}

function ScanBody({ scan }: { scan: WeightScanResult }) {
  const invalid = scan.tensors.some((t) => t.invalidTotal > 0 || t.nan + t.inf > 0);
  const byTensor = new Map<string, WeightScanResult['invalid']>();
  for (const e of scan.invalid) byTensor.set(e.tensor, [...(byTensor.get(e.tensor) ?? []), e]);
  return (
    <>
      <p className={invalid ? 'notice notice-error' : 'hint'} data-testid="scan-summary" role={invalid ? 'alert' : undefined}>
        {scanSummary(scan)}
      </p>
      {byTensor.size > 0 && (
        <div className="scan-invalid" data-testid="scan-invalid">
          <h3 className="subsection-title">Invalid entries</h3>
          <ul className="scan-invalid-list">
            {[...byTensor].map(([tensor, entries]) => {
              const total = scan.tensors.find((t) => t.tensor === tensor)?.invalidTotal ?? entries.length;
              return (
                <li key={tensor} data-testid="scan-invalid-tensor">
                  <span className="mono">{tensor}</span>:{' '}
                  <span className="mono">{entries.map((e) => `${coords(e.index)} = ${e.value === 'nan' ? 'NaN' : e.value === 'inf' ? '+Inf' : '−Inf'}`).join(', ')}</span>
                  {total > entries.length && <span className="muted">{` … and ${formatCount(total - entries.length)} more`}</span>}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div className="table-wrap scan-scroll">
        <table className="table scan-table" data-testid="weight-scan-table">
          <thead>
            <tr>
              <th scope="col">Tensor</th>
              <th scope="col">dtype</th>
              <th scope="col">Shape</th>
              <th scope="col" className="num">NaN</th>
              <th scope="col" className="num">Inf</th>
              <th scope="col" className="num" title="non-zero values below the dtype's smallest normal number">Subnormal</th>
              <th scope="col" className="num">Min</th>
              <th scope="col" className="num">Max</th>
              <th scope="col" className="num">Mean</th>
              <th scope="col" className="num">Std</th>
              <th scope="col" className="num" title="excess kurtosis">Kurtosis</th>
              <th scope="col" className="num">Largest |w|</th>
              <th scope="col">at</th>
            </tr>
          </thead>
          <tbody>
            {scan.tensors.map((t: Tensor) => {
              const bad = t.invalidTotal > 0 || t.nan + t.inf > 0;
              return (
                <tr key={t.tensor} className={bad ? 'row-invalid' : undefined} data-testid={bad ? 'scan-invalid-row' : 'scan-row'} data-tensor={t.tensor}>
                  <td className="mono">{t.tensor}</td>
                  <td className="mono">{t.dtype}</td>
                  <td className="mono">{`[${t.shape.join(' × ')}]`}</td>
                  <td className="num">{formatCount(t.nan)}</td>
                  <td className="num">{formatCount(t.inf)}</td>
                  <td className="num">{formatCount(t.subnormal)}</td>
                  <td className="num">{num(t.min)}</td>
                  <td className="num">{num(t.max)}</td>
                  <td className="num">{num(t.mean)}</td>
                  <td className="num">{num(t.std)}</td>
                  <td className="num">{num(t.kurtosis)}</td>
                  <td className="num">{num(t.maxAbs)}</td>
                  <td className="mono">{coords(t.maxAbsIndex)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <BlockScales scan={scan} />
      <h3 className="subsection-title">Super-weight candidates</h3>
      {scan.superWeights.length === 0 ? (
        <p className="hint" data-testid="super-weights-none">
          No super-weight candidates in the FFN output matrices.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="super-weights">
            <thead>
              <tr>
                <th scope="col" className="num">Layer</th>
                <th scope="col" title="W_out[d, f]: output dimension d, neuron f">Weight</th>
                <th scope="col" className="num">Value</th>
                <th scope="col" className="num" title="|w| over the matrix's typical |w|">Ratio</th>
                <th scope="col">Rule</th>
              </tr>
            </thead>
            <tbody>
              {scan.superWeights.map((w) => (
                <tr key={`${w.layer}:${w.row}:${w.neuron}`} data-testid="super-weight-row">
                  <td className="num">{w.layer}</td>
                  <td className="mono">{`W_out[${w.row}, ${w.neuron}]`}</td>
                  <td className="num">{num(w.value)}</td>
                  <td className="num">{`${num(w.ratio)}×`}</td>
                  <td>{w.rule}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** ggml block-quantized types (Q8_0, Q4_K, ...): their scan carries per-block scales. */
const isQuantized = (dtype: string) => /^Q\d/.test(dtype);

/** Per-block scale outliers of the quantized tensors: the |d| range and the block with the largest |d|. */
function BlockScales({ scan }: { scan: WeightScanResult }) {
  const quantized = scan.tensors.filter((t) => isQuantized(t.dtype));
  if (quantized.length === 0) return null;
  const missing = quantized.filter((t) => !t.blockScales).length;
  return (
    <div className="scan-block-scales" data-testid="block-scales">
      <h3 className="subsection-title">Per-block scales of quantized tensors</h3>
      <p className="hint" data-testid="block-scales-note">
        Each block of a quantized tensor stores a scale d (for K-quants, the super-block d of 256 weights). Listed: the range of |d|, and the block with the largest |d| — the elements
        it covers and its ratio to the median |d| (a per-block scale outlier) — beside the largest dequantized |w|. The quantization error of these tensors is not known without the
        original weights, so it is not shown.
        {missing > 0 && ` ${formatCount(missing)} quantized tensors were scanned before scales were recorded: rescan the model to see them.`}
      </p>
      <div className="table-wrap scan-scroll">
        <table className="table scan-table" data-testid="block-scales-table">
          <thead>
            <tr>
              <th scope="col">Tensor</th>
              <th scope="col">dtype</th>
              <th scope="col" className="num">Blocks</th>
              <th scope="col" className="num">Min |d|</th>
              <th scope="col" className="num">Median |d|</th>
              <th scope="col" className="num">Max |d|</th>
              <th scope="col" className="num">Largest block</th>
              <th scope="col" title="first and last element of the block, row-major coordinates">covers</th>
              <th scope="col" className="num" title="the block's |d| over the median |d|">× median</th>
              <th scope="col" className="num">Largest |w|</th>
              <th scope="col">at</th>
            </tr>
          </thead>
          <tbody>
            {quantized.map((t) => {
              const b = t.blockScales;
              const m = b?.maxBlock ?? null;
              return (
                <tr key={t.tensor} data-testid="block-scales-row" data-tensor={t.tensor}>
                  <td className="mono">{t.tensor}</td>
                  <td className="mono">{t.dtype}</td>
                  <td className="num">{b ? `${formatCount(b.blocks)} × ${b.blockSize}` : '—'}</td>
                  <td className="num">{num(b?.min ?? null)}</td>
                  <td className="num">{num(b?.median ?? null)}</td>
                  <td className="num">{num(b?.max ?? null)}</td>
                  <td className="num">{m ? formatCount(m.index) : '—'}</td>
                  <td className="mono">{m ? `${coords(m.start)}…${coords(m.end)}` : '—'}</td>
                  <td className="num">{m && m.ratio !== null ? `${num(m.ratio)}×` : '—'}</td>
                  <td className="num">{num(t.maxAbs)}</td>
                  <td className="mono">{coords(t.maxAbsIndex)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
