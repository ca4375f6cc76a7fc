import type { Model } from '../api/contract';

/** A model picker (the playground's and the patching form's), by name, valued by id. */
export function ModelSelect({ models, value, onChange, testId }: { models: readonly Model[]; value: number; onChange: (id: string) => void; testId: string }) {
  return (
    <select className="input" data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
      {models.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      ))}
    </select>
  );
}
