// The viewer's point cloud alone in a page, for bench/manifold.ts: n seeded random points in a
// blob, coloured, and a function that renders `frames` frames while the camera orbits and returns
// the time per frame (each frame waits for the GPU by reading one pixel back).
import { PointCloud } from '../renderer/src/manifold/scene';
import { colormap } from '../renderer/src/manifold/palette';
import { gaussian, prng } from '../common/prng';

declare global {
  interface Window {
    benchSetup(n: number): number;
    benchFrames(frames: number): Promise<number[]>;
  }
}

let cloud: PointCloud | null = null;

window.benchSetup = (n: number) => {
  const canvas = document.getElementById('view') as HTMLCanvasElement;
  cloud = new PointCloud(canvas, '#14161a');
  cloud.resize(canvas.clientWidth, canvas.clientHeight);
  const g = gaussian(prng(1));
  const positions = Float32Array.from({ length: n * 3 }, g);
  const colors = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) colors.set(colormap('viridis', (positions[i * 3] as number) / 4 + 0.5), i * 3);
  const t0 = performance.now();
  cloud.setPoints(positions, colors);
  return performance.now() - t0;
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
