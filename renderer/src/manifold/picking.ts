// Picking without a raycast over a million objects: the points are projected to screen pixels
// once per view (camera or positions changed), bucketed in a grid of cells, and a pick looks only
// at the cells around the cursor; a box or lasso selection tests the projected points against it.

/**
 * Screen positions (CSS pixels, origin top-left) of n points [n * 3] under a column-major 4x4
 * view-projection matrix; NaN for points behind the camera or outside the clip volume's depth.
 */
export function projectToScreen(positions: Float32Array, n: number, m: ArrayLike<number>, width: number, height: number): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const x = positions[i * 3] as number;
    const y = positions[i * 3 + 1] as number;
    const z = positions[i * 3 + 2] as number;
    const w = (m[3] as number) * x + (m[7] as number) * y + (m[11] as number) * z + (m[15] as number);
    const cz = ((m[2] as number) * x + (m[6] as number) * y + (m[10] as number) * z + (m[14] as number)) / w;
    if (!(w > 0) || cz < -1 || cz > 1) {
      out[i * 2] = NaN;
      out[i * 2 + 1] = NaN;
      continue;
    }
    const cx = ((m[0] as number) * x + (m[4] as number) * y + (m[8] as number) * z + (m[12] as number)) / w;
    const cy = ((m[1] as number) * x + (m[5] as number) * y + (m[9] as number) * z + (m[13] as number)) / w;
    out[i * 2] = ((cx + 1) / 2) * width;
    out[i * 2 + 1] = ((1 - cy) / 2) * height;
  }
  return out;
}

export interface ScreenGrid {
  cell: number;
  cols: number;
  rows: number;
  /** point indices bucketed by cell: cellStart[c]..cellStart[c+1] in `order` */
  cellStart: Int32Array;
  order: Int32Array;
  screen: Float32Array;
  /** the view in CSS pixels: points outside it are in no cell */
  width: number;
  height: number;
}

export function buildGrid(screen: Float32Array, width: number, height: number, cell = 8): ScreenGrid {
  const cols = Math.max(1, Math.ceil(width / cell));
  const rows = Math.max(1, Math.ceil(height / cell));
  const n = screen.length / 2;
  const cellOf = new Int32Array(n);
  const counts = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const x = screen[i * 2] as number;
    const y = screen[i * 2 + 1] as number;
    const c = x >= 0 && x < width && y >= 0 && y < height ? Math.floor(y / cell) * cols + Math.floor(x / cell) : -1;
    cellOf[i] = c;
    if (c >= 0) counts[c + 1] = (counts[c + 1] as number) + 1;
  }
  for (let c = 0; c < cols * rows; c++) counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  const cellStart = counts.slice();
  const fill = counts.slice(0, cols * rows);
  const order = new Int32Array(cellStart[cols * rows] as number);
  for (let i = 0; i < n; i++) {
    const c = cellOf[i] as number;
    if (c < 0) continue;
    order[fill[c] as number] = i;
    fill[c] = (fill[c] as number) + 1;
  }
  return { cell, cols, rows, cellStart, order, screen, width, height };
}

/** The point nearest to (x, y) within `radius` pixels, or -1. */
export function nearest(g: ScreenGrid, x: number, y: number, radius = 8): number {
  let best = -1;
  let bestD = radius * radius;
  const c0 = Math.max(0, Math.floor((x - radius) / g.cell));
  const c1 = Math.min(g.cols - 1, Math.floor((x + radius) / g.cell));
  const r0 = Math.max(0, Math.floor((y - radius) / g.cell));
  const r1 = Math.min(g.rows - 1, Math.floor((y + radius) / g.cell));
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      for (let k = g.cellStart[cell] as number; k < (g.cellStart[cell + 1] as number); k++) {
        const i = g.order[k] as number;
        const dx = (g.screen[i * 2] as number) - x;
        const dy = (g.screen[i * 2 + 1] as number) - y;
        const d = dx * dx + dy * dy;
        if (d <= bestD) {
          bestD = d;
          best = i;
        }
      }
    }
  }
  return best;
}

/** Indices of the points whose screen position lies in the box (corners in any order). */
export function inBox(screen: Float32Array, x0: number, y0: number, x1: number, y1: number): number[] {
  const [ax, bx] = x0 < x1 ? [x0, x1] : [x1, x0];
  const [ay, by] = y0 < y1 ? [y0, y1] : [y1, y0];
  const out: number[] = [];
  for (let i = 0; i < screen.length / 2; i++) {
    const x = screen[i * 2] as number;
    const y = screen[i * 2 + 1] as number;
    if (x >= ax && x <= bx && y >= ay && y <= by) out.push(i);
  }
  return out;
}

/**
 * Points whose screen position lies inside a closed polygon (a lasso), by the even-odd rule: a
 * ray from the point crosses the outline an odd number of times. The polygon's bounding box is
 * tested first, so most points of a small lasso cost two comparisons.
 */
export function inPolygon(screen: Float32Array, polygon: ReadonlyArray<{ x: number; y: number }>): number[] {
  if (polygon.length < 3) return [];
  const xs = polygon.map((p) => p.x);
  const ys = polygon.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const out: number[] = [];
  for (let i = 0; i < screen.length / 2; i++) {
    const x = screen[i * 2] as number;
    const y = screen[i * 2 + 1] as number;
    if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) continue;
    if (insidePolygon(x, y, polygon)) out.push(i);
  }
  return out;
}

/** The even-odd test of one point (inPolygon's, without the bounding box). */
function insidePolygon(x: number, y: number, polygon: ReadonlyArray<{ x: number; y: number }>): boolean {
  let inside = false;
  for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
    const pa = polygon[a] as { x: number; y: number };
    const pb = polygon[b] as { x: number; y: number };
    if (pa.y > y !== pb.y > y && x < ((pb.x - pa.x) * (y - pa.y)) / (pb.y - pa.y) + pa.x) inside = !inside;
  }
  return inside;
}

/**
 * inPolygon's answer through the screen grid, in ascending order: a cell that no edge of the
 * polygon touches lies wholly on one side of it (the even-odd parity is constant off the outline),
 * so its points are taken or skipped by testing the cell's centre once; only the points of cells
 * an edge passes through are tested one by one. A lasso over 1M points then tests a few tens of
 * thousands instead of every point against every edge. A polygon reaching outside the view (where
 * points are in no cell) falls back to inPolygon.
 */
export function inPolygonGrid(g: ScreenGrid, polygon: ReadonlyArray<{ x: number; y: number }>): number[] {
  if (polygon.length < 3) return [];
  if (!polygon.every((p) => p.x >= 0 && p.x < g.width && p.y >= 0 && p.y < g.height)) return inPolygon(g.screen, polygon);
  // cells an edge touches: each edge in pieces of at most half a cell, every cell under a piece's
  // bounding box (grown a little, so a piece on a cell's border marks both sides)
  const touched = new Uint8Array(g.cols * g.rows);
  const eps = 1e-3;
  const col = (x: number) => Math.min(g.cols - 1, Math.max(0, Math.floor(x / g.cell)));
  const row = (y: number) => Math.min(g.rows - 1, Math.max(0, Math.floor(y / g.cell)));
  for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
    const pa = polygon[a] as { x: number; y: number };
    const pb = polygon[b] as { x: number; y: number };
    const pieces = Math.max(1, Math.ceil(Math.hypot(pb.x - pa.x, pb.y - pa.y) / (g.cell / 2)));
    for (let k = 0; k < pieces; k++) {
      const [x0, y0] = [pa.x + ((pb.x - pa.x) * k) / pieces, pa.y + ((pb.y - pa.y) * k) / pieces];
      const [x1, y1] = [pa.x + ((pb.x - pa.x) * (k + 1)) / pieces, pa.y + ((pb.y - pa.y) * (k + 1)) / pieces];
      for (let r = row(Math.min(y0, y1) - eps); r <= row(Math.max(y0, y1) + eps); r++) {
        for (let c = col(Math.min(x0, x1) - eps); c <= col(Math.max(x0, x1) + eps); c++) touched[r * g.cols + c] = 1;
      }
    }
  }
  const taken = new Uint8Array(g.screen.length / 2);
  for (let cell = 0; cell < g.cols * g.rows; cell++) {
    const from = g.cellStart[cell] as number;
    const to = g.cellStart[cell + 1] as number;
    if (from === to) continue;
    if (touched[cell]) {
      for (let k = from; k < to; k++) {
        const i = g.order[k] as number;
        if (insidePolygon(g.screen[i * 2] as number, g.screen[i * 2 + 1] as number, polygon)) taken[i] = 1;
      }
    } else if (insidePolygon(((cell % g.cols) + 0.5) * g.cell, (Math.floor(cell / g.cols) + 0.5) * g.cell, polygon)) {
      for (let k = from; k < to; k++) taken[g.order[k] as number] = 1;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < taken.length; i++) if (taken[i]) out.push(i);
  return out;
}

/**
 * Per-layer display coordinates: [n * 3] (2-D runs get z = 0), centred on the intact points'
 * mean and scaled so their RMS radius is 1; the ablated points use the intact transform, so the
 * distance they move stays true.
 */
export function normalizeLayer(coords: readonly number[], dims: number, ablated: readonly number[] | null): { intact: Float32Array; ablated: Float32Array | null } {
  const n = coords.length / dims;
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) mean[c] = (mean[c] as number) + (coords[i * dims + c] as number) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) ss += ((coords[i * dims + c] as number) - (mean[c] as number)) ** 2;
  const scale = ss > 0 ? 1 / Math.sqrt(ss / n) : 1;
  const place = (src: readonly number[]) => {
    const out = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) out[i * 3 + c] = ((src[i * dims + c] as number) - (mean[c] as number)) * scale;
    return out;
  };
  return { intact: place(coords), ablated: ablated ? place(ablated) : null };
}
