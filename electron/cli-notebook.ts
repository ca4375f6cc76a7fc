// `ffn-lab notebook --model M --out F`: a model's study notebook written as Markdown (.md) or
// as one self-contained HTML file (.html, figures inline as SVG).
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { findModel } from '../db/models.js';
import { buildNotebook } from './notebook.js';
import { notebookHtml } from '../common/notebook/html.js';
import { notebookMarkdown } from '../common/notebook/markdown.js';
import type { Notebook } from '../common/notebook/types.js';

export type NotebookFormat = 'markdown' | 'html';

/** The format a file name asks for: .md/.markdown or .html/.htm; anything else is an error naming the file. */
export function notebookFormatOf(file: string, explicit?: string): NotebookFormat {
  const wanted = explicit ?? path.extname(file).toLowerCase();
  if (['md', 'markdown', '.md', '.markdown'].includes(wanted)) return 'markdown';
  if (['html', '.html', '.htm'].includes(wanted)) return 'html';
  throw new Error(`cannot tell the notebook's format from "${file}": name it .md (Markdown) or .html (one self-contained page)`);
}

export function writeNotebook(db: Db, modelArg: string, out: string, format?: string): { notebook: Notebook; file: string; format: NotebookFormat; bytes: number } {
  const model = findModel(db, modelArg);
  if (!model) throw new Error(`no model "${modelArg}"; see ffn-lab models list (a model id or name)`);
  const kind = notebookFormatOf(out, format);
  const notebook = buildNotebook(db, model.id);
  const text = kind === 'html' ? notebookHtml(notebook) : notebookMarkdown(notebook);
  const file = path.resolve(out);
  // written beside its target and renamed, so an interrupted write leaves no half file
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
  return { notebook, file, format: kind, bytes: Buffer.byteLength(text) };
}
