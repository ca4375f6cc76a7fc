import { type DragEvent, type ReactNode, useRef, useState } from 'react';
import { useApi } from '../api/ApiContext';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { useJobs } from '../jobs/JobsStore';
import { formatBytes, formatEta } from '../format';

interface Upload {
  name: string;
  sent: number;
  total: number;
  startedAt: number;
}

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes('Files');
}

/**
 * Drop a checkpoint anywhere on the Models page to import it. The desktop app imports the file or
 * folder (a Hugging Face folder, .safetensors, .gguf, llama2.c .bin) where it is; browser mode uploads it into the data folder first (progress, ETA, Cancel),
 * because the browser cannot tell the backend where the user's file is.
 */
export function CheckpointDrop({ children }: { children: ReactNode }) {
  const api = useApi();
  const { upsert } = useJobs();
  const [over, setOver] = useState(false);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const depth = useRef(0);

  const importFile = async (file: File) => {
    setError(null);
    setStarted(null);
    const controller = new AbortController();
    abort.current = controller;
    try {
      if (api.transport === 'browser') setUpload({ name: file.name, sent: 0, total: file.size, startedAt: Date.now() });
      const path = await api.droppedFilePath(file, (sent, total) => setUpload((u) => (u ? { ...u, sent, total } : u)), controller.signal);
      const { job } = await api.call('model.import', { path });
      upsert(job);
      setStarted(job.title);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      abort.current = null;
      setUpload(null);
    }
  };

  const onDrop = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth.current = 0;
    setOver(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length !== 1) {
      setError(`Drop one checkpoint file at a time (this was ${files.length}).`);
      return;
    }
    if (upload) {
      setError(`${upload.name} is still uploading; wait for it or cancel it first.`);
      return;
    }
    void importFile(files[0] as File);
  };

  const elapsed = upload ? (Date.now() - upload.startedAt) / 1000 : 0;
  const rate = upload && elapsed > 0.5 ? upload.sent / elapsed : 0;
  return (
    <div
      className={over ? 'drop-target drop-over' : 'drop-target'}
      data-testid="model-drop"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        depth.current += 1;
        setOver(true);
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDrop={onDrop}
    >
      {over && (
        <div className="drop-hint" aria-hidden="true">
          {api.transport === 'browser' ? 'Drop a .gguf or llama2.c .bin file to import it' : 'Drop a checkpoint folder or a .gguf, .bin or .safetensors file to import it'}
        </div>
      )}
      {upload && (
        <section className="card" data-testid="model-upload" aria-label={`Uploading ${upload.name}`}>
          <p>
            Uploading <strong>{upload.name}</strong> into the data folder (browser mode cannot read it where it is): {formatBytes(upload.sent)} of {formatBytes(upload.total)}
            {rate > 0 && upload.total > upload.sent && ` · ${formatBytes(rate)}/s · ETA ${formatEta((upload.total - upload.sent) / rate)}`}
          </p>
          <progress className="job-progress" value={upload.sent} max={Math.max(1, upload.total)} aria-label={`Upload of ${upload.name}`} />
          <button type="button" className="button" data-testid="model-upload-cancel" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </section>
      )}
      {error && <ErrorAlert message={error} testId="model-drop-error" />}
      {started && (
        <p className="notice" role="status" data-testid="model-drop-started">
          Started “{started}”. Its progress is in the Jobs drawer (status bar, j); the model appears below when it finishes.
        </p>
      )}
      {children}
    </div>
  );
}
