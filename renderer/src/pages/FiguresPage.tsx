import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { CorporaLink } from './CorporaLink';

export function FiguresPage() {
  return (
    <>
      <PageHeader title="Figures">Publication figures and tables, regenerated from the stored results.</PageHeader>
      <EmptyState
        testId="figures-empty"
        status="Not available yet"
        title="No figures yet"
        next={<CorporaLink />}
      >
        <p>
          Every chart from the other pages will be exportable here as SVG, PNG and PDF, and every table as CSV,
          each made from the same stored data and settings so it can be reproduced.
        </p>
        <p>Figures appear once there are captures or ablation results to plot; neither is available yet.</p>
      </EmptyState>
    </>
  );
}
