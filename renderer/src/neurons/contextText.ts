// How a top context is drawn: on one line (a newline inside it would break the list into ragged
// rows, so it shows as a visible ⏎), with the firing token shaded by its activation.

/** The text with each line break (\r\n, \n, \r) shown as "⏎" and tabs as a space, so it stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|\n|\r/g, '⏎').replace(/\t/g, ' ');
}

/**
 * The shade of a context's token: its activation over the largest listed one, in [0.15, 1] (the
 * weakest listed context stays visible); 1 when the values give no scale.
 */
export function shadeOf(value: number, largest: number): number {
  if (!(largest > 0) || !Number.isFinite(value)) return 1;
  return Math.min(1, Math.max(0.15, Math.abs(value) / largest));
}

/** What the list says about its length: every firing token listed when the neuron fired on fewer than the capture kept. */
export function contextsNote(listed: number, topK: number, firedOn: number): string | null {
  if (listed === 0) return firedOn === 0 ? 'This neuron never fired on the capture\'s tokens, so it has no activating contexts.' : 'The capture kept no contexts for this neuron.';
  if (listed < topK) return `Fired on ${firedOn.toLocaleString('en-US')} token${firedOn === 1 ? '' : 's'}: ${listed === firedOn ? 'all are' : `${listed} are`} listed (the capture keeps up to ${topK}).`;
  return null;
}

/**
 * The shade of one token of a whole context: |activation| over the scale's top (the largest
 * |activation| of the listed contexts), in [0, 1]: 0 stays unshaded; 0 when there is no scale.
 */
export function tokenShade(activation: number, max: number): number {
  if (!(max > 0) || !Number.isFinite(activation)) return 0;
  return Math.min(1, Math.abs(activation) / max);
}
