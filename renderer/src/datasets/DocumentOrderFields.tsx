import { Field } from '../components/Field';
import type { OrderFields } from './documentOrder';

/** The document order, split and per-document cut fields of the capture and ablation forms. */
export function DocumentOrderFields({ prefix, fields, onChange, metadataFields }: { prefix: string; fields: OrderFields; onChange: (key: keyof OrderFields, value: string) => void; metadataFields: readonly string[] }) {
  const text = (key: keyof OrderFields, placeholder?: string) => (
    <input id={`${prefix}-${key}`} className="input" data-testid={`${prefix}-${key}`} value={fields[key]} placeholder={placeholder} onChange={(e) => onChange(key, e.target.value)} />
  );
  return (
    <>
      <Field id={`${prefix}-order`} label="Document order" hint="A token budget takes documents from the front of this order: corpus order reads the first genre of Brown alone.">
        <select id={`${prefix}-order`} className="input" data-testid={`${prefix}-order`} value={fields.order} onChange={(e) => onChange('order', e.target.value)}>
          <option value="shuffled">Shuffled (seeded)</option>
          <option value="stratified">Stratified by a metadata field</option>
          <option value="corpus">Corpus order</option>
        </select>
      </Field>
      {fields.order !== 'corpus' && <Field id={`${prefix}-orderSeed`} label="Order seed">{text('orderSeed')}</Field>}
      {fields.order === 'stratified' && (
        <Field id={`${prefix}-stratifyBy`} label="Stratify by" hint={metadataFields.length > 0 ? `Fields: ${metadataFields.join(', ')}` : 'This corpus has no metadata fields.'}>
          {text('stratifyBy')}
        </Field>
      )}
      <Field id={`${prefix}-split`} label="Split" hint="A split by seed: a document is in validation when a hash of the seed and its name falls below the share.">
        <select id={`${prefix}-split`} className="input" data-testid={`${prefix}-split`} value={fields.split} onChange={(e) => onChange('split', e.target.value)}>
          <option value="">All documents</option>
          <option value="train">Train part</option>
          <option value="validation">Validation part</option>
        </select>
      </Field>
      {fields.split !== '' && (
        <>
          <Field id={`${prefix}-splitFraction`} label="Validation share">{text('splitFraction')}</Field>
          <Field id={`${prefix}-splitSeed`} label="Split seed">{text('splitSeed')}</Field>
        </>
      )}
      <Field id={`${prefix}-tokensPerDocument`} label="Tokens per document (optional)" hint="Read only the first N tokens of each document: a small budget then spans many documents.">
        {text('tokensPerDocument', 'Whole documents')}
      </Field>
    </>
  );
}
