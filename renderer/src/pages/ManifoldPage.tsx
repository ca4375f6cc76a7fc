import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { CorporaLink } from './CorporaLink';

export function ManifoldPage() {
  return (
    <>
      <PageHeader title="Manifold">Hidden states per layer as a 3D point cloud, and their intrinsic dimension.</PageHeader>
      <EmptyState
        testId="manifold-empty"
        status="Not available yet"
        title="No projections yet"
        next={<CorporaLink />}
      >
        <p>
          Hidden states sampled during a capture, projected per layer to 3D (PCA, UMAP) and coloured by token, part
          of speech, genre, position, loss or the activation of a chosen neuron, with a TwoNN estimate of the
          intrinsic dimension of each layer.
        </p>
        <p>Projections are not implemented yet, and they need a capture from an imported model.</p>
      </EmptyState>
    </>
  );
}
