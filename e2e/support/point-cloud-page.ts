// A page with nothing but the manifold viewer's PointCloud on a 200 x 200 canvas, for
// point-cloud.e2e.ts to drive in headless Chromium (bundled by esbuild, loaded from a file:// URL).
import { PointCloud } from '../../renderer/src/manifold/scene';

declare global {
  interface Window {
    PointCloud: typeof PointCloud;
  }
}

window.PointCloud = PointCloud;
