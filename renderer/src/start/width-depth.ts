// The "Width vs depth" study in plain words: what was measured on the two models, read off the
// comparison, with differences judged by the 95% intervals (not by the point values). Nothing here
// is decided in advance: every sentence is chosen by the numbers.
import type { CompareResult } from '../api/contract';

type Model = CompareResult['models'][number];
type Interval = { value: number; low: number | null; high: number | null };

const n = (v: number) => v.toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const f3 = (v: number) => v.toFixed(3);
const ci = (m: Interval, d = 3) => `${m.value.toFixed(d)} (95% CI ${m.low === null ? '?' : m.low.toFixed(d)} to ${m.high === null ? '?' : m.high.toFixed(d)})`;
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const includesZero = (m: Interval) => m.low !== null && m.high !== null && m.low <= 0 && m.high >= 0;
const above = (a: Interval, b: Interval) => a.low !== null && b.high !== null && a.low > b.high;

function shape(m: Model): string {
  return `${m.model.name} has ${m.model.layers} layers with ${n(m.model.ffn_width)} FFN neurons each (${n(m.model.layers * m.model.ffn_width)} in all), ${n(m.params.total)} parameters of which ${pct(m.params.ffn_share)} are in the FFNs, and costs ${(m.flops_per_token.total / 1e6).toFixed(2)} MFLOPs per token`;
}

function loss(a: Model, b: Model): string | null {
  if (!a.heldout || !b.heldout) return null;
  const first = `On ${n(a.heldout.predictions)} held-out predictions the loss is ${ci(a.heldout.loss)} nats/token for ${a.model.name} and ${ci(b.heldout.loss)} for ${b.model.name} (perplexity ${a.heldout.ppl.value.toFixed(1)} and ${b.heldout.ppl.value.toFixed(1)}).`;
  if (above(a.heldout.loss, b.heldout.loss)) return `${first} ${b.model.name} predicts the held-out text better: the intervals do not overlap.`;
  if (above(b.heldout.loss, a.heldout.loss)) return `${first} ${a.model.name} predicts the held-out text better: the intervals do not overlap.`;
  return `${first} The intervals overlap, so on this much text the two are not told apart (each interval is bootstrapped on its own; more held-out text would narrow them).`;
}

function sparsity(m: Model): string | null {
  const active = m.layers.map((l) => l.active_fraction?.mean).filter((v): v is number => v !== undefined);
  if (active.length === 0) return null;
  const dead = mean(m.layers.map((l) => l.verdicts.dead));
  const rare = mean(m.layers.map((l) => l.verdicts.rare));
  const range = `${pct(Math.min(...active))} to ${pct(Math.max(...active))}`;
  return `In ${m.model.name} a token makes on average ${pct(mean(active))} of a layer's FFN neurons fire (by layer: ${range}); ${pct(dead)} of its neurons are silent and ${pct(rare)} fire on fewer than one token in a thousand.`;
}

function sensitivity(m: Model): string | null {
  const rows = m.layers.filter((l) => l.sensitivity !== null);
  if (rows.length === 0) return null;
  const whole = rows.map((l) => ({ layer: l.layer, d: l.sensitivity!.whole }));
  const most = whole.reduce((a, b) => (b.d.value > a.d.value ? b : a));
  const least = whole.reduce((a, b) => (b.d.value < a.d.value ? b : a));
  const free = whole.filter((w) => includesZero(w.d)).map((w) => w.layer);
  const random = rows.map((l) => l.sensitivity!.random);
  const frac = random[0]?.fraction ?? 0;
  const parts = [
    `Zeroing a whole FFN layer of ${m.model.name} raises its held-out loss by ${ci(least.d)} (layer ${least.layer}, the least) to ${ci(most.d)} (layer ${most.layer}, the most)`,
  ];
  parts.push(free.length > 0 ? `; for layer${free.length > 1 ? 's' : ''} ${free.join(', ')} the change cannot be told from zero.` : '; every layer\'s change is above zero.');
  parts.push(` Zeroing a random ${pct(frac)} of a layer's neurons costs ${f3(Math.min(...random.map((r) => r.value)))} to ${f3(Math.max(...random.map((r) => r.value)))} nats/token.`);
  return parts.join('');
}

function intrinsic(m: Model): string | null {
  const two = m.layers.map((l) => l.twonn).filter((v): v is number => v !== null);
  if (two.length === 0) return null;
  return `The residual stream of ${m.model.name} has a TwoNN intrinsic dimension of ${two.map((v) => v.toFixed(1)).join(', ')} from its first layer to its last (the stream is ${m.model.d_model} wide).`;
}

export function explainWidthDepth(r: CompareResult): string[] {
  const [a, b] = r.models;
  if (!a || !b) return [];
  const out = [
    `Both models were trained with the same recipe, data, steps and seed, and have the same width of the residual stream; they differ in how their parameters are spent. ${shape(a)}; ${shape(b)}.`,
    `FFN Lab captured both on the same text, ${r.text.cut_after_tokens === null ? `${n(r.text.documents)} whole training documents` : `the first ${n(r.text.cut_after_tokens)} tokens of ${n(r.text.documents)} training documents`}, and measured each layer's sensitivity on held-out documents: every neuron of the layer set to zero, and separately a random ${pct(a.sensitivity?.fraction ?? 0)} of them.`,
  ];
  for (const line of [loss(a, b), sparsity(a), sparsity(b), sensitivity(a), sensitivity(b), intrinsic(a), intrinsic(b)]) if (line) out.push(line);
  out.push('These are measurements on two small, briefly trained models and one corpus: they describe these models, and are a starting point for testing a hypothesis about width and depth, not a conclusion about it.');
  return out;
}
