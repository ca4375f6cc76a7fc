import { AblationOverview } from '../ablation/AblationOverview';
import { AblationResultView } from '../ablation/AblationResultView';
import { CompareRuns } from '../ablation/CompareRuns';
import { Patching } from '../ablation/Patching';
import { Playground } from '../ablation/Playground';

const id = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : null);

/** #/ablation: runs and forms; #/ablation/<id>: a result; #/ablation/compare/<a>/<b>; #/ablation/playground[/<model>/set/<set>] (a saved set's neurons switched off); #/ablation/patching[/<id>]. */
export function AblationPage({ rest }: { rest: readonly string[] }) {
  if (rest[0] === 'playground') return <Playground modelId={rest[1] ? Number(rest[1]) : undefined} setId={rest[2] === 'set' && rest[3] ? Number(rest[3]) : undefined} />;
  if (rest[0] === 'patching') return <Patching {...(id(rest[1]) !== null ? { id: id(rest[1]) as number } : {})} />;
  const a = id(rest[1]);
  const b = id(rest[2]);
  if (rest[0] === 'compare' && a !== null && b !== null) return <CompareRuns a={a} b={b} />;
  const run = id(rest[0]);
  if (run !== null) return <AblationResultView key={run} id={run} />;
  return <AblationOverview />;
}
