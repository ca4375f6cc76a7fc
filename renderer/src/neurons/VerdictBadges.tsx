import type { NeuronRow } from '../api/contract';
import { verdictLabels } from './evidence';

/** The verdicts of a neuron as small badges. */
export function VerdictBadges({ verdicts }: { verdicts: NeuronRow['verdicts'] }) {
  return (
    <span className="verdicts">
      {verdicts.map((v) => (
        <span key={v.kind} className={`verdict verdict-${v.kind}`} data-verdict={v.kind}>
          {verdictLabels[v.kind]}
        </span>
      ))}
    </span>
  );
}
