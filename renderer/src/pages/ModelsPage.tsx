import type { AppInfo } from '../api/contract';
import { ModelDetail } from '../models/ModelDetail';
import { ModelNotFound } from '../models/ModelNotFound';
import { ModelsOverview } from '../models/ModelsOverview';

/** #/models: import and list; #/models/<id>: one model. */
export function ModelsPage({ info, rest }: { info: AppInfo | undefined; rest: readonly string[] }) {
  const id = rest[0] !== undefined && /^[1-9]\d*$/.test(rest[0]) ? Number(rest[0]) : null;
  if (id !== null) return <ModelDetail key={id} id={id} />;
  if (rest[0] !== undefined) return <ModelNotFound what={`“${rest[0]}”`} />;
  return <ModelsOverview canPickFiles={info?.canPickFiles ?? false} />;
}
