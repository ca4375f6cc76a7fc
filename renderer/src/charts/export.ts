// One export mechanism for every chart: SVG (the element serialized, self-contained), PNG at a
// scale (the SVG drawn into a canvas through an Image of a blob URL), PDF (that PNG's pixels as a
// JPEG in a one-page PDF written here, no library: a raster PDF, not vector) and the data behind the
// chart as CSV. Each download is recorded in the session's list (in memory) shown on Figures.
import { useSyncExternalStore } from 'react';

export type ExportFormat = 'svg' | 'png-2x' | 'png-4x' | 'pdf' | 'csv';

export const formatLabels: Record<ExportFormat, string> = {
  svg: 'SVG',
  'png-2x': 'PNG 2×',
  'png-4x': 'PNG 4×',
  pdf: 'PDF (raster)',
  csv: 'CSV (data)',
};

export interface ExportRecord {
  file: string;
  chart: string;
  format: ExportFormat;
  bytes: number;
  time: Date;
}

// ---- the session's list --------------------------------------------------------------------

let records: readonly ExportRecord[] = [];
const listeners = new Set<() => void>();

export function recordExport(r: ExportRecord): void {
  records = [r, ...records];
  for (const l of listeners) l();
}

export function exportsMade(): readonly ExportRecord[] {
  return records;
}

export function useExports(): readonly ExportRecord[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => records,
  );
}

// ---- files ---------------------------------------------------------------------------------

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n';

/** The SVG as a standalone file: namespaces, explicit size, its presentation attributes inline. */
export function serializeSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('version', '1.1');
  clone.removeAttribute('class');
  // the font and colours the page actually used, in case a stylesheet overrode an attribute
  const computed = getComputedStyle(svg);
  clone.setAttribute('font-family', svg.getAttribute('font-family') ?? computed.fontFamily);
  return XML_HEADER + new XMLSerializer().serializeToString(clone);
}

/** The CSS size of the chart: its width and height attributes. */
export function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  return { width: Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width, height: Number(svg.getAttribute('height')) || svg.getBoundingClientRect().height };
}

async function rasterize(svg: SVGSVGElement, scale: number): Promise<HTMLCanvasElement> {
  const { width, height } = svgSize(svg);
  const url = URL.createObjectURL(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.width = width;
    image.height = height;
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the browser could not draw the chart as an image'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return canvas;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error(`the canvas gave no ${type}`))), type, quality));
}

export async function svgToPng(svg: SVGSVGElement, scale: number): Promise<Blob> {
  return canvasBlob(await rasterize(svg, scale), 'image/png');
}

/** A one-page PDF (page = the chart's CSS size in points) showing a JPEG of `pxWidth` × `pxHeight`. */
export function jpegPdf(jpeg: Uint8Array, pxWidth: number, pxHeight: number, ptWidth: number, ptHeight: number): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (p: Uint8Array | string) => {
    const bytes = typeof p === 'string' ? enc.encode(p) : p;
    parts.push(bytes);
    length += bytes.length;
  };
  const object = (n: number, body: string, stream?: Uint8Array) => {
    offsets[n] = length;
    push(`${n} 0 obj\n${body}\n`);
    if (stream) {
      push('stream\n');
      push(stream);
      push('\nendstream\n');
    }
    push('endobj\n');
  };
  const content = enc.encode(`q ${ptWidth} 0 0 ${ptHeight} 0 0 cm /Im0 Do Q`);
  push('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n');
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  object(3, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${ptWidth} ${ptHeight}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>`);
  object(4, `<< /Type /XObject /Subtype /Image /Width ${pxWidth} /Height ${pxHeight} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>`, jpeg);
  object(5, `<< /Length ${content.length} >>`, content);
  const xref = length;
  push(`xref\n0 6\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  push(`trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function svgToPdf(svg: SVGSVGElement): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const canvas = await rasterize(svg, 4);
  const jpeg = new Uint8Array(await (await canvasBlob(canvas, 'image/jpeg', 0.95)).arrayBuffer());
  // CSS px -> pt at 96 dpi
  const pt = (px: number) => Number(((px * 72) / 96).toFixed(2));
  return new Blob([jpegPdf(jpeg, canvas.width, canvas.height, pt(width), pt(height)) as BlobPart], { type: 'application/pdf' });
}

export type CsvCell = string | number | null;

/** RFC 4180 CSV: a header row, then the rows; cells with a comma, quote or newline quoted. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const cell = (c: CsvCell) => {
    const s = c === null ? '' : String(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function download(blob: Blob, file: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface ChartData {
  header: readonly string[];
  rows: readonly (readonly CsvCell[])[];
}

/** Makes the file of one format of a chart and downloads it; returns what was recorded. */
export async function exportChart(svg: SVGSVGElement, chart: string, baseName: string, format: ExportFormat, data: ChartData): Promise<ExportRecord> {
  let blob: Blob;
  let file: string;
  switch (format) {
    case 'svg':
      blob = new Blob([serializeSvg(svg)], { type: 'image/svg+xml' });
      file = `${baseName}.svg`;
      break;
    case 'png-2x':
    case 'png-4x': {
      const scale = format === 'png-2x' ? 2 : 4;
      blob = await svgToPng(svg, scale);
      file = `${baseName}@${scale}x.png`;
      break;
    }
    case 'pdf':
      blob = await svgToPdf(svg);
      file = `${baseName}.pdf`;
      break;
    case 'csv':
      blob = new Blob([toCsv(data.header, data.rows)], { type: 'text/csv' });
      file = `${baseName}.csv`;
      break;
  }
  download(blob, file);
  const record: ExportRecord = { file, chart, format, bytes: blob.size, time: new Date() };
  recordExport(record);
  return record;
}
