// One export mechanism for every chart: SVG (the element serialized, self-contained), PNG at a
// scale (the SVG drawn into a canvas through an Image of a blob URL), PDF (vector: that same SVG
// text converted by pdf.ts, no library) and the data behind the chart as CSV. Each download is
// recorded through the backend (figures.record), which the Figures page lists.
import type { FigureFormat, Params } from '../api/contract';
import { PT_PER_PX, svgToPdf } from './pdf';

export type ExportFormat = FigureFormat;

export const formatLabels: Record<ExportFormat, string> = {
  svg: 'SVG',
  'png-2x': 'PNG 2×',
  'png-4x': 'PNG 4×',
  pdf: 'PDF (vector)',
  csv: 'CSV (data)',
};

/** What one export made, as the backend records it. */
export type ExportRecord = Params<'figures.record'>;

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

export async function rasterize(svg: SVGSVGElement, scale: number): Promise<HTMLCanvasElement> {
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

export async function svgToPng(svg: SVGSVGElement, scale: number): Promise<Blob> {
  const canvas = await rasterize(svg, scale);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
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

/** Makes the file of one format of a chart and downloads it; returns what to record. */
export async function exportChart(svg: SVGSVGElement, chart: string, baseName: string, format: ExportFormat, data: ChartData): Promise<ExportRecord> {
  const size = svgSize(svg);
  let blob: Blob;
  let file: string;
  // the image's own size: pixels for PNG, CSS pixels for SVG, points for PDF
  let scale: number | null = 1;
  switch (format) {
    case 'svg':
      blob = new Blob([serializeSvg(svg)], { type: 'image/svg+xml' });
      file = `${baseName}.svg`;
      break;
    case 'png-2x':
    case 'png-4x':
      scale = format === 'png-2x' ? 2 : 4;
      blob = await svgToPng(svg, scale);
      file = `${baseName}@${scale}x.png`;
      break;
    case 'pdf':
      blob = new Blob([svgToPdf(serializeSvg(svg)) as BlobPart], { type: 'application/pdf' });
      file = `${baseName}.pdf`;
      scale = PT_PER_PX;
      break;
    case 'csv':
      blob = new Blob([toCsv(data.header, data.rows)], { type: 'text/csv' });
      file = `${baseName}.csv`;
      scale = null;
      break;
  }
  download(blob, file);
  const record: ExportRecord = { file, chart, format, bytes: blob.size };
  if (scale !== null) Object.assign(record, { width: Math.round(size.width * scale), height: Math.round(size.height * scale) });
  return record;
}
