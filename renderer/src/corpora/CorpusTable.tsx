import type { Corpus } from '../api/contract';
import { formatBytes, formatCount, formatDateTime } from '../format';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { MetadataFields } from './MetadataFields';

/** The imported corpora; a row (or its name, for the keyboard) opens the corpus. */
export function CorpusTable({ corpora }: { corpora: readonly Corpus[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="corpus-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" className="num">
              Documents
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Metadata</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {corpora.map((corpus) => (
            <tr key={corpus.id} className="row-link" data-testid="corpus-row" data-corpus-id={corpus.id} onClick={() => navigate(hrefFor('corpora', corpus.id))}>
              <td>
                <a href={hrefFor('corpora', corpus.id)} className="row-title" onClick={(event) => event.stopPropagation()}>
                  {corpus.name}
                </a>
                <div className="row-sub mono" title={corpus.source}>
                  {corpus.source}
                </div>
              </td>
              <td className="num">{formatCount(corpus.documents)}</td>
              <td className="num" title={`${formatCount(corpus.bytes)} bytes`}>
                {formatBytes(corpus.bytes)}
              </td>
              <td>
                <MetadataFields fields={corpus.metadataFields} />
              </td>
              <td className="nowrap">{formatDateTime(corpus.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
