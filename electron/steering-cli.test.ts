// `ffn-lab generate --steer` and the playground's steer mode on the tiny fixture model with a real
// capture: strength 0 is the intact model (same tokens, KL 0 at every step); a real strength prints
// intact and steered continuations with the per-step KL, and the playground (another process, the
// serving worker's warm generator) gives the same steered tokens and KL for the same request.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundResult } from './api.js';
import type { Backend } from './backend.js';
import { tempDir, testBackend, tinyCliCapture } from './jobs/test-support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'electron', 'cli.js');
const dataDir = tempDir();
const setFile = path.join(tempDir(), 'steer-set.json');
const promptIds = [5, 17, 42, 8, 63, 21];

function run(args: string[], json = true): { code: number | null; out: Record<string, unknown>; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args, ...(json ? ['--json'] : [])], { env: { ...process.env, FFN_LAB_DATA: dataDir }, encoding: 'utf8' });
  return { code: r.status, out: json && r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stdout: r.stdout, stderr: r.stderr };
}

interface SteerOut {
  ids: number[];
  steered: { ids: number[]; by: string; strength: number; neurons: number; capture?: number };
  stepKl: number[];
  meanKl: number;
}

const steerArgs = (strength: string) => ['generate', '--model', 'tiny', '--prompt-ids', promptIds.join(','), '--max-new', '6', '--steer', setFile, '--capture', '1', `--strength=${strength}`];

let b: Backend;
beforeAll(() => {
  tinyCliCapture(dataDir, 'steer-capture', 0);
  fs.writeFileSync(setFile, JSON.stringify(Array.from({ length: 16 }, (_, i) => ({ layer: i % 2, neuron: i * 7 }))));
}, 300_000);
afterAll(() => b?.close());

describe('generate --steer', () => {
  it('strength 0 is the intact model: the same tokens and KL 0 at every step', { timeout: 120_000 }, () => {
    const r = run(steerArgs('0'));
    expect(r.code, r.stderr).toBe(0);
    const o = r.out as unknown as SteerOut;
    expect(o.ids).toHaveLength(6);
    expect(o.steered.ids).toEqual(o.ids);
    expect(o.stepKl).toHaveLength(6);
    for (const k of o.stepKl) expect(k).toBeLessThan(1e-9);
  });

  it('a real strength changes the distribution; the playground gives the same steered tokens and KL', { timeout: 180_000 }, async () => {
    const r = run(steerArgs('-8'));
    expect(r.code, r.stderr).toBe(0);
    const o = r.out as unknown as SteerOut;
    expect(o.steered).toMatchObject({ strength: -8, neurons: 16, capture: 1 });
    expect(o.stepKl).toHaveLength(o.steered.ids.length);
    expect(o.stepKl[0]).toBeGreaterThan(1e-4);
    expect(o.meanKl).toBeCloseTo(o.stepKl.reduce((a, k) => a + k, 0) / o.stepKl.length, 9);
    const text = run(steerArgs('-8'), false);
    expect(text.stdout).toMatch(/^intact: .*\nsteered \(steer-set, 16 neurons, strength -8 x means of capture 1\): .*\nKL\(intact \|\| steered\) per step: (\d+\.\d{4} ){5}\d+\.\d{4}\nmean KL: \d+\.\d{4} nats/);

    b = testBackend(dataDir);
    const neurons = JSON.parse(fs.readFileSync(setFile, 'utf8')) as Array<{ layer: number; neuron: number }>;
    const p = (await b.handle('playground.run', { modelId: 1, prompt: `[${promptIds.join(', ')}]`, neurons, maxNew: 6, steer: { datasetId: 1, strength: -8 } })) as PlaygroundResult;
    expect(p.intact.continuation.ids).toEqual(o.ids);
    expect(p.ablated.continuation.ids).toEqual(o.steered.ids);
    expect(p.steer?.strength).toBe(-8);
    p.steer!.stepKl.forEach((k, i) => expect(k).toBeCloseTo(o.stepKl[i] as number, 4));
    expect(p.nextKl).toBeCloseTo(o.stepKl[0] as number, 4);
  });

  it('--steer-by value needs no capture; the playground gives the same tokens and KL', { timeout: 180_000 }, async () => {
    const args = ['generate', '--model', 'tiny', '--prompt-ids', promptIds.join(','), '--max-new', '6', '--steer', setFile, '--steer-by', 'value', '--strength', '6'];
    const r = run(args);
    expect(r.code, r.stderr).toBe(0);
    const o = r.out as unknown as SteerOut;
    expect(o.steered).toMatchObject({ by: 'value', strength: 6, neurons: 16 });
    expect(o.steered).not.toHaveProperty('capture');
    expect(o.stepKl[0]).toBeGreaterThan(1e-4);
    b ??= testBackend(dataDir);
    const neurons = JSON.parse(fs.readFileSync(setFile, 'utf8')) as Array<{ layer: number; neuron: number }>;
    const p = (await b.handle('playground.run', { modelId: 1, prompt: `[${promptIds.join(', ')}]`, neurons, maxNew: 6, steer: { by: 'value', strength: 6 } })) as PlaygroundResult;
    expect(p.ablated.continuation.ids).toEqual(o.steered.ids);
    expect(p.steer).toMatchObject({ by: 'value', strength: 6 });
    p.steer!.stepKl.forEach((k, i) => expect(k).toBeCloseTo(o.stepKl[i] as number, 4));
    await expect(b.handle('playground.run', { modelId: 1, prompt: '[1, 2]', neurons, maxNew: 2, steer: { strength: 6 } })).rejects.toThrow(/steering by means needs datasetId/);
    expect(run(['generate', '--model', 'tiny', '--prompt-ids', '1,2', '--steer', setFile, '--steer-by', 'values', '--strength', '2']).stderr).toMatch(/--steer-by takes mean .* or value/);
  });

  it('says what is missing: the strength, the capture', { timeout: 60_000 }, () => {
    const noStrength = run(['generate', '--model', 'tiny', '--prompt-ids', '1,2', '--steer', setFile, '--capture', '1']);
    expect(noStrength.code).not.toBe(0);
    expect(noStrength.stderr).toMatch(/--steer needs --strength X/);
    const noCapture = run(['generate', '--model', 'tiny', '--prompt-ids', '1,2', '--steer', setFile, '--strength', '2']);
    expect(noCapture.stderr).toMatch(/--steer needs --capture D/);
  });
});
