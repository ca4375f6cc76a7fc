// One of the k largest |residual stream values| of (layer, dim) in a capture, as the capture's
// accumulator (electron/analysis/resid-top.ts) hands it to the database (db/datasets.ts) and back.
export interface ResidTopRow {
  layer: number;
  dim: number;
  /** 0 = the largest */
  rank: number;
  abs: number;
  value: number;
  documentId: number;
  position: number;
  tokenId: number;
}
