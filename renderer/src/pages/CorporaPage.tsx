import type { AppInfo } from '../api/contract';
import { CorporaOverview } from '../corpora/CorporaOverview';
import { CorpusDetail } from '../corpora/CorpusDetail';

/** #/corpora: import and list; #/corpora/<id>: one corpus. */
export function CorporaPage({ info, rest }: { info: AppInfo | undefined; rest: readonly string[] }) {
  const id = rest[0] !== undefined && /^[1-9]\d*$/.test(rest[0]) ? Number(rest[0]) : null;
  if (id !== null) return <CorpusDetail key={id} id={id} />;
  return <CorporaOverview info={info} />;
}
