import { useApi } from '../api/ApiContext';
import type { ModelMetadata } from '../api/contract';
import { useChanges } from '../api/useChanges';
import { useQuery } from '../api/useQuery';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatCount } from '../format';

const SOURCE: Record<ModelMetadata['format'], string> = { gguf: 'GGUF metadata', safetensors: 'config.json', llama2c: 'llama2.c header' };

/** "Q4_K: 7 tensors, F32: 3, Q8_0: 1" (most tensors first). */
export function tensorTypesText(types: ModelMetadata['tensorTypes']): string {
  return types.map((t, i) => `${t.dtype}: ${formatCount(t.tensors)}${i === 0 ? (t.tensors === 1 ? ' tensor' : ' tensors') : ''}`).join(', ');
}

/** The checkpoint's own metadata (GGUF key/values, config.json, llama2.c header) and its tensor types. */
export function CheckpointMetadata({ modelId }: { modelId: number }) {
  const api = useApi();
  const meta = useQuery(`model.metadata:${modelId}`, () => api.call('model.metadata', { id: modelId }));
  useChanges('models-changed', meta.reload);
  return (
    <section className="checkpoint-metadata" aria-labelledby="checkpoint-metadata-title" data-testid="checkpoint-metadata">
      <div className="section-head">
        <h2 id="checkpoint-metadata-title" className="section-title">
          Checkpoint metadata
        </h2>
      </div>
      {meta.error && <ErrorAlert message={`Could not load the metadata: ${meta.error.message}`} onRetry={meta.reload} testId="checkpoint-metadata-error" />}
      {!meta.data && meta.loading && <Loading label="Loading the metadata…" />}
      {meta.data && (
        <>
          <p className="hint" data-testid="tensor-types">
            {meta.data.tensorTypes.length > 0 ? `Tensor types: ${tensorTypesText(meta.data.tensorTypes)}.` : 'No tensors scanned.'}
          </p>
          {meta.data.entries.length === 0 ? (
            <p className="hint" data-testid="checkpoint-metadata-none">
              No metadata recorded for this model (imported before metadata was kept): rescan it with <span className="mono">ffn-lab scan {modelId} --rescan</span>.
            </p>
          ) : (
            <details open={meta.data.format === 'gguf'}>
              <summary>
                {SOURCE[meta.data.format]}: {formatCount(meta.data.entries.length)} keys
              </summary>
              <div className="table-wrap scan-scroll">
                <table className="table" data-testid="checkpoint-metadata-table">
                  <thead>
                    <tr>
                      <th scope="col">Key</th>
                      <th scope="col">Type</th>
                      <th scope="col">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {meta.data.entries.map((e) => (
                      <tr key={e.key} data-testid="metadata-row" data-key={e.key}>
                        <td className="mono">{e.key}</td>
                        <td className="mono">{e.type}</td>
                        <td className="mono metadata-value">{e.value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
        </>
      )}
    </section>
  );
}
