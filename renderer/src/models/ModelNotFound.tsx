import { ErrorAlert } from '../components/ErrorAlert';
import { hrefFor } from '../routing/route';

/** The address names a model that does not exist (or not a model id at all). */
export function ModelNotFound({ what }: { what: string }) {
  return (
    <div className="model-detail" data-testid="model-detail">
      <a className="back-link" href={hrefFor('models')} data-testid="model-back">
        ‹ All models
      </a>
      <ErrorAlert message={`There is no model ${what} (any more). It may have been deleted; the list of models is one click back.`} testId="model-not-found" />
    </div>
  );
}
