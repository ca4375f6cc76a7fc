// The manifold viewer's point cloud (renderer/src/manifold/scene.ts) alone in headless Chromium
// (SwiftShader under --disable-gpu): new points stream to the GPU a chunk per animation frame
// until every point is drawn, a second setPoints while streaming replaces the first stream, and
// a move, colours and a selection given while streaming reach the points not loaded yet. Each
// case hides every point but the last one (behind the camera) and puts the last one, in the last
// chunk, at the origin: the centre pixel shows whether it is drawn and in which colour.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/app.js';
import { closeAll, launchBrowser } from './support/browser.js';
import type { PointCloud } from '../renderer/src/manifold/scene';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  const dir = tempDir('ffn-e2e-point-cloud-');
  await build({ entryPoints: [path.join(import.meta.dirname, 'support', 'point-cloud-page.ts')], outfile: path.join(dir, 'page.js'), bundle: true, platform: 'browser', format: 'iife', logLevel: 'warning' });
  // a classic script: Chromium refuses module scripts from file:// URLs
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><body style="margin:0"><canvas id="view" style="width:200px;height:200px;display:block"></canvas><script src="page.js"></script></body></html>');
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 400, height: 400 } });
  await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
  await page.waitForFunction(() => typeof window.PointCloud === 'function');
  // the helpers every case uses, defined once in the page
  await page.evaluate(() => {
    const canvas = document.getElementById('view') as HTMLCanvasElement;
    const cloud = new window.PointCloud(canvas, '#000000');
    cloud.resize(200, 200);
    cloud.setPointSize(8);
    const w = window as unknown as TestWindow;
    w.cloud = cloud;
    w.cloudOf = (n, last) => {
      const positions = new Float32Array(n * 3);
      // behind the camera (at z = 5): clipped, never drawn
      for (let i = 0; i < n - 1; i++) positions[i * 3 + 2] = 50;
      const colors = new Float32Array(n * 3).fill(0.5);
      colors.set(last, (n - 1) * 3);
      return { positions, colors };
    };
    w.state = () => {
      cloud.render();
      const gl = cloud.renderer.getContext();
      const pixel = new Uint8Array(4);
      gl.readPixels(100, 100, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      return { loaded: cloud.loadedCount, drawn: cloud.renderer.info.render.points, centre: Array.from(pixel.subarray(0, 3)) };
    };
  });
});

afterAll(() => closeAll(browser));

interface CloudState {
  /** loadedCount */
  loaded: number;
  /** points drawn by the last render (three.js' renderer.info) */
  drawn: number;
  /** RGB of the canvas' centre pixel, where the last point sits */
  centre: number[];
}

interface TestWindow extends Window {
  cloud: PointCloud;
  cloudOf(n: number, last: number[]): { positions: Float32Array; colors: Float32Array };
  state(): CloudState;
}

const RED = [255, 0, 0];
const BLUE = [0, 0, 255];
const BLACK = [0, 0, 0];

describe('the point cloud streamed to the GPU in chunks', () => {
  it('draws the first chunk at once and every point once streaming is done', async () => {
    const [first, done] = await page.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const { positions, colors } = w.cloudOf(50_000, [1, 0, 0]);
      w.cloud.setPoints(positions, colors, { chunkPoints: 8192 });
      const first = w.state();
      await w.cloud.whenLoaded();
      return [first, w.state()];
    });
    expect(first).toEqual({ loaded: 8192, drawn: 8192, centre: BLACK });
    expect(done).toEqual({ loaded: 50_000, drawn: 50_000, centre: RED });
  });

  it('drops the running stream when new points are set, and streams the new ones', async () => {
    const [replaced, later] = await page.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const a = w.cloudOf(50_000, [1, 0, 0]);
      const b = w.cloudOf(30_000, [0, 0, 1]);
      w.cloud.setPoints(a.positions, a.colors, { chunkPoints: 4096 });
      const waitA = w.cloud.whenLoaded();
      await new Promise(requestAnimationFrame);
      w.cloud.setPoints(b.positions, b.colors, { chunkPoints: 4096 });
      // the wait for the replaced points ends with the new ones
      await waitA;
      const replaced = w.state();
      // a few more frames: nothing of the old stream comes back
      for (let f = 0; f < 5; f++) await new Promise(requestAnimationFrame);
      return [replaced, w.state()];
    });
    expect(replaced).toEqual({ loaded: 30_000, drawn: 30_000, centre: BLUE });
    expect(later).toEqual(replaced);
  });

  it('applies a move, new colours and a selection given while streaming to the points not loaded yet', async () => {
    const [streamed, otherSelected] = await page.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const n = 50_000;
      // every point hidden at first; the move brings the last one to the origin
      const start = w.cloudOf(n, [1, 0, 0]);
      start.positions[(n - 1) * 3 + 2] = 50;
      const end = w.cloudOf(n, [1, 0, 0]);
      w.cloud.setPoints(start.positions, start.colors, { chunkPoints: 8192 });
      await w.cloud.moveTo(end.positions, 0);
      w.cloud.setColors(w.cloudOf(n, [0, 0, 1]).colors);
      // selected points keep their colour, the others fade towards the background
      w.cloud.setSelection([n - 1]);
      const streaming = w.cloud.loadedCount < n;
      await w.cloud.whenLoaded();
      const streamed = { ...w.state(), streaming };
      w.cloud.setSelection([0]);
      const otherSelected = w.state();
      w.cloud.setSelection(null);
      return [streamed, otherSelected];
    });
    expect(streamed).toEqual({ loaded: 50_000, drawn: 50_000, centre: BLUE, streaming: true });
    // the last point faded: its selection flag above came from the stream, not a default
    expect(otherSelected.centre).toEqual([0, 0, 51]);
  });

  it('streams the points again into new buffers after a lost WebGL context comes back', async () => {
    const restored = await page.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const { positions, colors } = w.cloudOf(50_000, [1, 0, 0]);
      w.cloud.setPoints(positions, colors, { chunkPoints: 8192 });
      await w.cloud.whenLoaded();
      const canvas = w.cloud.canvas;
      const lose = w.cloud.renderer.getContext().getExtension('WEBGL_lose_context');
      if (!lose) throw new Error('this Chromium has no WEBGL_lose_context');
      const event = (name: string) => new Promise((resolve) => canvas.addEventListener(name, resolve, { once: true }));
      const lost = event('webglcontextlost');
      lose.loseContext();
      await lost;
      // a task later: Chromium allows the restore only once the lost event's dispatch has ended
      await new Promise((resolve) => setTimeout(resolve, 0));
      const back = event('webglcontextrestored');
      lose.restoreContext();
      await back;
      await w.cloud.whenLoaded();
      return w.state();
    });
    expect(restored).toEqual({ loaded: 50_000, drawn: 50_000, centre: RED });
  });
});
