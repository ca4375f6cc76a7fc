// The viewer's point cloud alone in a page, for bench/manifold.ts: n seeded random points in a
// blob, coloured; the time from setPoints to its first frame and to every chunk streamed in; and
// a function that renders `frames` frames while the camera orbits and returns the time per frame
// (each frame waits for the GPU by reading one pixel back).
import * as THREE from 'three';
import { DEFAULT_CHUNK_POINTS, PointCloud } from '../renderer/src/manifold/scene';
import { buildGrid, inPolygon, inPolygonGrid, nearest, projectToScreen } from '../renderer/src/manifold/picking';
import { colormap } from '../renderer/src/manifold/palette';
import { gaussian, prng } from '../common/prng';

declare global {
  interface Window {
    /** returns the viewer's default chunk (points per frame) */
    benchSetup(n: number): number;
    benchLoad(chunkPoints: number): Promise<LoadTimes>;
    benchFrames(frames: number): Promise<number[]>;
    benchPicking(views: number): PickingTimes;
  }
}

/** Milliseconds per view: the screen grid after a view change, one click's pick, one lasso. */
export interface PickingTimes {
  grid: number[];
  pick: number[];
  lasso: number[];
  /** the same lasso testing every point against every edge (the viewer's way before the grid) */
  lassoAllPoints: number[];
  /** points inside each lasso (a check that it selected something) */
  selected: number[];
}

/** Milliseconds from the setPoints call. */
export interface LoadTimes {
  /** to the first frame drawn and read back (1 pixel) */
  firstFrame: number;
  /** to the frame with every point, read back */
  loaded: number;
}

let cloud: PointCloud | null = null;
let points: Float32Array | null = null;
let colours: Float32Array | null = null;

window.benchSetup = (n: number) => {
  const canvas = document.getElementById('view') as HTMLCanvasElement;
  cloud = new PointCloud(canvas, '#14161a');
  cloud.resize(canvas.clientWidth, canvas.clientHeight);
  const g = gaussian(prng(1));
  const positions = Float32Array.from({ length: n * 3 }, g);
  points = positions;
  const colors = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) colors.set(colormap('viridis', (positions[i * 3] as number) / 4 + 0.5), i * 3);
  colours = colors;
  return DEFAULT_CHUNK_POINTS;
};

// setPoints draws the first chunk before it returns; reading a pixel back waits for the GPU.
window.benchLoad = async (chunkPoints: number) => {
  const c = cloud as PointCloud;
  const gl = c.renderer.getContext();
  const pixel = new Uint8Array(4);
  const t0 = performance.now();
  c.setPoints(points as Float32Array, colours as Float32Array, { chunkPoints });
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  const firstFrame = performance.now() - t0;
  await c.whenLoaded();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  return { firstFrame, loaded: performance.now() - t0 };
};

// The viewer's picking path (ManifoldView: PointCloud.screenGrid, nearest, inPolygon) on the same
// points, from `views` camera positions: after each view change the points are projected and
// bucketed once (the first click or lasso pays it), then a click looks only at the cells around the
// cursor and a lasso (64 vertices, about a quarter of the view) tests only the points of the cells
// its outline crosses (inPolygonGrid), timed beside testing every point (inPolygon).
window.benchPicking = (views: number) => {
  const c = cloud as PointCloud;
  const pos = points as Float32Array;
  const n = pos.length / 3;
  const canvas = document.getElementById('view') as HTMLCanvasElement;
  const [w, h] = [canvas.clientWidth, canvas.clientHeight];
  const out: PickingTimes = { grid: [], pick: [], lasso: [], lassoAllPoints: [], selected: [] };
  for (let v = 0; v < views; v++) {
    const a = (v / views) * 2 * Math.PI;
    c.camera.position.set(5 * Math.sin(a), 1, 5 * Math.cos(a));
    c.camera.lookAt(0, 0, 0);
    c.camera.updateMatrixWorld();
    let t0 = performance.now();
    const m = new THREE.Matrix4().multiplyMatrices(c.camera.projectionMatrix, c.camera.matrixWorldInverse);
    const grid = buildGrid(projectToScreen(pos, n, m.elements, w, h), w, h);
    out.grid.push(performance.now() - t0);
    t0 = performance.now();
    nearest(grid, w / 2 + 37 * Math.sin(a), h / 2 + 23 * Math.cos(a));
    out.pick.push(performance.now() - t0);
    const polygon = Array.from({ length: 64 }, (_, k) => {
      const t = (k / 64) * 2 * Math.PI;
      const r = (0.3 + 0.08 * Math.sin(5 * t)) * h;
      return { x: w / 2 + r * Math.cos(t), y: h / 2 + r * Math.sin(t) };
    });
    t0 = performance.now();
    const chosen = inPolygonGrid(grid, polygon);
    out.lasso.push(performance.now() - t0);
    out.selected.push(chosen.length);
    t0 = performance.now();
    const every = inPolygon(grid.screen, polygon);
    out.lassoAllPoints.push(performance.now() - t0);
    if (every.length !== chosen.length) throw new Error(`bench: the grid lasso chose ${chosen.length} points, testing every point ${every.length}`);
  }
  return out;
};

window.benchFrames = async (frames: number) => {
  const c = cloud as PointCloud;
  const gl = c.renderer.getContext();
  const pixel = new Uint8Array(4);
  const times: number[] = [];
  for (let f = 0; f < frames; f++) {
    const t0 = performance.now();
    const a = (f / frames) * 2 * Math.PI;
    c.camera.position.set(5 * Math.sin(a), 1, 5 * Math.cos(a));
    c.camera.lookAt(0, 0, 0);
    c.render();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 0));
  }
  return times;
};
