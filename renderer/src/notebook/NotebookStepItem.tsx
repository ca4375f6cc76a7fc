import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { ApiClient } from '../api/client';
import type { Job } from '../api/contract';
import { errorMessage } from '../api/errors';
import { stepLabels } from '../../../common/notebook/markdown';
import { figureSvg } from '../../../common/notebook/svg';
import type { NotebookRerun, NotebookStep } from '../../../common/notebook/types';
import { formatDateTime } from '../format';
import { useJobs } from '../jobs/JobsStore';
import { stepHref } from './links';

/** Starts the step again through the method the notebook named, with the settings it stored. */
function startAgain(api: ApiClient, rerun: NotebookRerun): Promise<{ job: Job }> {
  switch (rerun.method) {
    case 'ablation.rerun':
      return api.call('ablation.rerun', rerun.params);
    case 'model.rescan':
      return api.call('model.rescan', rerun.params);
    case 'capture.start':
      return api.call('capture.start', rerun.params);
    case 'projection.start':
      return api.call('projection.start', rerun.params);
  }
}

/** One step of the timeline: what, when, its settings, its figure, a link to it and Run again. */
export function NotebookStepItem({ step, index, modelId }: { step: NotebookStep; index: number; modelId: number }) {
  const api = useApi();
  const jobs = useJobs();
  const [state, setState] = useState<{ busy: boolean; error: string | null; started: number | null }>({ busy: false, error: null, started: null });
  const rerun = async () => {
    if (!step.rerun) return;
    setState({ busy: true, error: null, started: null });
    try {
      const { job } = await startAgain(api, step.rerun);
      jobs.upsert(job);
      setState({ busy: false, error: null, started: job.id });
    } catch (e) {
      setState({ busy: false, error: errorMessage(e), started: null });
    }
  };
  return (
    <li className="notebook-step" data-testid="notebook-step" data-kind={step.kind} data-id={step.id}>
      <div className="notebook-step-head">
        <span className="notebook-step-kind">
          {index + 1}. {stepLabels[step.kind]}
        </span>
        <a className="notebook-step-title" href={stepHref(step, modelId)}>
          {step.title}
        </a>
        <span className="muted">{formatDateTime(step.at)}</span>
        <span className="notebook-step-actions">
          {step.rerun && (
            <button type="button" className="button button-small" disabled={state.busy} onClick={() => void rerun()} data-testid="notebook-rerun" title={`Run this ${stepLabels[step.kind].toLowerCase()} again with the same settings`}>
              {state.busy ? 'Starting…' : 'Run again'}
            </button>
          )}
        </span>
      </div>
      <p>{step.summary}</p>
      {state.started !== null && (
        <p className="hint" role="status" data-testid="notebook-rerun-started">
          Started job {state.started}; see Jobs in the status bar.
        </p>
      )}
      {state.error && (
        <p className="next-actions-error" role="alert">
          {state.error}
        </p>
      )}
      {step.settings.length > 0 && (
        <details>
          <summary className="muted">Settings ({step.settings.length})</summary>
          <table className="notebook-settings">
            <tbody>
              {step.settings.map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td className="mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {step.figure && (
        // drawn by the same pure function as the exported report; every text in it is escaped there
        <figure className="notebook-figure" data-testid="notebook-figure" dangerouslySetInnerHTML={{ __html: figureSvg(step.figure) }} />
      )}
    </li>
  );
}
