import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { CorporaLink } from './CorporaLink';

export function NeuronsPage() {
  return (
    <>
      <PageHeader title="Neurons">Fire rates, dead neurons and outliers, layer by layer, and what one neuron does.</PageHeader>
      <EmptyState
        testId="neurons-empty"
        status="Not available yet"
        title="Nothing to inspect yet"
        next={<CorporaLink />}
      >
        <p>
          This page will show each layer&apos;s fire-rate profile; dead and rarely firing neurons, with the number of
          tokens seen behind each verdict; outliers (massive activations, extreme or invalid weights); and for a
          single neuron its max-activating contexts and the tokens its value vector promotes.
        </p>
        <p>It reads the statistics of a capture, and captures need an imported model, which is not available yet.</p>
      </EmptyState>
    </>
  );
}
