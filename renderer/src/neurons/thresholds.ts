// The detector thresholds a user set on the Neurons page, as the `detect` option of neurons.list:
// every threshold listed with its current value (its default until changed), so a verdict count
// can always be read next to the numbers that made it.
import { THRESHOLD_FIELDS, type ThresholdField } from '../../../common/detector-defaults';
import type { Params } from '../api/contract';

export type Detect = NonNullable<Params<'neurons.list'>['detect']>;

/** The id of a threshold's input: "heavyTailed.minFiring". */
export const fieldId = (f: ThresholdField) => `${f.detector}.${f.key}`;

/** The value set for a field, or undefined when it is at its default. */
export function valueOf(detect: Detect, f: ThresholdField): number | undefined {
  return (detect[f.detector] as Record<string, number> | undefined)?.[f.key];
}

/**
 * The thresholds with one field set from what the user typed: blank restores the default; text
 * that is not a number (or not an integer where one is needed, or not above 0) is refused with why.
 */
export function withThreshold(detect: Detect, f: ThresholdField, text: string): { detect: Detect } | { error: string } {
  const rest = { ...(detect[f.detector] as Record<string, number> | undefined) };
  delete rest[f.key];
  const trimmed = text.trim();
  if (trimmed === '') {
    const next = { ...detect, [f.detector]: rest } as Record<string, unknown>;
    if (Object.keys(rest).length === 0) delete next[f.detector];
    return { detect: next as Detect };
  }
  const v = Number(trimmed);
  if (!Number.isFinite(v)) return { error: `${f.label} must be a number, got "${trimmed}"` };
  if (f.integer && !Number.isInteger(v)) return { error: `${f.label} must be a whole number, got ${trimmed}` };
  if (!(v > 0) && !(f.key === 'minPeak' && v === 0)) return { error: `${f.label} must be above 0, got ${trimmed}` };
  if ((f.key === 'coverage' || f.key === 'minRecall' || f.key === 'minShare') && v > 1) return { error: `${f.label} is a share: at most 1, got ${trimmed}` };
  return { detect: { ...detect, [f.detector]: { ...rest, [f.key]: v } } as Detect };
}

/** Every threshold with its current value (what the user set, else the default; null: chosen from the data). */
export function currentThresholds(detect: Detect): Array<{ field: ThresholdField; value: number | null; changed: boolean }> {
  return THRESHOLD_FIELDS.map((field) => {
    const set = valueOf(detect, field);
    return { field, value: set ?? field.value, changed: set !== undefined };
  });
}
