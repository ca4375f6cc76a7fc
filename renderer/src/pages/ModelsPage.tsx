import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { CorporaLink } from './CorporaLink';

export function ModelsPage() {
  return (
    <>
      <PageHeader title="Models">Transformer checkpoints to study, with their shape and a scan of every weight tensor.</PageHeader>
      <EmptyState
        testId="models-empty"
        status="Not available yet"
        title="No models yet"
        next={<CorporaLink>Import a corpus meanwhile</CorporaLink>}
      >
        <p>
          This page will list imported checkpoints (Hugging Face folders with config.json, *.safetensors and
          tokenizer.json; llama2.c .bin files), their layers and FFN width, and a weight scan: NaN, Inf and
          subnormal counts, heavy-tailed matrices and super-weight candidates.
        </p>
        <p>
          Importing checkpoints is coming with the model layer; this build cannot import a model yet. Meanwhile
          you can import a corpus on the Corpora page, ready to run through a model later.
        </p>
      </EmptyState>
    </>
  );
}
