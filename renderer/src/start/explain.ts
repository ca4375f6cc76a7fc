// The Start-here result in plain words: what the capture found and what switching the quiet set
// off cost next to a matched random set, judged by the 95% intervals (not by the point values).
// The quiet set is the silent (dead) neurons, or, where there are none, the never-positive ones:
// the neurons a count of "activation > 0" would call dead (electron/start-here.ts).
import type { AblationResult } from '../api/contract';

export interface StartFacts {
  model: string;
  activation: string;
  /** tokens the capture saw */
  tokens: number;
  /** neurons in the model's FFN layers */
  neurons: number;
  /** silent (dead), constant and never-positive neurons per layer */
  deadPerLayer: readonly number[];
  constantPerLayer: readonly number[];
  neverPositivePerLayer: readonly number[];
  ablation: AblationResult;
}

type Interval = { value: number; low: number | null; high: number | null };

const n = (v: number) => v.toLocaleString('en-US');
const signed = (v: number, d = 4) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`;
const ci = (m: Interval, d = 4) => `${signed(m.value, d)} nats/token (95% CI ${m.low === null ? '?' : signed(m.low, d)} to ${m.high === null ? '?' : signed(m.high, d)})`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const includesZero = (m: Interval) => m.low !== null && m.high !== null && m.low <= 0 && m.high >= 0;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const where = (perLayer: readonly number[]) =>
  perLayer
    .map((c, l) => (c > 0 ? `${n(c)} in layer ${l}` : null))
    .filter((x): x is string => x !== null)
    .join(', ');

export function explain(f: StartFacts): string[] {
  const dead = sum(f.deadPerLayer);
  const constant = sum(f.constantPerLayer);
  const negative = sum(f.neverPositivePerLayer);
  const base = f.ablation.baseline;
  const out = [
    `FFN Lab ran ${f.model} (${f.activation} feed-forward layers, ${n(f.neurons)} neurons) over ${n(f.tokens)} tokens of its training text and measured, for every neuron, what it outputs: ` +
      `how often it fires (output above 0), its largest |output| and how much it varies.`,
  ];
  out.push(
    dead > 0
      ? `${n(dead)} of them (${pct(dead / f.neurons)}) are silent ("dead"): their output stayed within a thousandth of the layer's typical |activation| on every token (${where(f.deadPerLayer)}). ` +
          `Silent on all ${n(f.tokens)} tokens means they exceed that on fewer than ${(3 / f.tokens).toExponential(1)} of tokens, with 95% confidence.`
      : `None of them is silent: every neuron's output went beyond a thousandth of its layer's typical |activation| on some token.`,
  );
  if (constant > 0) out.push(`${n(constant)} are constant (${where(f.constantPerLayer)}): they write the same value on every token, so replacing them by their mean changes nothing.`);
  if (negative > 0) {
    out.push(
      `${n(negative)} never went above 0 (${where(f.neverPositivePerLayer)}). A tool that counts "activation > 0" would call them dead, but with ${f.activation} a neuron below 0 still outputs a non-zero value that changes from token to token, so they are not silent.`,
    );
  }
  const [set, control] = f.ablation.results;
  if (!set || !control) {
    out.push(`With no silent or never-positive neurons there is no set to switch off. On ${n(f.ablation.tokens)} held-out tokens the model's loss is ${base.loss.value.toFixed(3)} nats/token (perplexity ${base.ppl.value.toFixed(1)}).`);
    return out;
  }
  const silentSet = set.label === 'dead';
  const what = silentSet ? 'silent neurons' : 'never-positive neurons';
  out.push(
    `Then it switched the ${n(set.neurons)} ${what} off (set to zero) on ${n(f.ablation.tokens)} tokens of held-out text the model never trained on, and, as a control, the same number of randomly chosen neurons from the same layers. ` +
      `Intact, the model's loss there is ${base.loss.value.toFixed(3)} nats/token (perplexity ${base.ppl.value.toFixed(1)}).`,
  );
  const d = set.metrics.delta_loss;
  const c = control.metrics.delta_loss;
  out.push(`Without the ${what} the loss changed by ${ci(d)} (KL to the intact model ${set.metrics.kl.value.toExponential(1)} nats/token); without the random ones by ${ci(c)}.`);
  if (silentSet && includesZero(d)) {
    out.push(
      `As their verdict predicts, removing the silent neurons costs nothing measurable (the next-token choice stayed the same on ${pct(set.metrics.top1_agreement.value)} of tokens)` +
        (c.low !== null && c.low > 0 ? ', while removing as many working neurons does cost: they are unused capacity.' : '.'),
    );
  } else if (d.low !== null && c.high !== null && d.low > c.high) {
    out.push(`Zeroing the ${what} cost more than zeroing random ones: never firing is not the same as doing nothing, and these neurons carry their negative output on every token.`);
  } else if (includesZero(d) && includesZero(c)) {
    out.push('Neither change is distinguishable from zero on this much text; more held-out tokens would narrow the intervals.');
  } else if (d.high !== null && c.low !== null && d.high < c.low) {
    out.push(`Zeroing the ${what} cost less than zeroing random ones, but not nothing: they are quieter than most neurons, not silent.`);
  } else {
    out.push(`The two costs are of similar size: on this evidence the ${what} matter about as much as random ones.`);
  }
  return out;
}
