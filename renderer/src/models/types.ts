/** An imported model, as model.get and model.list return it. */
export type { Model } from '../api/contract';
