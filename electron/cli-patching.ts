// The CLI's causal-experiment commands: patch (activation patching of a prompt pair or a JSONL of
// pairs; --rerun ID repeats a stored run), patch list, and lens (the residual stream's logit lens).
// They run in this headless process, as logits and generate do, on the same database.
import fs from 'node:fs';
import type { Backend } from './backend.js';
import { LensRequest, PatchRequest, type Model } from './api.js';
import { listPatchRuns } from '../db/patching.js';
import { parsePairsJsonl } from './patching/pairs-file.js';
import { patchView, runLensRequest, runPatchRequest, type LensView, type PatchView } from './patching/service.js';

export interface PatchingContext {
  io: { out(value: unknown, text: () => string): void };
  values: Record<string, unknown>;
  backend: () => Backend;
  resolveModel: (b: Backend, arg: string | undefined) => Promise<Model>;
  usage: (message: string) => Error;
  table: (rows: string[][]) => string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function intFlag(c: PatchingContext, flag: string): number | undefined {
  const v = str(c.values[flag]);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw c.usage(`--${flag} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : x.toFixed(3);
}

function patchText(r: PatchView): string {
  const lines = [
    `patching run ${r.id} (${r.name}): ${r.metric}, ${r.pairs.length} pair(s); clean ${fmt(r.clean)}, corrupted ${fmt(r.corrupt)}; ${r.rows} forward rows`,
    'layer  denoise (clean → corrupted)  noise (corrupted → clean)   whole FFN, all positions',
    ...r.layers.denoise.map((e, l) => `${String(l).padStart(5)}  ${fmt(e.all?.effect).padStart(8)} [${fmt(e.all?.low)}, ${fmt(e.all?.high)}]   ${fmt(r.layers.noise[l]?.all?.effect).padStart(8)}`),
    `top neurons of layers ${r.searchedLayers.join(', ') || '(none searched)'} (each patched alone at all positions):`,
    ...r.neurons.map((n) => `  ${n.layer}:${n.neuron}  denoise ${fmt(n.denoise?.effect)}  noise ${fmt(n.noise?.effect)}`),
  ];
  return lines.join('\n');
}

export async function patchCommand(key: 'patch' | 'patch list', c: PatchingContext): Promise<void> {
  const b = c.backend();
  if (key === 'patch list') {
    const model = c.values.model === undefined ? undefined : await c.resolveModel(b, str(c.values.model));
    const runs = listPatchRuns(b.db, model?.id);
    return c.io.out({ patches: runs }, () =>
      runs.length === 0 ? 'no patching runs yet: ffn-lab patch --model M --clean T --corrupt T --target X --foil Y' : c.table([['id', 'name', 'metric', 'created'], ...runs.map((r) => [String(r.id), r.name, r.metric, r.createdAt])]),
    );
  }
  const rerun = intFlag(c, 'rerun');
  let request: PatchRequest;
  if (rerun !== undefined) {
    const stored = patchView(b.db, rerun);
    if (!stored) throw c.usage(`--rerun ${rerun}: no such patching run (see ffn-lab patch list)`);
    request = stored.params;
  } else {
    const model = await c.resolveModel(b, str(c.values.model));
    const file = str(c.values.pairs);
    const single = ['clean', 'corrupt', 'target'].every((k) => c.values[k] !== undefined);
    if ((file !== undefined) === single) throw c.usage('patch needs either --clean TEXT --corrupt TEXT --target TOKEN [--foil TOKEN], or --pairs FILE.jsonl');
    let pairs;
    if (file !== undefined) {
      if (!fs.existsSync(file)) throw c.usage(`--pairs ${file}: no such file`);
      try {
        pairs = parsePairsJsonl(fs.readFileSync(file, 'utf8'), file);
      } catch (e) {
        throw c.usage((e as Error).message);
      }
    } else {
      const foil = str(c.values.foil);
      pairs = [{ clean: str(c.values.clean) as string, corrupt: str(c.values.corrupt) as string, target: str(c.values.target) as string, ...(foil !== undefined ? { foil } : {}) }];
    }
    const metric = str(c.values.metric) ?? 'logit-diff';
    if (metric !== 'logit-diff' && metric !== 'loss') throw c.usage(`--metric must be logit-diff or loss, got "${metric}"`);
    const top = intFlag(c, 'top');
    const searchLayers = intFlag(c, 'search-layers');
    const parsed = PatchRequest.safeParse({ modelId: model.id, pairs, metric, ...(top !== undefined ? { top } : {}), ...(searchLayers !== undefined ? { searchLayers } : {}), ...(str(c.values.name) ? { name: str(c.values.name) } : {}) });
    if (!parsed.success) throw c.usage(`patch: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    request = parsed.data;
  }
  const result = await runPatchRequest(b.db, b.dataDir, request);
  return c.io.out(result, () => patchText(result));
}

function lensText(r: LensView): string {
  const header = ['layer', ...r.tokens.map((t, i) => `${i}:${JSON.stringify(t.text)}`)];
  const rows = r.layers.map((l) => [String(l.layer), ...l.positions.map((p) => `${JSON.stringify(p.top[0]?.text ?? '')}${p.target ? ` (#${p.target.rank})` : ''}`)]);
  return `${r.target ? `top token per layer and position (target ${JSON.stringify(r.target.text)}: its rank in brackets)` : 'top token per layer and position'}\n${[header, ...rows].map((row) => row.join('\t')).join('\n')}`;
}

export async function lensCommand(c: PatchingContext): Promise<void> {
  const b = c.backend();
  const model = await c.resolveModel(b, str(c.values.model));
  const prompt = str(c.values.prompt);
  if (prompt === undefined) throw c.usage('lens needs --prompt TEXT');
  const top = intFlag(c, 'top');
  const parsed = LensRequest.safeParse({ modelId: model.id, prompt, ...(str(c.values.target) ? { target: str(c.values.target) } : {}), ...(top !== undefined ? { top } : {}) });
  if (!parsed.success) throw c.usage(`lens: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const result = await runLensRequest(b.db, b.dataDir, parsed.data);
  return c.io.out(result, () => lensText(result));
}
