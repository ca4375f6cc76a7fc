// The Figures page's thumbnails: a small PNG (at most THUMB_WIDTH px wide) of what was exported,
// as a data: URL the backend stores beside the figure's record, and the route of the view it
// came from so the page can open it again.
import { rasterize, svgSize } from './export';

export const THUMB_WIDTH = 240;

/** The scale that makes a `width`-px-wide image THUMB_WIDTH wide (never enlarged). */
export function thumbnailScale(width: number): number {
  return width > THUMB_WIDTH ? THUMB_WIDTH / width : 1;
}

/** A canvas drawn down to thumbnail size, as a PNG data: URL. */
export function canvasThumbnail(source: HTMLCanvasElement): string {
  const scale = thumbnailScale(source.width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(source.width * scale));
  canvas.height = Math.max(1, Math.round(source.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}

/** A chart's SVG as a thumbnail; null when the browser cannot draw it (the export itself goes on). */
export async function chartThumbnail(svg: SVGSVGElement): Promise<string | null> {
  try {
    return canvasThumbnail(await rasterize(svg, thumbnailScale(svgSize(svg).width)));
  } catch {
    return null;
  }
}

/** An SVG document given as text (e.g. the manifold's 2-D figure) as a thumbnail; null when it cannot be drawn. */
export async function svgTextThumbnail(text: string): Promise<string | null> {
  const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
  return svg instanceof SVGSVGElement ? chartThumbnail(svg) : null;
}

/** The app route of the view on screen ('#/neurons/3'), when it is one the Figures page may link to. */
export function currentRoute(): string | undefined {
  const hash = window.location.hash;
  return /^#\/[A-Za-z0-9/_.-]*$/.test(hash) ? hash : undefined;
}
