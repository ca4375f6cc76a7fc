// Test support, run as its own process (runtime/memory.test.ts bundles and spawns it): makes a
// llama-shaped random model (optionally Q4_0 / Q8_0), creates a real session, runs one batch, and
// prints JSON with the RSS before the session, the peak RSS after the run, and the estimate.
// argv: D F L V rows T form(fp32|q4_0|q8_0|f16: 2-D weights offered as float16) graph(stats|logits)

import { readFileSync, writeFileSync } from 'node:fs';
import { sessionMemory, FfnSession } from '../../runtime/session.js';
import { float32, type HostTensor, int64 } from '../../runtime/tensors.js';
import { type GraphOptions } from '../builder.js';
import { toHalf } from '../../../common/half.js';
import { quantizeModel } from './ggml-quantize.js';
import type { HalfWeight, LoadedModel } from '../../spec.js';

/** The model with its 2-D weights also offered as float16 (as an F16 checkpoint's are); the host keeps the bytes. */
function halfModel(m: LoadedModel): LoadedModel {
  const halves = new Map<string, HalfWeight>();
  for (const n of m.weightNames()) {
    const w = m.weight(n);
    if (w.shape.length !== 2) continue;
    // a plain loop: TypedArray.from with a map function leaves garbage that V8 returns to the OS late
    const h = new Uint16Array(w.data.length);
    for (let i = 0; i < h.length; i++) h[i] = toHalf(w.data[i] as number);
    const bytes = new Uint8Array(h.buffer);
    halves.set(n, { dtype: 'float16', shape: w.shape, bytes: () => bytes });
  }
  return { ...m, half: (n) => halves.get(n) ?? null };
}
import { llamaShapedSpec, randomModel } from './random-model.js';

const [D, F, L, V, rows, T] = process.argv.slice(2, 8).map(Number) as [number, number, number, number, number, number];
const form = process.argv[8] ?? 'fp32';
const graph: GraphOptions = process.argv[9] === 'logits' ? { logits: 'all', nll: true } : { stats: true, moments: true, tokenMask: true, topK: 16, residTopK: 8 };
const spec = llamaShapedSpec(D, F, L, V);
let model = randomModel(spec, 3);
if (form === 'q4_0' || form === 'q8_0') model = quantizeModel(model, form);
if (form === 'f16') model = halfModel(model);
for (const n of model.weightNames()) if (!model.quantized?.(n)) model.weight(n); // host weights read, as before a real create
const estimate = sessionMemory(model, graph, { rows, seqLen: T });
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage().rss;
// the peak from here on (Linux: VmHWM after a reset; elsewhere the process's lifetime peak, which
// making the model above may already have set higher)
try {
  writeFileSync('/proc/self/clear_refs', '5');
} catch {
  // not Linux
}
const session = await FfnSession.create(model, graph, { threads: 1, memoryCheck: false });
const ids = int64(Array.from({ length: rows * T }, (_, i) => (i * 7) % V), [rows, T]);
const feeds: Record<string, HostTensor> = graph.nll
  ? { input_ids: ids, targets: ids }
  : { input_ids: ids, token_mask: float32(new Float32Array(rows * T).fill(1), [rows, T]), threshold: float32([0], []) };
await session.run(feeds);
const hwm = (() => {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
})();
const peak = Number.isFinite(hwm) ? hwm : process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ before, peak, estimate }));
await session.release();
