import type { PlaygroundResult } from '../api/contract';
import { okabeIto } from '../charts/style';
import { formatStat } from '../format';
import { colourPosition, isNoise, noiseFloor, scaleTop } from './noise';

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

/** The background for a loss difference `d`: white at or below the noise floor, full colour at `top`. */
export function effectColor(d: number, floor: number, top: number): string {
  return divergingColor(Math.sign(d) * colourPosition(d, floor, top), 1);
}

/**
 * The prompt's tokens, each on the colour of how much its loss changed when ablated (the loss of
 * predicting it from the tokens before; the first token has none); hovering shows both losses.
 */
export function TokenLoss({ result }: { result: PlaygroundResult }) {
  const deltas = result.tokens.map((_, t) => (t === 0 ? null : result.ablated.nll[t - 1]! - result.intact.nll[t - 1]!));
  // the colour starts at the float32 noise floor of losses this size, not at the largest |change|
  const floor = noiseFloor(Math.max(0, ...result.intact.nll.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0))));
  const max = scaleTop(deltas.filter((d): d is number => d !== null), floor);
  const allNoise = deltas.every((d) => d === null || isNoise(d, floor));
  return (
    <section className="neuron-section" aria-labelledby="token-loss-title" data-testid="pg-token-loss">
      <h3 id="token-loss-title" className="subsection-title">
        Per-token loss difference (ablated − intact)
      </h3>
      <p className="token-strip">
        {result.tokens.map((tok, t) => {
          const d = deltas[t] ?? null;
          const noise = d !== null && isNoise(d, floor);
          const title = d === null ? 'the first token: nothing predicts it' : `intact loss ${formatStat(result.intact.nll[t - 1])} · ablated ${formatStat(result.ablated.nll[t - 1])} · Δ ${formatStat(d)} nats${noise ? ` (noise: within ±${formatStat(floor)}, float32 rounding)` : ''}`;
          return (
            <span key={t} className="token-cell" data-testid="pg-token" data-delta={d ?? ''} data-noise={noise ? 'true' : undefined} title={title} style={{ background: d === null ? undefined : effectColor(d, floor, max) }}>
              {tok.text}
            </span>
          );
        })}
      </p>
      <div className="diverging-legend" data-testid="pg-token-legend" aria-label={`Colour scale from −${formatStat(max)} to +${formatStat(max)} nats; white within ±${formatStat(floor)} (noise)`}>
        <span>{`−${formatStat(max)} nats (better)`}</span>
        <span className="diverging-bar" style={{ background: `linear-gradient(to right, ${divergingColor(-1, 1)}, #fff, ${divergingColor(1, 1)})` }} />
        <span>{`+${formatStat(max)} nats (worse)`}</span>
        <span className="muted">{allNoise ? `every change is within ±${formatStat(floor)} nats: float32 noise, not an effect` : `white: within ±${formatStat(floor)} nats (float32 noise)`}</span>
      </div>
    </section>
  );
}
