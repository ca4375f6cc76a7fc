// The Start-here result in plain words: what the capture found and what switching the dead set
// off cost next to a matched random set, judged by the 95% intervals (not by the point values).
import type { AblationResult } from '../api/contract';

export interface StartFacts {
  model: string;
  activation: string;
  /** tokens the capture saw */
  tokens: number;
  /** neurons in the model's FFN layers */
  neurons: number;
  /** dead neurons per layer */
  deadPerLayer: readonly number[];
  ablation: AblationResult;
}

type Interval = { value: number; low: number | null; high: number | null };

const n = (v: number) => v.toLocaleString('en-US');
const signed = (v: number, d = 4) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`;
const ci = (m: Interval, d = 4) => `${signed(m.value, d)} nats/token (95% CI ${m.low === null ? '?' : signed(m.low, d)} to ${m.high === null ? '?' : signed(m.high, d)})`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const includesZero = (m: Interval) => m.low !== null && m.high !== null && m.low <= 0 && m.high >= 0;

export function explain(f: StartFacts): string[] {
  const dead = f.deadPerLayer.reduce((a, b) => a + b, 0);
  const where = f.deadPerLayer
    .map((c, l) => (c > 0 ? `${n(c)} in layer ${l}` : null))
    .filter((x): x is string => x !== null)
    .join(', ');
  const base = f.ablation.baseline;
  const out = [
    `FFN Lab ran ${f.model} (${f.activation} feed-forward layers, ${n(f.neurons)} neurons) over ${n(f.tokens)} tokens of its training text and counted, for every neuron, how often it fired (activation above 0).`,
  ];
  if (dead === 0) {
    out.push(`Every neuron fired at least once, so there is no dead set to switch off. On ${n(f.ablation.tokens)} held-out tokens the model's loss is ${base.loss.value.toFixed(3)} nats/token (perplexity ${base.ppl.value.toFixed(1)}).`);
    return out;
  }
  out.push(
    `${n(dead)} of them (${pct(dead / f.neurons)}) never fired: ${where}. Never firing in ${n(f.tokens)} tokens means their true fire rate is below ${(3 / f.tokens).toExponential(1)} with 95% confidence.`,
  );
  const [set, control] = f.ablation.results;
  if (!set || !control) return out;
  const d = set.metrics.delta_loss;
  const c = control.metrics.delta_loss;
  out.push(
    `Then it switched the dead neurons off (set to zero) on ${n(f.ablation.tokens)} tokens of held-out text the model never trained on, and, as a control, the same number of randomly chosen neurons from the same layers. Intact, the model's loss there is ${base.loss.value.toFixed(3)} nats/token (perplexity ${base.ppl.value.toFixed(1)}).`,
  );
  out.push(`Without the dead neurons the loss changed by ${ci(d)}; without the random ones by ${ci(c)}.`);
  if (includesZero(d) && c.low !== null && c.low > 0) {
    out.push(
      `So the dead neurons are unused capacity: removing them costs nothing measurable (the model's next-token choice stayed the same on ${pct(set.metrics.top1_agreement.value)} of tokens), while removing as many working neurons does cost. A ${f.activation} neuron that never fires outputs exactly zero, so zeroing it cannot change anything the model computes.`,
    );
  } else if (d.low !== null && c.high !== null && d.low > c.high) {
    out.push(
      `Surprisingly, zeroing the "dead" neurons cost more than zeroing random ones. They never went above 0, but with ${f.activation} a neuron below 0 still outputs a small non-zero value, and these neurons contribute it on every token: never firing is not the same as doing nothing.`,
    );
  } else if (includesZero(d) && includesZero(c)) {
    out.push('Neither change is distinguishable from zero on this much text; more held-out tokens would narrow the intervals.');
  } else {
    out.push('The two costs are of similar size: on this evidence the dead neurons matter about as much as random ones.');
  }
  return out;
}
