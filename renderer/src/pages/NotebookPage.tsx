import { useApi } from '../api/ApiContext';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { download } from '../charts/export';
import { notebookHtml } from '../../../common/notebook/html';
import { notebookMarkdown } from '../../../common/notebook/markdown';
import type { Notebook } from '../../../common/notebook/types';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime } from '../format';
import { NotebookStepItem } from '../notebook/NotebookStepItem';
import { hrefFor } from '../routing/route';
import '../styles/workstation.css';

const index = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) && Number(s) >= 1 ? Number(s) : null);
const fileBase = (nb: Notebook) => `notebook-${nb.model.name.replace(/[^\w.-]+/g, '_')}`;

/** #/notebook: pick a model; #/notebook/<model>: its study timeline, re-runnable, exportable as Markdown and HTML. */
export function NotebookPage({ rest }: { rest: readonly string[] }) {
  const api = useApi();
  const models = useQuery('models', () => api.call('model.list', {}));
  useChanges('models-changed', models.reload);
  const modelId = index(rest[0]);
  const header = <PageHeader title="Notebook">What was run on a model, in order, with its settings: re-read, re-run and export a study.</PageHeader>;
  if (modelId !== null) return <ModelNotebook key={modelId} modelId={modelId} />;
  if (models.error && !models.data) return <>{header}<ErrorAlert message={`Could not load models: ${models.error.message}`} onRetry={models.reload} /></>;
  if (!models.data) return <>{header}<Loading label="Loading models…" /></>;
  if (models.data.length === 0) {
    return (
      <>
        {header}
        <EmptyState testId="notebook-empty" title="No model yet" next={<a className="button button-primary" href={hrefFor('models')}>Models</a>}>
          <p>Each imported model has a notebook: its weight scans, captures, ablations and projections with the settings they ran with.</p>
        </EmptyState>
      </>
    );
  }
  return (
    <>
      {header}
      <p className="hint">Choose a model.</p>
      <ul className="manifold-datasets" data-testid="notebook-models">
        {models.data.map((m) => (
          <li key={m.id}>
            <a href={hrefFor('notebook', m.id)} data-testid="notebook-model" data-model-id={m.id}>
              {m.name}
            </a>{' '}
            <span className="muted">{m.family}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function ModelNotebook({ modelId }: { modelId: number }) {
  const api = useApi();
  const nb = useQuery(`notebook:${modelId}`, () => api.call('notebook.get', { modelId }));
  useChanges('datasets-changed', nb.reload);
  useChanges('ablations-changed', nb.reload);
  useChanges('projections-changed', nb.reload);
  useChanges('models-changed', nb.reload);
  const back = (
    <a className="back-link" href={hrefFor('notebook')}>
      ‹ All models
    </a>
  );
  if (nb.error && !nb.data) return <>{back}<ErrorAlert message={nb.error.message} onRetry={nb.reload} testId="notebook-error" /></>;
  if (!nb.data) return <>{back}<Loading label="Reading what was run…" /></>;
  const data = nb.data;
  const exportAs = (kind: 'md' | 'html') => {
    const text = kind === 'md' ? notebookMarkdown(data) : notebookHtml(data);
    download(new Blob([text], { type: kind === 'md' ? 'text/markdown;charset=utf-8' : 'text/html;charset=utf-8' }), `${fileBase(data)}.${kind}`);
  };
  return (
    <div data-testid="notebook" data-model-id={modelId}>
      {back}
      <PageHeader
        title={`Notebook of ${data.model.name}`}
        actions={
          <>
            <button type="button" className="button" onClick={() => exportAs('md')} data-testid="notebook-export-md">
              Export Markdown
            </button>
            <button type="button" className="button" onClick={() => exportAs('html')} data-testid="notebook-export-html">
              Export HTML
            </button>
          </>
        }
      >
        {`${data.model.architecture} · ${data.steps.length} steps, oldest first · read ${formatDateTime(data.generatedAt)}`}
      </PageHeader>
      <p className="hint">
        The same from the command line: <code>ffn-lab notebook --model {data.model.name} --out study.html</code>
      </p>
      <ol className="notebook-steps">
        {data.steps.map((step, i) => (
          <NotebookStepItem key={`${step.kind}:${step.id}`} step={step} index={i} modelId={modelId} />
        ))}
      </ol>
    </div>
  );
}
