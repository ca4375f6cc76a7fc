// The Start-here pair studies in plain words ("Width vs depth", "Dense vs MoE"): what was measured
// on the two models, read off the comparison (and, for a mixture of experts, its router
// statistics), with differences judged by the 95% intervals (not by the point values). Nothing
// here is decided in advance: every sentence is chosen by the numbers.
import type { CompareResult, Result } from '../api/contract';

type Experts = Result<'experts.get'>;

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
  // a unit of an expert sees only the tokens routed to that expert (compare.ts counts its rates so)
  const rareOf = m.model.moe ? 'one in a thousand of the tokens routed to their expert' : 'one token in a thousand';
  return `In ${m.model.name} a token makes on average ${pct(mean(active))} of a layer's FFN neurons fire (by layer: ${range}); ${pct(dead)} of its neurons are silent and ${pct(rare)} fire on fewer than ${rareOf}.`;
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

function captured(r: CompareResult, a: Model): string {
  return `FFN Lab captured both on the same text, ${r.text.cut_after_tokens === null ? `${n(r.text.documents)} whole training documents` : `the first ${n(r.text.cut_after_tokens)} tokens of ${n(r.text.documents)} training documents`}, and measured each layer's sensitivity on held-out documents: every neuron of the layer set to zero, and separately a random ${pct(a.sensitivity?.fraction ?? 0)} of them.`;
}

function measured(r: CompareResult, a: Model, b: Model, extra: Array<string | null>, hypothesis: string): string[] {
  const out = [captured(r, a)];
  for (const line of [loss(a, b), sparsity(a), sparsity(b), ...extra, sensitivity(a), sensitivity(b), intrinsic(a), intrinsic(b)]) if (line) out.push(line);
  out.push(`These are measurements on two small, briefly trained models and one corpus: they describe these models, and are a starting point for testing a hypothesis about ${hypothesis}, not a conclusion about it.`);
  return out;
}

export function explainWidthDepth(r: CompareResult): string[] {
  const [a, b] = r.models;
  if (!a || !b) return [];
  return [
    `Both models were trained with the same recipe, data, steps and seed, and have the same width of the residual stream; they differ in how their parameters are spent. ${shape(a)}; ${shape(b)}.`,
    ...measured(r, a, b, [], 'width and depth'),
  ];
}

function moeShape(m: Model, x: Experts | null): string {
  const cost = `costs ${(m.flops_per_token.total / 1e6).toFixed(2)} MFLOPs per token`;
  if (!m.model.moe || !x) return `${m.model.name} has ${m.model.layers} layers with one FFN of ${n(m.model.ffn_width)} neurons each, ${n(m.params.total)} parameters, all of them active for every token, and ${cost}`;
  return (
    `${m.model.name} has ${m.model.layers} layers whose FFN is ${x.experts} experts of ${n(x.expertFf)} neurons (${n(m.model.ffn_width)} in all), of which a router picks ${x.topK} per token ` +
    `(${n(x.topK * x.expertFf)} neurons, ${pct((x.topK * x.expertFf) / m.model.ffn_width)} of the layer's); it has ${n(m.params.total)} parameters, ${n(m.params.active)} (${pct(m.params.active / m.params.total)}) of them active per token, and ${cost}`
  );
}

/** The router in words: how evenly it spreads tokens, how sure it is, and which experts it never or rarely uses. */
function router(m: Model, x: Experts | null): string | null {
  if (!m.model.moe || !x) return null;
  const rows = x.layers.filter((l) => l.tokens > 0);
  if (rows.length === 0) return null;
  const cvs = rows.map((l) => l.load_cv).filter((v): v is number => v !== null);
  const ent = rows.map((l) => l.entropy_mean).filter((v): v is number => v !== null);
  const named = (verdict: 'dead' | 'rare') => rows.flatMap((l) => l.experts.filter((e) => e.verdict === verdict).map((e) => `expert ${e.expert} of layer ${l.layer}`));
  const dead = named('dead');
  const rare = named('rare');
  const loads = rows.flatMap((l) => l.experts.map((e) => e.topk_rate ?? 0));
  const parts = [
    `The router of ${m.model.name} sends each expert between ${pct(Math.min(...loads))} and ${pct(Math.max(...loads))} of the tokens (an even split would give each ${pct(x.topK / x.experts)}); the load's coefficient of variation is ${cvs.map(f3).join(', ')} by layer (0 = perfectly even)`,
    ent.length > 0 ? `, and its mean entropy per token ${ent.map((v) => v.toFixed(2)).join(', ')} nats of at most ${(rows[0] as Experts['layers'][number]).entropy_max.toFixed(2)}.` : '.',
  ];
  if (dead.length === 0 && rare.length === 0) parts.push(` No expert is dead (never routed, with 95% confidence) or rare (routed on fewer than one token in a thousand).`);
  else {
    if (dead.length > 0) parts.push(` Dead (never routed, with 95% confidence): ${dead.join(', ')}.`);
    if (rare.length > 0) parts.push(` Rare (routed on fewer than one token in a thousand): ${rare.join(', ')}.`);
  }
  return parts.join('');
}

/** "Dense vs MoE": `experts` is the MoE capture's router statistics (null while they load or when absent). */
export function explainDenseMoe(r: CompareResult, experts: Experts | null): string[] {
  const [a, b] = r.models;
  if (!a || !b) return [];
  return [
    `Both models were trained with the same recipe, data, steps and seed, have the same attention and width of the residual stream, and pass each token through the same number of FFN parameters; they differ in whether one FFN serves every token or a router chooses experts per token. ${moeShape(a, experts)}; ${moeShape(b, experts)}.`,
    ...measured(r, a, b, [router(a, experts), router(b, experts)], 'dense and mixture-of-experts FFNs'),
  ];
}
