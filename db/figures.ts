// The figures exported from the UI, listed on the Figures page across reloads and restarts.
import { now, type Db } from './database.js';

export interface FigureRecord {
  id: number;
  file: string;
  chart: string;
  format: string;
  bytes: number;
  /** pixels for PNG, CSS pixels for SVG, points for PDF; null for CSV */
  width: number | null;
  height: number | null;
  /** a small PNG as a data: URL; null for CSV and older records */
  thumbnail: string | null;
  /** the app route of the view it was exported from, e.g. '#/neurons/3'; null for older records */
  source: string | null;
  createdAt: string;
}

const COLUMNS = 'id, file, chart, format, bytes, width, height, thumbnail, source, created_at AS createdAt';

export function recordFigure(
  db: Db,
  f: Omit<FigureRecord, 'id' | 'createdAt' | 'width' | 'height' | 'thumbnail' | 'source'> & { width?: number | null; height?: number | null; thumbnail?: string | null; source?: string | null },
): FigureRecord {
  const info = db
    .prepare('INSERT INTO figures (file, chart, format, bytes, width, height, thumbnail, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(f.file, f.chart, f.format, f.bytes, f.width ?? null, f.height ?? null, f.thumbnail ?? null, f.source ?? null, now());
  return db.prepare(`SELECT ${COLUMNS} FROM figures WHERE id = ?`).get(info.lastInsertRowid) as FigureRecord;
}

/** Newest first. */
export function listFigures(db: Db): FigureRecord[] {
  return db.prepare(`SELECT ${COLUMNS} FROM figures ORDER BY id DESC`).all() as FigureRecord[];
}

export function deleteFigure(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM figures WHERE id = ?').run(id).changes > 0;
}
