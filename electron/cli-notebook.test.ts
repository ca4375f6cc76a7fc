// `ffn-lab notebook`: a real study on the tiny fixture model (import, capture, ablation against a
// random control, projection) written as Markdown and as self-contained HTML; every step is in
// both, in the order it was run, with its settings; the HTML embeds each step's figure as SVG.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, tinyCliCapture } from './jobs/test-support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'electron', 'cli.js');
const dataDir = tempDir();
const outDir = tempDir();

function json(args: string[]): { code: number | null; out: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { env: { ...process.env, FFN_LAB_DATA: dataDir }, encoding: 'utf8' });
  return { code: r.status, out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

let ablationId = 0;

beforeAll(() => {
  tinyCliCapture(dataDir, 'nb-capture', 40);
  const set = path.join(outDir, 'set.json');
  fs.writeFileSync(set, JSON.stringify([{ layer: 0, neuron: 1 }, { layer: 1, neuron: 2 }, { layer: 1, neuron: 5 }]));
  const ablate = json(['ablate', '--model', 'tiny', '--corpus', '1', '--dataset', '1', '--set', set, '--control', 'random', '--documents', '2', '--max-tokens', '1000', '--seq-len', '48']);
  expect(ablate.code, ablate.stderr).toBe(0);
  ablationId = (ablate.out as { ablation: number }).ablation;
  const project = json(['project', '--dataset', '1', '--method', 'pca']);
  expect(project.code, project.stderr).toBe(0);
}, 300_000);

describe('ffn-lab notebook', () => {
  it('writes the Markdown timeline: every step in order with its settings and how to run it again', () => {
    const file = path.join(outDir, 'tiny.md');
    const r = json(['notebook', '--model', 'tiny', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatchObject({ format: 'markdown', file, notebook: { model: 'tiny', kinds: ['import', 'capture', 'ablation', 'projection'] } });
    const md = fs.readFileSync(file, 'utf8');
    expect(md).toMatch(/^# Study notebook: tiny/);
    const headings = [...md.matchAll(/^## (\d+)\. (\w[\w ]*):/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(headings).toEqual(['1 Import', '2 Capture', '3 Ablation', '4 Projection']);
    // settings as given on the command line
    expect(md).toContain('| maxTokens | 2000 |');
    expect(md).toContain('| seqLen | 48 |');
    expect(md).toContain('| filter.documents | 3 |');
    expect(md).toMatch(/\| corpus \| brown \(#1\) \|/);
    expect(md).toMatch(/\| method \| pca \|/);
    expect(md).toContain(`API \`ablation.rerun\` {"id":${ablationId}}`);
    expect(md).toMatch(/API `capture.start` \{"modelId":1,"corpusId":1,/);
  });

  it('writes one self-contained HTML page with each capture and ablation figure inline as SVG', () => {
    const file = path.join(outDir, 'tiny.html');
    const r = json(['notebook', '--model', '1', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    // nothing fetched: no external script, stylesheet or image
    expect(html).not.toMatch(/<(script|link)\b|src="http/);
    const steps = [...html.matchAll(/<section class="step" data-kind="([\w-]+)"/g)].map((m) => m[1]);
    expect(steps).toEqual(['import', 'capture', 'ablation', 'projection']);
    const figures = [...html.matchAll(/<figure><svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*aria-label="([^"]+)"/g)].map((m) => m[1]);
    expect(figures).toHaveLength(2);
    expect(figures[0]).toMatch(/^Silent \(dead\) neurons per layer: nb-capture/);
    expect(figures[1]).toMatch(/^Change in loss: /);
    // the ablation figure draws one bar per condition: the dead set and its random control
    const ablationSvg = html.slice(html.indexOf('Change in loss: '));
    expect(ablationSvg).toMatch(/random control/);
  });

  it('refuses an unknown model and a file name without a known extension, naming them', () => {
    const missing = json(['notebook', '--model', 'nope', '--out', path.join(outDir, 'x.md')]);
    expect(missing.code).toBe(2);
    expect((missing.out as { error: { message: string } }).error.message).toMatch(/no model "nope"/);
    const bad = json(['notebook', '--model', 'tiny', '--out', path.join(outDir, 'x.pdf')]);
    expect(bad.code).toBe(2);
    expect((bad.out as { error: { message: string } }).error.message).toMatch(/x\.pdf.*\.md .*\.html/);
    expect(fs.existsSync(path.join(outDir, 'x.pdf'))).toBe(false);
  });
});
