import { useState } from 'react';
import type { Params } from '../api/contract';
import { parseBound } from './neuronTableQuery';

type Field = NonNullable<Params<'neurons.list'>['sort']>;
export type NeuronRangeFilter = { field: Field; min?: number; max?: number };

export const rangeFields: { value: Field; label: string }[] = [
  { value: 'fire_rate', label: 'Fire rate' },
  { value: 'mean', label: 'Mean' },
  { value: 'std', label: 'Std' },
  { value: 'min', label: 'Min' },
  { value: 'max', label: 'Max' },
  { value: 'peak_abs', label: 'Peak |activation|' },
  { value: 'mean_abs', label: 'Mean |activation|' },
  { value: 'peak_ratio', label: 'Peak ratio' },
  { value: 'kurtosis', label: 'Kurtosis' },
  { value: 'fire_count', label: 'Fire count' },
  { value: 'tokens', label: 'Tokens' },
];

const labelOf = (f: Field) => rangeFields.find((x) => x.value === f)?.label ?? f;

/** "0.01 ≤ Fire rate ≤ 0.5" */
export function describeRange(r: NeuronRangeFilter): string {
  return `${r.min !== undefined ? `${r.min} ≤ ` : ''}${labelOf(r.field)}${r.max !== undefined ? ` ≤ ${r.max}` : ''}`;
}

/** Numeric range filters of the neuron table: pick a column, a minimum and/or a maximum, Add; each shows as a removable chip. */
export function NeuronRangeFilters({ ranges, onChange }: { ranges: readonly NeuronRangeFilter[]; onChange: (next: NeuronRangeFilter[]) => void }) {
  const [field, setField] = useState<Field>('fire_rate');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = () => {
    const lo = parseBound(min);
    const hi = parseBound(max);
    if (lo === null || hi === null) return setError(`${lo === null ? 'Minimum' : 'Maximum'} must be a number (e.g. 0.01, 5%, -3e2), or empty for no bound`);
    if (lo === undefined && hi === undefined) return setError('Give a minimum, a maximum, or both');
    if (lo !== undefined && hi !== undefined && lo > hi) return setError(`Minimum ${lo} is above maximum ${hi}`);
    setError(null);
    setMin('');
    setMax('');
    onChange([...ranges.filter((r) => r.field !== field), { field, ...(lo !== undefined ? { min: lo } : {}), ...(hi !== undefined ? { max: hi } : {}) }]);
  };
  return (
    <div className="range-filters" role="group" aria-label="Range filters" data-testid="range-filters">
      <span className="muted">Where</span>
      <select className="input input-small" aria-label="Range column" data-testid="range-field" value={field} onChange={(e) => setField(e.target.value as Field)}>
        {rangeFields.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
      <input className="input input-small range-bound" aria-label="Minimum" placeholder="min" data-testid="range-min" value={min} onChange={(e) => setMin(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && add()} />
      <input className="input input-small range-bound" aria-label="Maximum" placeholder="max" data-testid="range-max" value={max} onChange={(e) => setMax(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && add()} />
      <button type="button" className="button button-small" data-testid="range-add" onClick={add}>
        Add range
      </button>
      {ranges.map((r) => (
        <span key={r.field} className="chip" data-testid="range-chip" data-field={r.field}>
          {describeRange(r)}
          <button type="button" className="chip-remove" aria-label={`Remove ${describeRange(r)}`} onClick={() => onChange(ranges.filter((x) => x.field !== r.field))}>
            ×
          </button>
        </span>
      ))}
      {error && (
        <span className="error-text" role="alert" data-testid="range-error">
          {error}
        </span>
      )}
    </div>
  );
}
