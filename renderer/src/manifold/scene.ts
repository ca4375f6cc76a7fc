// The point cloud on the GPU: one THREE.Points over one BufferGeometry (start and target
// positions, colour and a selection flag per point) with a small shader that blends between the
// two positions, so a million points draw in one call and move between layers (or to their
// ablated places) by animating a single uniform. Rendering happens on demand (camera change,
// animation), not in a loop. Picking reads screen positions computed on the CPU once per view
// (picking.ts); the PNG export renders the same scene into an offscreen target at 2x or 4x.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { buildGrid, projectToScreen, type ScreenGrid } from './picking';

const vertexShader = /* glsl */ `
attribute vec3 target;
attribute vec3 pointColor;
attribute float selected;
uniform float progress;
uniform float size;
uniform float pixelScale;
uniform float dimOthers;
uniform vec3 background;
varying vec3 vColor;
void main() {
  vec3 p = mix(position, target, progress);
  gl_Position = projectionMatrix * modelViewMatrix * vec4(p, 1.0);
  bool on = selected > 0.5;
  gl_PointSize = size * pixelScale * (on && dimOthers > 0.5 ? 1.5 : 1.0);
  // unselected points fade towards the background while a selection exists
  vColor = dimOthers > 0.5 && !on ? mix(pointColor, background, 0.8) : pointColor;
}`;

const fragmentShader = /* glsl */ `
varying vec3 vColor;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = vec4(vColor, 1.0);
}`;

/** Whether this browser can give a WebGL 2 context (three.js needs it). */
export function webglAvailable(): boolean {
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

export class PointCloud {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private readonly scene = new THREE.Scene();
  private readonly geometry = new THREE.BufferGeometry();
  private readonly material: THREE.ShaderMaterial;
  private readonly points: THREE.Points;
  private n = 0;
  /** where the points are shown now (the target of the last move) */
  private current = new Float32Array(0);
  private width = 1;
  private height = 1;
  private animation = 0;
  private grid: ScreenGrid | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly canvas: HTMLCanvasElement, background: string) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.renderer.setClearColor(new THREE.Color(background));
    this.camera = new THREE.PerspectiveCamera(45, 1, 0.01, 200);
    this.material = new THREE.ShaderMaterial({
      vertexShader,
      fragmentShader,
      uniforms: {
        progress: { value: 1 },
        size: { value: 3 },
        pixelScale: { value: this.renderer.getPixelRatio() },
        dimOthers: { value: 0 },
        background: { value: new THREE.Color(background) },
      },
    });
    this.points = new THREE.Points(this.geometry, this.material);
    // the bounding sphere would be recomputed on every move; the cloud is normalized to a small box
    this.points.frustumCulled = false;
    this.scene.add(this.points);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.listenToKeyEvents(canvas);
    this.controls.addEventListener('change', () => this.changed());
    this.resetCamera();
  }

  /** Called after every render that changed the view (camera or positions). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get count(): number {
    return this.n;
  }

  resetCamera(): void {
    this.camera.position.set(0, 0, 5);
    this.camera.up.set(0, 1, 0);
    this.controls.target.set(0, 0, 0);
    this.controls.update();
    this.changed();
  }

  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.renderer.setSize(this.width, this.height, false);
    this.camera.aspect = this.width / this.height;
    this.camera.updateProjectionMatrix();
    this.changed();
  }

  /** New points (count may change): shown at `positions` [n * 3] with `colors` [n * 3]. */
  setPoints(positions: Float32Array, colors: Float32Array): void {
    this.n = positions.length / 3;
    this.current = positions.slice();
    this.geometry.setAttribute('position', new THREE.BufferAttribute(positions.slice(), 3));
    this.geometry.setAttribute('target', new THREE.BufferAttribute(positions.slice(), 3));
    this.geometry.setAttribute('pointColor', new THREE.BufferAttribute(colors, 3));
    this.geometry.setAttribute('selected', new THREE.BufferAttribute(new Float32Array(this.n), 1));
    this.material.uniforms.progress!.value = 1;
    this.changed();
  }

  setColors(colors: Float32Array): void {
    this.geometry.setAttribute('pointColor', new THREE.BufferAttribute(colors, 3));
    this.render();
  }

  setPointSize(px: number): void {
    this.material.uniforms.size!.value = px;
    this.render();
  }

  /** Highlights these points (others fade); null clears. */
  setSelection(indices: readonly number[] | null): void {
    const flags = new Float32Array(this.n);
    for (const i of indices ?? []) flags[i] = 1;
    this.geometry.setAttribute('selected', new THREE.BufferAttribute(flags, 1));
    this.material.uniforms.dimOthers!.value = indices && indices.length > 0 ? 1 : 0;
    this.render();
  }

  /** Moves the points to `positions` over `ms` (0: at once), starting from where they are now. */
  moveTo(positions: Float32Array, ms = 700): Promise<void> {
    if (positions.length !== this.n * 3) throw new Error(`moveTo: ${positions.length / 3} positions for ${this.n} points`);
    cancelAnimationFrame(this.animation);
    const pos = this.geometry.getAttribute('position') as THREE.BufferAttribute;
    const tgt = this.geometry.getAttribute('target') as THREE.BufferAttribute;
    // the start is what is on screen: the blend where an earlier move was interrupted
    const t = this.material.uniforms.progress!.value as number;
    const from = pos.array as Float32Array;
    const to = tgt.array as Float32Array;
    for (let i = 0; i < from.length; i++) from[i] = (from[i] as number) + ((to[i] as number) - (from[i] as number)) * t;
    to.set(positions);
    pos.needsUpdate = true;
    tgt.needsUpdate = true;
    this.current = positions.slice();
    const start = performance.now();
    return new Promise((resolve) => {
      const tick = () => {
        const f = ms <= 0 ? 1 : Math.min(1, (performance.now() - start) / ms);
        this.material.uniforms.progress!.value = f < 1 ? 0.5 - Math.cos(Math.PI * f) / 2 : 1; // ease in-out
        if (f < 1) {
          this.render();
          this.animation = requestAnimationFrame(tick);
        } else {
          this.changed();
          resolve();
        }
      };
      tick();
    });
  }

  render(): void {
    this.renderer.render(this.scene, this.camera);
  }

  /** Grid of the points' screen positions for picking, rebuilt after the view changed. */
  screenGrid(): ScreenGrid {
    if (!this.grid) {
      this.camera.updateMatrixWorld();
      const m = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse);
      this.grid = buildGrid(projectToScreen(this.current, this.n, m.elements, this.width, this.height), this.width, this.height);
    }
    return this.grid;
  }

  private changed(): void {
    this.grid = null;
    this.render();
    for (const l of this.listeners) l();
  }

  /**
   * The view at `scale` times its CSS size, rendered offscreen (points scaled alike), as a canvas
   * with its pixels (top row first) for the caller to draw a legend on and encode.
   */
  snapshot(scale: number): HTMLCanvasElement {
    const w = Math.round(this.width * scale);
    const h = Math.round(this.height * scale);
    const max = this.renderer.capabilities.maxTextureSize;
    if (w > max || h > max) throw new Error(`the view at ${scale}× would be ${w} × ${h} pixels, more than this GPU allows (${max}); make the window smaller`);
    const target = new THREE.WebGLRenderTarget(w, h);
    const pixelScale = this.material.uniforms.pixelScale!.value as number;
    try {
      this.material.uniforms.pixelScale!.value = scale;
      this.renderer.setRenderTarget(target);
      this.renderer.render(this.scene, this.camera);
      const pixels = new Uint8Array(w * h * 4);
      this.renderer.readRenderTargetPixels(target, 0, 0, w, h, pixels);
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2D canvas');
      const image = ctx.createImageData(w, h);
      // WebGL rows start at the bottom
      for (let y = 0; y < h; y++) image.data.set(pixels.subarray((h - 1 - y) * w * 4, (h - y) * w * 4), y * w * 4);
      ctx.putImageData(image, 0, 0);
      return canvas;
    } finally {
      this.renderer.setRenderTarget(null);
      this.material.uniforms.pixelScale!.value = pixelScale;
      target.dispose();
      this.render();
    }
  }

  dispose(): void {
    cancelAnimationFrame(this.animation);
    this.controls.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}
