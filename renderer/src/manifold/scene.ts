// The point cloud on the GPU: one THREE.Points over one BufferGeometry (start and target
// positions, colour and a selection flag per point) with a small shader that blends between the
// two positions, so a million points draw in one call and move between layers (or to their
// ablated places) by animating a single uniform. Rendering happens on demand (camera change,
// animation), not in a loop. Picking reads screen positions computed on the CPU once per view
// (picking.ts); the PNG export renders the same scene into an offscreen target at 2x or 4x.
// New points stream to the GPU in chunks: the buffers are allocated at full size without data
// (raw WebGL buffers behind GLBufferAttribute: a three.js BufferAttribute's first upload always
// sends its whole array), the first chunk is drawn at once and one more chunk is uploaded and
// drawn per animation frame. Chunks follow the given point order, so the first frame shows the
// first points given (for a projection: sample id order, the earliest captured tokens first).
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

/** Per-point attributes of the shader and their floats per point. */
const ATTRIBUTES = { position: 3, target: 3, pointColor: 3, selected: 1 } as const;
type AttributeName = keyof typeof ATTRIBUTES;
const NAMES = Object.keys(ATTRIBUTES) as AttributeName[];

/** Points uploaded per animation frame while new points stream in (about 5 MB of attributes). */
export const DEFAULT_CHUNK_POINTS = 131_072;

/** Quiet time after a view change before the picking grid is rebuilt. */
const GRID_AFTER_REST_MS = 150;

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
  private readonly geometry = new THREE.BufferGeometry<THREE.NormalOrGLBufferAttributes>();
  private readonly material: THREE.ShaderMaterial;
  private readonly points: THREE.Points<THREE.BufferGeometry<THREE.NormalOrGLBufferAttributes>, THREE.ShaderMaterial>;
  private n = 0;
  /** the attributes' contents on the CPU, what the GPU buffers hold (or will, once streamed) */
  private data: Record<AttributeName, Float32Array> = { position: new Float32Array(0), target: new Float32Array(0), pointColor: new Float32Array(0), selected: new Float32Array(0) };
  private readonly gl: WebGL2RenderingContext;
  private readonly buffers = new Map<AttributeName, WebGLBuffer>();
  /** points [0, loaded) are on the GPU and drawn */
  private loaded = 0;
  private chunkPoints = DEFAULT_CHUNK_POINTS;
  private stream = 0;
  private readonly loadWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private width = 1;
  private height = 1;
  private animation = 0;
  private gridTimer = 0;
  private grid: ScreenGrid | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly canvas: HTMLCanvasElement, background: string) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.renderer.setClearColor(new THREE.Color(background));
    // three.js r163+ renders through WebGL 2 only
    this.gl = this.renderer.getContext() as WebGL2RenderingContext;
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
    canvas.addEventListener('webglcontextrestored', this.onContextRestored);
    this.resetCamera();
  }

  /** Called after every render that changed the view (camera or positions). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Points given to the last setPoints (also those still streaming in). */
  get count(): number {
    return this.n;
  }

  /** Points on the GPU and drawn so far; equals `count` once streaming is done. */
  get loadedCount(): number {
    return this.loaded;
  }

  /**
   * Resolves once every point of the latest setPoints is on the GPU (a setPoints while streaming
   * moves the wait to the new points); rejects if the cloud is disposed first. Streaming runs on
   * animation frames, so it waits while the page is hidden.
   */
  whenLoaded(): Promise<void> {
    if (this.loaded === this.n) return Promise.resolve();
    return new Promise((resolve, reject) => this.loadWaiters.push({ resolve, reject }));
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

  /**
   * New points (count may change): shown at `positions` [n * 3] with `colors` [n * 3]. The first
   * `chunkPoints` are drawn before this returns, the rest stream in over the next animation
   * frames, a chunk per frame (`loadedCount`, `whenLoaded`); a stream still running is dropped.
   */
  setPoints(positions: Float32Array, colors: Float32Array, options: { chunkPoints?: number } = {}): void {
    const n = positions.length / 3;
    if (!Number.isInteger(n) || colors.length !== n * 3) throw new Error(`setPoints: ${positions.length} position and ${colors.length} colour values; both must be 3 per point`);
    const chunk = options.chunkPoints ?? DEFAULT_CHUNK_POINTS;
    if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`setPoints: chunkPoints must be a positive whole number, not ${chunk}`);
    this.n = n;
    this.chunkPoints = chunk;
    this.data = { position: positions.slice(), target: positions.slice(), pointColor: colors, selected: new Float32Array(n) };
    this.material.uniforms.progress!.value = 1;
    this.startStream();
    this.changed();
  }

  /** New, empty GPU buffers for the current points (the old ones deleted) and the first chunk in them; the rest follow. */
  private startStream(): void {
    cancelAnimationFrame(this.stream);
    const gl = this.gl;
    for (const name of NAMES) {
      const old = this.buffers.get(name);
      if (old) gl.deleteBuffer(old);
      const buffer = gl.createBuffer();
      gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
      // size only: the GPU allocates without a transfer; chunks fill it with bufferSubData
      gl.bufferData(gl.ARRAY_BUFFER, this.n * ATTRIBUTES[name] * 4, gl.DYNAMIC_DRAW);
      this.geometry.setAttribute(name, new THREE.GLBufferAttribute(buffer, gl.FLOAT, ATTRIBUTES[name], 4, this.n));
      this.buffers.set(name, buffer);
    }
    this.loaded = 0;
    this.loadNextChunk();
  }

  // three.js rebuilds its own GPU objects after a lost context comes back, not these raw buffers:
  // the old ones died with the context, so the points stream in again into new ones
  private readonly onContextRestored = () => {
    this.buffers.clear();
    this.startStream();
    this.render();
  };

  /** Uploads the next chunk of every attribute, draws up to it, and schedules the one after. */
  private loadNextChunk(): void {
    const end = Math.min(this.n, this.loaded + this.chunkPoints);
    for (const name of NAMES) this.upload(name, this.loaded, end);
    this.loaded = end;
    this.geometry.setDrawRange(0, end);
    if (end < this.n) {
      this.stream = requestAnimationFrame(() => {
        this.loadNextChunk();
        this.render();
      });
    } else {
      for (const w of this.loadWaiters.splice(0)) w.resolve();
    }
  }

  /** Copies points [start, end) of one attribute from the CPU array into its GPU buffer. */
  private upload(name: AttributeName, start: number, end: number): void {
    if (end <= start) return;
    const k = ATTRIBUTES[name];
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, this.buffers.get(name) ?? null);
    this.gl.bufferSubData(this.gl.ARRAY_BUFFER, start * k * 4, this.data[name], start * k, (end - start) * k);
  }

  setColors(colors: Float32Array): void {
    if (colors.length !== this.n * 3) throw new Error(`setColors: ${colors.length / 3} colours for ${this.n} points`);
    this.data.pointColor = colors;
    // points not loaded yet get the new colours when their chunk streams in
    this.upload('pointColor', 0, this.loaded);
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
    this.data.selected = flags;
    this.upload('selected', 0, this.loaded);
    this.material.uniforms.dimOthers!.value = indices && indices.length > 0 ? 1 : 0;
    this.render();
  }

  /** Moves the points to `positions` over `ms` (0: at once), starting from where they are now. */
  moveTo(positions: Float32Array, ms = 700): Promise<void> {
    if (positions.length !== this.n * 3) throw new Error(`moveTo: ${positions.length / 3} positions for ${this.n} points`);
    cancelAnimationFrame(this.animation);
    // the start is what is on screen: the blend where an earlier move was interrupted (also for
    // points still streaming in: their chunks upload these arrays as they are then)
    const t = this.material.uniforms.progress!.value as number;
    const { position: from, target: to } = this.data;
    for (let i = 0; i < from.length; i++) from[i] = (from[i] as number) + ((to[i] as number) - (from[i] as number)) * t;
    to.set(positions);
    this.upload('position', 0, this.loaded);
    this.upload('target', 0, this.loaded);
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
      this.grid = buildGrid(projectToScreen(this.data.target, this.n, m.elements, this.width, this.height), this.width, this.height);
    }
    return this.grid;
  }

  private changed(): void {
    this.grid = null;
    // the picking grid (about 60 ms for 1,000,000 points) is built once the view rests, so the
    // first hover, click or lasso after a camera move finds it ready instead of paying for it
    clearTimeout(this.gridTimer);
    this.gridTimer = window.setTimeout(() => this.screenGrid(), GRID_AFTER_REST_MS);
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
    clearTimeout(this.gridTimer);
    cancelAnimationFrame(this.stream);
    for (const w of this.loadWaiters.splice(0)) w.reject(new Error('the 3D view was closed before its points finished loading'));
    for (const b of this.buffers.values()) this.gl.deleteBuffer(b);
    this.canvas.removeEventListener('webglcontextrestored', this.onContextRestored);
    this.controls.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}
