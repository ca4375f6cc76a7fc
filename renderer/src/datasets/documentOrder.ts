// The document order, split and per-document cut of a capture or an evaluation, as the capture and
// ablation forms read them: shuffled by seed is the default (a budget takes documents from the
// front, and corpus order would read the corpus's first genre alone).

export interface OrderFields {
  /** 'shuffled' | 'stratified' | 'corpus' */
  order: string;
  orderSeed: string;
  /** the metadata field a stratified order deals round-robin over */
  stratifyBy: string;
  /** '' (all documents) | 'train' | 'validation' */
  split: string;
  splitFraction: string;
  splitSeed: string;
  tokensPerDocument: string;
}

export const initialOrderFields: OrderFields = { order: 'shuffled', orderSeed: '0', stratifyBy: 'genre', split: '', splitFraction: '0.1', splitSeed: '0', tokensPerDocument: '' };

export interface OrderFilter {
  order: 'shuffled' | 'stratified' | 'corpus';
  seed?: number;
  stratifyBy?: string;
  split?: { part: 'train' | 'validation'; fraction: number; seed: number };
  tokensPerDocument?: number;
}

/** The fields as filter entries, or the sentence that says which is wrong. */
export function orderFilter(f: OrderFields, metadataFields: readonly string[] | null = null): OrderFilter | string {
  if (f.order !== 'shuffled' && f.order !== 'stratified' && f.order !== 'corpus') return 'Document order must be shuffled, stratified or corpus order.';
  const whole = (text: string, what: string, min: number): number | string => {
    const n = Number(text.trim());
    return text.trim() !== '' && Number.isInteger(n) && n >= min ? n : `${what} must be a whole number of at least ${min}.`;
  };
  const out: OrderFilter = { order: f.order };
  if (f.order !== 'corpus') {
    const seed = whole(f.orderSeed, 'Order seed', 0);
    if (typeof seed === 'string') return seed;
    if (seed !== 0) out.seed = seed;
  }
  if (f.order === 'stratified') {
    const field = f.stratifyBy.trim();
    if (field === '') return 'A stratified order needs a metadata field to deal round-robin over, e.g. genre.';
    if (metadataFields && !metadataFields.includes(field)) return `This corpus has no metadata field "${field}" to stratify by (its fields: ${metadataFields.join(', ') || 'none'}).`;
    out.stratifyBy = field;
  }
  if (f.split === 'train' || f.split === 'validation') {
    const fraction = Number(f.splitFraction.trim());
    if (f.splitFraction.trim() === '' || !(fraction > 0 && fraction < 1)) return 'Validation share must be a number between 0 and 1, e.g. 0.1.';
    const seed = whole(f.splitSeed, 'Split seed', 0);
    if (typeof seed === 'string') return seed;
    out.split = { part: f.split, fraction, seed };
  } else if (f.split !== '') return 'Split must be all documents, train or validation.';
  if (f.tokensPerDocument.trim() !== '') {
    const n = whole(f.tokensPerDocument, 'Tokens per document', 2);
    if (typeof n === 'string') return n;
    out.tokensPerDocument = n;
  }
  return out;
}
