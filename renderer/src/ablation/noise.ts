// Where loss changes stop being float32 noise. The per-token loss is computed in float32 (a
// unit in the last place is 2^-23 of the value, ~6e-7 of a loss of 5 nats), and an ablation that
// changes nothing still moves it by a few such units through the reductions of the forward pass
// (a sum over the vocabulary, layer norms). A colour scale stretched to the largest |change| makes
// 1e-9 of noise look as red as a real effect, so changes are coloured only above a floor of
// 64 units in the last place of the loss scale (2^-17 of it: ~4e-5 nats at 5 nats), at least 1e-6,
// and labelled "noise" below it.

export const FLOAT32_ULP = 2 ** -23;

/** The noise floor of loss changes whose losses are about `scale` nats. */
export function noiseFloor(scale: number): number {
  return Math.max(1e-6, 64 * FLOAT32_ULP * (Number.isFinite(scale) ? Math.max(1, Math.abs(scale)) : 1));
}

/** Whether a change is within the floor: not evidence of an effect. */
export const isNoise = (d: number, floor: number): boolean => Math.abs(d) <= floor;

/**
 * The top of a diverging colour scale: the largest |change|, but never below 10 x the floor, so a
 * run whose changes are all noise stays white instead of being stretched to full colour.
 */
export function scaleTop(changes: readonly number[], floor: number): number {
  return Math.max(10 * floor, ...changes.map((d) => (Number.isFinite(d) ? Math.abs(d) : 0)));
}

/** Where a change sits on the colour scale, 0 (white) at or below the floor to 1 at `top`. */
export function colourPosition(d: number, floor: number, top: number): number {
  const a = Math.abs(d);
  if (!(a > floor) || !(top > floor)) return 0;
  return Math.min(1, (a - floor) / (top - floor));
}

/** The class of a change in a table: worse (red), better (blue), or noise (muted, labelled). */
export function changeClass(d: number, floor: number): 'delta-up' | 'delta-down' | 'delta-noise' {
  if (isNoise(d, floor)) return 'delta-noise';
  return d > 0 ? 'delta-up' : 'delta-down';
}
