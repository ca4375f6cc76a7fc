import { DetailNotFound } from '../components/RecordDetail';

/** What the page of a missing model says; `what` names it: "#12", or what the address held. */
export function noModelMessage(what: string): string {
  return `There is no model ${what} (any more). It may have been deleted; the list of models is one click back.`;
}

/** The address names a model that does not exist (or not a model id at all). */
export function ModelNotFound({ what }: { what: string }) {
  return <DetailNotFound kind="model" section="models" message={noModelMessage(what)} />;
}
