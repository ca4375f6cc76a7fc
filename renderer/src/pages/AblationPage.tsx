import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { CorporaLink } from './CorporaLink';

export function AblationPage() {
  return (
    <>
      <PageHeader title="Ablation">Switch neurons off and measure what the model loses.</PageHeader>
      <EmptyState
        testId="ablation-empty"
        status="Not available yet"
        title="No ablation runs yet"
        next={<CorporaLink />}
      >
        <p>
          Ablate sets of neurons (dead, outliers, top by a score, or random controls of the same size and layer mix)
          by zeroing, mean or resampling, and compare with the intact model: change in loss and perplexity, KL
          divergence, top-1 agreement, per-token breakdowns, and curves over the fraction ablated.
        </p>
        <p>Ablation is not implemented yet; it will need an imported model and an evaluation corpus.</p>
      </EmptyState>
    </>
  );
}
