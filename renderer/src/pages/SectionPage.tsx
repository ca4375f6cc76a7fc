import type { AppInfo } from '../api/contract';
import type { Route } from '../routing/route';
import { AblationPage } from './AblationPage';
import { ComparePage } from './ComparePage';
import { CorporaPage } from './CorporaPage';
import { DatasetsPage } from './DatasetsPage';
import { FiguresPage } from './FiguresPage';
import { ManifoldPage } from './ManifoldPage';
import { ModelsPage } from './ModelsPage';
import { NeuronsPage } from './NeuronsPage';
import { NotebookPage } from './NotebookPage';
import { StartPage } from './StartPage';

/** The page of the current section. */
export function SectionPage({ route, info }: { route: Route; info: AppInfo | undefined }) {
  switch (route.section) {
    case 'start':
      return <StartPage rest={route.rest} />;
    case 'models':
      return <ModelsPage info={info} rest={route.rest} />;
    case 'corpora':
      return <CorporaPage info={info} rest={route.rest} />;
    case 'datasets':
      return <DatasetsPage />;
    case 'neurons':
      return <NeuronsPage rest={route.rest} />;
    case 'manifold':
      return <ManifoldPage rest={route.rest} />;
    case 'ablation':
      return <AblationPage rest={route.rest} />;
    case 'compare':
      return <ComparePage rest={route.rest} />;
    case 'figures':
      return <FiguresPage />;
    case 'notebook':
      return <NotebookPage rest={route.rest} />;
  }
}
