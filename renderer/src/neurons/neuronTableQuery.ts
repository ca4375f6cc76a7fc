// The neuron table's query helpers, pure: paging arithmetic, "layer:neuron" parsing for the jump
// box, range filters typed by the user, and the CSV of the rows a query matched.
import type { NeuronRow } from '../api/contract';
import { toCsv } from '../charts/export';

/** Rows per page of the neuron table (the windowed table renders only those in view). */
export const PAGE_SIZE = 2000;

export interface PageInfo {
  /** 1-based, for "Rows 2,001–4,000 of 12,288" */
  first: number;
  last: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

export function pageInfo(offset: number, shown: number, total: number): PageInfo {
  return { first: shown === 0 ? 0 : offset + 1, last: offset + shown, hasPrevious: offset > 0, hasNext: offset + shown < total };
}

/** "3:127", "3 127" or "L3 N127" -> the neuron; an error message naming the expected form otherwise. */
export function parseNeuronRef(text: string, layers: number | null, neurons: number | null): { layer: number; neuron: number } | { error: string } {
  const m = /^\s*L?(\d+)\s*[:\s,/]\s*N?(\d+)\s*$/i.exec(text);
  if (!m) return { error: `“${text.trim()}” is not layer:neuron; type e.g. 3:127` };
  const layer = Number(m[1]);
  const neuron = Number(m[2]);
  if (layers !== null && layer >= layers) return { error: `Layer ${layer} does not exist; the model has layers 0 to ${layers - 1}` };
  if (neurons !== null && neuron >= neurons) return { error: `Neuron ${neuron} does not exist; each layer has neurons 0 to ${neurons - 1}` };
  return { layer, neuron };
}

/** A bound as typed: '' is no bound; a number; or null when it is not a number. */
export function parseBound(text: string): number | undefined | null {
  const t = text.trim();
  if (t === '') return undefined;
  const v = Number(t.replace(/%$/, '')) / (t.endsWith('%') ? 100 : 1);
  return Number.isFinite(v) ? v : null;
}

export const CSV_COLUMNS = ['layer', 'neuron', 'expert', 'unit', 'tokens', 'mean', 'std', 'min', 'max', 'peak_abs', 'mean_abs', 'fire_count', 'fire_rate', 'kurtosis', 'peak_ratio', 'verdicts'] as const;

/** The rows as CSV at full precision, verdicts joined with ';' (experts columns empty for dense models). */
export function neuronsCsv(rows: readonly NeuronRow[]): string {
  return toCsv(
    CSV_COLUMNS,
    rows.map((r) => [r.layer, r.neuron, r.expert ?? null, r.unit ?? null, r.tokens, r.mean, r.std, r.min, r.max, r.peak_abs, r.mean_abs, r.fire_count, r.fire_rate, r.kurtosis, r.peak_ratio, r.verdicts.map((v) => v.kind).join(';')]),
  );
}
