import { useState } from 'react';
import { useApi } from '../api/ApiContext';
import type { AblateParams, AblationResult, Corpus, Dataset, Model } from '../api/contract';
import { errorMessage } from '../api/errors';
import { formatCount, formatDateTime } from '../format';
import { useJobs } from '../jobs/JobsStore';
import { Fact } from '../models/Fact';
import { formatPerLayer, perLayerCounts } from './neurons';
import { RunJob } from './RunJob';
import { SaveSetForm } from './SaveSetForm';
import { weightLabel } from '../../../common/weight-refs';

function describeData(p: AblateParams, corpus: Corpus | undefined): string {
  const f = p.filter;
  const parts = [corpus ? corpus.name : `corpus #${p.corpusId}`];
  if (f.genre) parts.push(`genre ${f.genre}`);
  if (f.metadata) parts.push(`${f.metadata.field} = ${String(f.metadata.value)}`);
  if (f.offset) parts.push(`skipping ${formatCount(f.offset)} documents`);
  if (f.documents) parts.push(`${formatCount(f.documents)} documents`);
  if (p.maxTokens) parts.push(`at most ${formatCount(p.maxTokens)} tokens`);
  return parts.join(', ');
}

/** What the run was, exactly (so it can be cited and repeated): Re-run starts it again as stored; each condition's neurons can be saved as a set. */
export function Provenance({ result, model, corpus, dataset }: { result: AblationResult; model: Model | undefined; corpus: Corpus | undefined; dataset: Dataset | undefined }) {
  const api = useApi();
  const { upsert } = useJobs();
  const [rerun, setRerun] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const p = result.params as AblateParams;
  const layers = model?.layers ?? Math.max(0, ...result.results.map((c) => c.perLayer.length));

  const again = async () => {
    setError(null);
    try {
      const { job } = await api.call('ablation.rerun', { id: result.id });
      upsert(job);
      setRerun(job.id);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  return (
    <section className="neuron-section" aria-labelledby="provenance-title" data-testid="provenance">
      <div className="section-head">
        <h2 id="provenance-title" className="section-title">
          Provenance
        </h2>
        <button type="button" className="button button-small" data-testid="rerun" onClick={() => void again()}>
          Re-run
        </button>
      </div>
      {error && <p className="error-text" role="alert">{error}</p>}
      {rerun !== null && <RunJob jobId={rerun} testId="rerun-job" />}
      <dl className="facts">
        <Fact term="Model">{model ? model.name : `model #${result.modelId}`}</Fact>
        <Fact term="Method">{result.method}</Fact>
        <Fact term="Seed">{String(p.seed)}</Fact>
        <Fact term="Bootstrap resamples">{formatCount(p.resamples)}</Fact>
        <Fact term="Evaluation data" wide>
          {`${describeData(p, corpus)}: ${formatCount(result.tokens)} tokens in ${formatCount(result.documents)} documents, windows of ${p.seqLen ?? 'up to 256'} tokens`}
        </Fact>
        <Fact term="Capture">{p.datasetId === undefined ? 'none' : dataset ? `${dataset.name} (#${dataset.id})` : `#${p.datasetId}`}</Fact>
        <Fact term="App version">{result.appVersion}</Fact>
        <Fact term="Run">{`#${result.id}, ${formatDateTime(result.createdAt)}`}</Fact>
        <Fact term="Model SHA-256" wide testId="provenance-sha">
          <span className="mono checksum">{result.modelSha256}</span>
        </Fact>
      </dl>
      <div className="table-wrap">
        <table className="table" data-testid="provenance-conditions">
          <thead>
            <tr>
              <th scope="col">Condition</th>
              <th scope="col" className="num">Neurons</th>
              <th scope="col">Per layer</th>
              {p.conditions.some((c) => c.weights?.length) && <th scope="col">Weights set</th>}
              <th scope="col">Save</th>
            </tr>
          </thead>
          <tbody>
            {p.conditions.map((c, i) => (
              <tr key={i}>
                <th scope="row">{c.label}</th>
                <td className="num">{formatCount(c.neurons.length)}</td>
                <td>{formatPerLayer(perLayerCounts(c.neurons, layers))}</td>
                {p.conditions.some((x) => x.weights?.length) && <td className="mono" data-testid="provenance-weights">{(c.weights ?? []).map(weightLabel).join(', ') || '—'}</td>}
                <td>
                  {c.neurons.length > 0 && <SaveSetForm modelId={result.modelId} neurons={c.neurons} defaultName={`${c.label} (run ${result.id})`} origin={{ kind: 'ablation', ablationId: result.id, condition: c.label }} testId={`save-condition-${i}`} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
