import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { CorporaLink } from './CorporaLink';

export function DatasetsPage() {
  return (
    <>
      <PageHeader title="Datasets">Captures: a corpus run through a model, reduced to per-neuron statistics.</PageHeader>
      <EmptyState
        testId="datasets-empty"
        status="Not available yet"
        title="No captures yet"
        next={<CorporaLink>Prepare a corpus</CorporaLink>}
      >
        <p>
          A capture tokenizes a corpus, runs it through a model and stores, for every FFN neuron, how often and how
          strongly it fires (sum, sum of squares, min, max, count above threshold, top-k contexts), the per-token
          loss, and sampled hidden states for the Manifold page. Captures can be split into shards and merged.
        </p>
        <p>Capturing needs an imported model, which this build cannot do yet. Corpora can already be imported.</p>
      </EmptyState>
    </>
  );
}
