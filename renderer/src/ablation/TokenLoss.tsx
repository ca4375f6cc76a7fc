import type { PlaygroundResult } from '../api/contract';
import { okabeIto } from '../charts/style';
import { formatStat } from '../format';

const white = [255, 255, 255] as const;
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
// diverging and colour-blind safe: Okabe-Ito blue (the ablated model does better) to vermillion (worse)
const better = rgb(okabeIto.blue);
const worse = rgb(okabeIto.vermillion);

/** The background for a loss difference `d` on a scale of ±`max`: white at 0. */
export function divergingColor(d: number, max: number): string {
  const t = max > 0 ? Math.min(1, Math.abs(d) / max) : 0;
  const end = d < 0 ? better : worse;
  const c = white.map((w, i) => Math.round(w + (end[i]! - w) * t));
  return `rgb(${c.join(', ')})`;
}

/**
 * The prompt's tokens, each on the colour of how much its loss changed when ablated (the loss of
 * predicting it from the tokens before; the first token has none); hovering shows both losses.
 */
export function TokenLoss({ result }: { result: PlaygroundResult }) {
  const deltas = result.tokens.map((_, t) => (t === 0 ? null : result.ablated.nll[t - 1]! - result.intact.nll[t - 1]!));
  const max = Math.max(1e-9, ...deltas.map((d) => (d === null ? 0 : Math.abs(d))));
  return (
    <section className="neuron-section" aria-labelledby="token-loss-title" data-testid="pg-token-loss">
      <h3 id="token-loss-title" className="subsection-title">
        Per-token loss difference (ablated − intact)
      </h3>
      <p className="token-strip">
        {result.tokens.map((tok, t) => {
          const d = deltas[t] ?? null;
          const title = d === null ? 'the first token: nothing predicts it' : `intact loss ${formatStat(result.intact.nll[t - 1])} · ablated ${formatStat(result.ablated.nll[t - 1])} · Δ ${formatStat(d)} nats`;
          return (
            <span key={t} className="token-cell" data-testid="pg-token" data-delta={d ?? ''} title={title} style={{ background: d === null ? undefined : divergingColor(d, max) }}>
              {tok.text}
            </span>
          );
        })}
      </p>
      <div className="diverging-legend" aria-label={`Colour scale from −${formatStat(max)} to +${formatStat(max)} nats`}>
        <span>{`−${formatStat(max)} nats (better)`}</span>
        <span className="diverging-bar" style={{ background: `linear-gradient(to right, ${divergingColor(-max, max)}, #fff, ${divergingColor(max, max)})` }} />
        <span>{`+${formatStat(max)} nats (worse)`}</span>
      </div>
    </section>
  );
}
