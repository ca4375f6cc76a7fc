import { useEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { useApi } from '../api/ApiContext';
import type { NeuronDetail } from '../api/contract';
import { useQuery } from '../api/useQuery';
import { Loading } from '../components/Loading';
import { formatStat } from '../format';
import { oneLine, shadeOf, tokenShade } from './contextText';

/** Contexts whose whole window is re-run and shaded; the rest keep the firing token's shade. */
const SHADED_AT_MOST = 32;

/** The capture's view: each context around its firing token, only that token shaded (its stored value). */
function PeakOnly({ contexts }: { contexts: NeuronDetail['contexts'] }) {
  const largest = Math.max(...contexts.map((x) => Math.abs(x.value)));
  return (
    <ol className="context-list">
      {contexts.map((c) => (
        <li key={c.rank} data-testid="neuron-context" data-value={c.value}>
          <span className="context-value num" title={`activation at position ${c.position} of ${c.document}`}>
            {formatStat(c.value)}
          </span>
          <span className="context-text mono" title={`${c.before}${c.token}${c.after}`}>
            {oneLine(c.before)}
            <mark style={{ '--shade': shadeOf(c.value, largest) } as CSSProperties}>{oneLine(c.token)}</mark>
            {oneLine(c.after)}
          </span>
          <span className="row-sub">{c.document}</span>
        </li>
      ))}
    </ol>
  );
}

/**
 * One whole window on one line: a window of hundreds of tokens is wider than the page, so the line
 * scrolls sideways (no scrollbar: it would break the one-line rows) and opens centred on the peak.
 */
function ShadedLine({ title, children }: { title: string; children: ReactNode }) {
  const line = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const el = line.current;
    const peak = el?.querySelector<HTMLElement>('mark.peak-token');
    if (el && peak) el.scrollLeft = Math.max(0, peak.offsetLeft - el.offsetLeft - el.clientWidth / 2);
  }, []);
  return (
    <span ref={line} className="context-text context-whole mono" title={title}>
      {children}
    </span>
  );
}

/**
 * The top activating contexts: first as the capture stored them (peak token only), then, once the
 * worker has re-run each context's window, every token shaded by the neuron's activation there.
 * When the model cannot run (files moved, no tokenizer) the peak-only view stays, with the reason.
 */
export function TopContexts({ datasetId, layer, neuron, contexts }: { datasetId: number; layer: number; neuron: number; contexts: NeuronDetail['contexts'] }) {
  const api = useApi();
  // one forward pass of a window each: the first few only on a large capture top-k (up to 256)
  const count = Math.min(contexts.length, SHADED_AT_MOST);
  const whole = useQuery(`${datasetId}:${layer}:${neuron}:${count}`, () => (count === 0 ? Promise.resolve(null) : api.call('neuron.contextActivations', { datasetId, layer, neuron, contexts: count })));
  if (count === 0) return null;
  const w = whole.data;
  if (!w) {
    return (
      <>
        {whole.loading && <Loading label="Running each context through the model to shade every token…" />}
        {whole.error && (
          <p className="hint" data-testid="context-shading-unavailable">
            {`Only the firing token is shaded: the contexts could not be re-run (${whole.error.message}).`}
          </p>
        )}
        <PeakOnly contexts={contexts} />
      </>
    );
  }
  return (
    <>
      <p className="diverging-legend" data-testid="context-shading-legend">
        <span>0</span>
        <span className="diverging-bar" style={{ background: 'linear-gradient(to right, transparent, var(--mark-bg, #f5c542))' }} />
        <span>{`${formatStat(w.max)} |activation| (the largest over these windows; each window of up to ${w.seqLen} tokens re-run as the capture cut it)`}</span>
      </p>
      <ol className="context-list">
        {w.contexts.map((c) => (
          <li key={c.rank} data-testid="neuron-context" data-value={c.value} data-shaded="true">
            <span className="context-value num" title={`activation at position ${c.position} of ${c.document}`}>
              {formatStat(c.value)}
            </span>
            <ShadedLine title={c.tokens.join('')}>
              {c.tokens.map((t, i) => {
                const style = { '--shade': tokenShade(c.activations[i] as number, w.max) } as CSSProperties;
                const title = formatStat(c.activations[i]);
                // the peak stays a <mark> (outlined): the token the capture found
                return i === c.peak ? (
                  <mark key={i} className="peak-token" data-testid="context-token" data-activation={c.activations[i]} style={style} title={title}>
                    {oneLine(t)}
                  </mark>
                ) : (
                  <span key={i} className="context-token" data-testid="context-token" data-activation={c.activations[i]} style={style} title={title}>
                    {oneLine(t)}
                  </span>
                );
              })}
            </ShadedLine>
            <span className="row-sub">{c.document}</span>
          </li>
        ))}
      </ol>
      {contexts.length > w.contexts.length && <PeakOnly contexts={contexts.slice(w.contexts.length)} />}
    </>
  );
}
