// The API behind both transports and the CLI: validates each request against the contract
// and runs it against the database and the job runner. One Backend per process that owns the
// database connection.
import path from 'node:path';
import type { Db } from '../db/database.js';
import { openDatabase } from '../db/database.js';
import * as corpora from '../db/corpora.js';
import * as models from '../db/models.js';
import * as datasets from '../db/datasets.js';
import * as neuronSets from '../db/neuron-sets.js';
import * as figures from '../db/figures.js';
import * as datasetRecords from '../db/dataset-records.js';
import { exportDataset } from './export/dataset-export.js';
import { loadWeightScan } from '../db/weights.js';
import { loadModelMetadata, tensorTypeCounts } from '../db/metadata.js';
import { attachTokenizer, modelSummary, requireTokenizer } from './models.js';
import { canonical } from './analysis/neuron-sets.js';
import { ablationResult, ablationSummaries, compareParams, rerunParams, sensitivityParams, sweepParams } from './ablations.js';
import { compareDatasets } from './compare.js';
import { resolveSet } from './ablation-sets.js';
import { deleteAblation } from '../db/ablations.js';
import type { ModelSpec } from '../native-models/spec.js';
import { layerSummary, listNeurons, neuronDetail } from './neurons.js';
import { expertsSummary } from './experts.js';
import { massiveDims } from './massive.js';
import { intrinsicRows, listRuns, neuronValues, projectionData, sampleContext, topNeurons } from './manifold.js';
import { deleteProjectionRun } from '../db/projections.js';
import { AblateParams, methods, isMethod, type ApiEvent, type AppInfo, type Job, type Method, type Params, type Result } from './api.js';
import { ApiError, toApiError } from './errors.js';
import { JobRunner } from './jobs/job-runner.js';
import { PlaygroundClient } from './playground/client.js';
import { mergeCaptures } from './datasets-merge.js';
import { mergeStudy } from './cluster/merge.js';
import { studyStatus } from './cluster/status.js';
import { readPlan } from './cluster/study.js';
import { isStartHereCapture, startHereStatus, startHereStep } from './start-here.js';
import { pairStudyOfJob, pairStudyStatus, pairStudyStep, type PairStudyKey } from './width-depth.js';
import type { SpawnWorker } from './jobs/protocol.js';
import { APP_NAME, APP_VERSION } from './version.js';
import { confinePath, type AllowedRoot } from './allowed-roots.js';
import { pathParams } from './api-paths.js';
import { listFolder } from './file-browser.js';
import { buildNotebook } from './notebook.js';
import { patchView } from './patching/service.js';
import { deletePatchRun, listPatchRuns } from '../db/patching.js';

export interface BackendOptions {
  dataDir: string;
  shell: AppInfo['shell'];
  spawnWorker: SpawnWorker;
  /** native file dialogs, where the shell has them (Electron) */
  pickPath?: (kind: 'file' | 'folder', title?: string) => Promise<string | null>;
  /**
   * Browser mode: every path a request names must lie inside one of these (after symlinks), and
   * files.list browses them. Absent (Electron, CLI): paths are not confined and there is no file browser.
   */
  allowedRoots?: readonly AllowedRoot[];
}

type Handlers = { [M in Method]: (params: Params<M>) => Result<M> | Promise<Result<M>> };

export class Backend {
  readonly db: Db;
  readonly databasePath: string;
  readonly dataDir: string;
  readonly jobs: JobRunner;
  private readonly playground: PlaygroundClient;
  private readonly listeners = new Set<(e: ApiEvent) => void>();
  private readonly handlers: Handlers;
  /** model imports a pair study (width vs depth, dense vs MoE) started, by job id: when one ends, that study goes on */
  private readonly pairImports = new Map<number, PairStudyKey>();

  constructor(private readonly o: BackendOptions) {
    this.dataDir = o.dataDir;
    this.databasePath = path.join(o.dataDir, 'ffn-lab.sqlite');
    this.db = openDatabase(this.databasePath);
    this.jobs = new JobRunner({
      db: this.db,
      databasePath: this.databasePath,
      spawn: o.spawnWorker,
      onJob: (job) => {
        this.emit({ type: 'job', job });
        if (job.state !== 'done') return;
        if (job.kind === 'corpus-import') this.emit({ type: 'corpora-changed' });
        if (job.kind === 'model-import' || job.kind === 'weight-scan') this.emit({ type: 'models-changed' });
        if (job.kind === 'capture') this.emit({ type: 'datasets-changed' });
        if (job.kind === 'ablate') this.emit({ type: 'ablations-changed' });
        // a Start-here capture goes on to its ablation in the same session
        if (isStartHereCapture(job)) void this.handle('start.run', { id: (job.params as { modelId: number }).modelId }).catch(() => undefined);
        // a pair study goes on with its next step (after an import only when the study started it)
        const study = pairStudyOfJob(job) ?? (job.kind === 'model-import' ? this.pairImports.get(job.id) : undefined);
        if (job.kind === 'model-import') this.pairImports.delete(job.id);
        if (study) void this.handle('start.pair', { study }).catch(() => undefined);
        if (job.kind === 'project') this.emit({ type: 'projections-changed' });
      },
    });
    this.jobs.recover();
    this.playground = new PlaygroundClient(o.spawnWorker, this.databasePath);
    this.handlers = this.makeHandlers();
  }

  /** Validates and runs one request; failures are ApiErrors with a message for the user. */
  async handle(method: string, rawParams: unknown): Promise<unknown> {
    try {
      if (!isMethod(method)) throw new ApiError('not-found', `unknown method "${method}"`);
      const params = methods[method].params.parse(rawParams ?? {});
      const roots = this.o.allowedRoots;
      if (roots) for (const p of pathParams(method, params)) confinePath(roots, p.value, p.what);
      return await (this.handlers[method] as (p: unknown) => unknown)(params);
    } catch (err) {
      throw toApiError(err);
    }
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.playground.close();
    this.jobs.shutdown();
    this.db.close();
  }

  private emit(e: ApiEvent): void {
    for (const l of this.listeners) l(e);
  }

  private makeHandlers(): Handlers {
    const { db } = this;
    const corpus = (id: number) => {
      const c = corpora.getCorpus(db, id);
      if (!c || c.status !== 'ready') throw new ApiError('not-found', `corpus ${id} does not exist`);
      return c;
    };
    const model = (id: number) => {
      const m = models.getModel(db, id);
      if (!m) throw new ApiError('not-found', `model ${id} does not exist`);
      return m;
    };
    // a job that reads a corpus is refused at once when the model has no tokenizer, not in its worker
    const modelWithTokenizer = (id: number, what: string) => {
      const m = model(id);
      requireTokenizer(m, what);
      return m;
    };
    const corpusChecked = (id: number) => ({ corpusId: corpus(id).id });
    const readyDataset = (id: number) => {
      const d = datasets.getDataset(db, id);
      if (!d || d.status !== 'ready') throw new ApiError('not-found', `capture ${id} does not exist (it may have been deleted)`);
      return d;
    };
    return {
      'app.info': () => ({
        name: APP_NAME,
        version: APP_VERSION,
        shell: this.o.shell,
        dataDir: this.o.dataDir,
        databasePath: this.databasePath,
        canPickFiles: Boolean(this.o.pickPath),
      }),
      'files.list': ({ dir, hidden }) => {
        if (!this.o.allowedRoots) throw new ApiError('unavailable', 'the file browser is part of browser mode; the desktop app opens the native file dialog');
        return listFolder(this.o.allowedRoots, dir, hidden);
      },
      'app.pickPath': async ({ kind, title }) => {
        if (!this.o.pickPath) throw new ApiError('unavailable', 'file dialogs exist only in the desktop app; type the path instead');
        return { path: await this.o.pickPath(kind, title) };
      },
      'corpus.list': () => corpora.listCorpora(db).map(publicCorpus),
      'corpus.get': ({ id }) => publicCorpus(corpus(id)),
      'corpus.documents': ({ id, offset = 0, limit = 50 }) => {
        corpus(id);
        return corpora.listDocuments(db, id, offset, limit);
      },
      'corpus.import': (params) => ({ job: this.jobs.start('corpus-import', params) }),
      'corpus.delete': ({ id }) => {
        corpus(id);
        const deleted = corpora.deleteCorpus(db, id);
        this.emit({ type: 'corpora-changed' });
        return { deleted };
      },
      'model.list': () => models.listModels(db).map(modelSummary),
      'model.get': ({ id }) => modelSummary(model(id)),
      'model.import': (params) => ({ job: this.jobs.start('model-import', params) }),
      'model.delete': ({ id }) => {
        model(id);
        const deleted = models.deleteModel(db, id);
        this.emit({ type: 'models-changed' });
        return { deleted };
      },
      'model.attachTokenizer': ({ modelId, path: tokenizerPath }) => {
        attachTokenizer(db, model(modelId), tokenizerPath);
        this.emit({ type: 'models-changed' });
        return modelSummary(model(modelId));
      },
      'capture.start': (params) => {
        modelWithTokenizer(params.modelId, 'a capture');
        corpus(params.corpusId);
        return { job: this.jobs.start('capture', params) };
      },
      'dataset.list': () =>
        datasets.listDatasets(db).map((d) => ({ id: d.id, name: d.name, modelId: d.modelId, corpusId: d.corpusId, tokens: d.tokens, params: d.params, createdAt: d.createdAt, warnings: d.warnings })),
      'dataset.merge': ({ ids, name }) => {
        const d = mergeCaptures(db, ids.map((id) => ({ db, datasetId: id, label: String(id) })), name);
        this.emit({ type: 'datasets-changed' });
        return { id: d.id, name: d.name, modelId: d.modelId, corpusId: d.corpusId, tokens: d.tokens, params: d.params, createdAt: d.createdAt, warnings: d.warnings };
      },
      'dataset.rename': ({ id, name }) => {
        readyDataset(id);
        datasetRecords.renameDataset(db, id, name);
        this.emit({ type: 'datasets-changed' });
        const d = readyDataset(id);
        return { id: d.id, name: d.name, modelId: d.modelId, corpusId: d.corpusId, tokens: d.tokens, params: d.params, createdAt: d.createdAt, warnings: d.warnings };
      },
      'dataset.delete': ({ id }) => {
        const d = readyDataset(id);
        // a job still reading the capture would fail half way: say which one to wait for or cancel
        const busy = this.jobs.list().find((j) => (j.state === 'queued' || j.state === 'running') && (j.params as { datasetId?: unknown } | null)?.datasetId === id);
        if (busy) throw new ApiError('conflict', `capture "${d.name}" is in use by job ${busy.id} (${busy.title}); wait for it to end or cancel it, then delete`);
        const deleted = datasetRecords.deleteDataset(db, id);
        this.emit({ type: 'datasets-changed' });
        this.emit({ type: 'projections-changed' });
        return { deleted };
      },
      'dataset.dependents': ({ id }) => datasetRecords.datasetDependents(db, readyDataset(id).id),
      'model.dependents': ({ id }) => datasetRecords.modelDependents(db, model(id).id),
      'dataset.export': ({ id, format, dir }) => {
        readyDataset(id);
        return { files: exportDataset(db, id, format, dir) };
      },
      'study.status': ({ dir }) => studyStatus(path.resolve(dir), readPlan(path.resolve(dir))),
      'study.import': async ({ dir, partial, name }) => {
        const folder = path.resolve(dir);
        const r = await mergeStudy(this, folder, readPlan(folder), { partial, ...(name ? { name } : {}), wait: (_b, job) => this.jobs.waitFor(job.id) });
        this.emit({ type: r.kind === 'dataset' ? 'datasets-changed' : 'ablations-changed' });
        return r;
      },
      'neurons.list': ({ datasetId, ...q }) => listNeurons(db, datasetId, q),
      'layers.get': ({ datasetId, bins }) => layerSummary(db, datasetId, bins),
      'experts.get': ({ datasetId, rareBound, pairs }) => expertsSummary(db, datasetId, { ...(rareBound !== undefined ? { rareBound } : {}), ...(pairs !== undefined ? { pairs } : {}) }),
      'neuron.get': ({ datasetId, layer, neuron, detect }) => neuronDetail(db, datasetId, layer, neuron, detect),
      'neurons.massiveDims': ({ datasetId, ...q }) => massiveDims(db, datasetId, q),
      'model.rescan': ({ id }) => {
        model(id);
        return { job: this.jobs.start('weight-scan', { modelId: id }) };
      },
      'model.scan': ({ id }) => {
        model(id);
        return loadWeightScan(db, id);
      },
      'model.metadata': ({ id }) => ({ format: modelSummary(model(id)).format, entries: loadModelMetadata(db, id), tensorTypes: tensorTypeCounts(db, id) }),
      'sets.list': ({ modelId }) => neuronSets.listNeuronSets(db, modelId),
      'sets.get': ({ id }) => {
        const s = neuronSets.getNeuronSet(db, id);
        if (!s) throw new ApiError('not-found', `neuron set ${id} does not exist`);
        return s;
      },
      'sets.create': ({ modelId, name, neurons, origin }) => {
        const m = model(modelId);
        const spec = m.spec as ModelSpec;
        const bad = neurons.find((n) => n.layer >= spec.nLayers || n.neuron >= spec.dFf);
        if (bad) throw new ApiError('bad-request', `neuron ${bad.layer}:${bad.neuron} is outside model "${m.name}" (${spec.nLayers} layers of ${spec.dFf} neurons)`);
        const created = neuronSets.createNeuronSet(db, { modelId, name, neurons: canonical(neurons), origin: origin ?? { kind: 'manual' } });
        this.emit({ type: 'sets-changed' });
        return created;
      },
      'sets.delete': ({ id }) => {
        const deleted = neuronSets.deleteNeuronSet(db, id);
        if (deleted) this.emit({ type: 'sets-changed' });
        return { deleted };
      },
      'ablation.start': (params) => ({ job: this.jobs.start('ablate', compareParams(db, modelWithTokenizer(params.modelId, 'an ablation'), { ...params, ...corpusChecked(params.corpusId) })) }),
      'ablation.sweep': (params) => ({ job: this.jobs.start('ablate', sweepParams(db, modelWithTokenizer(params.modelId, 'a sweep'), { ...params, ...corpusChecked(params.corpusId) })) }),
      'ablation.evaluate': (params) => {
        modelWithTokenizer(params.modelId, 'an evaluation');
        corpus(params.corpusId);
        return { job: this.jobs.start('ablate', AblateParams.parse({ ...params, kind: 'compare', conditions: [] })) };
      },
      'ablation.rerun': ({ id }) => ({ job: this.jobs.start('ablate', rerunParams(db, id)) }),
      'ablation.sensitivity': (params) => ({ job: this.jobs.start('ablate', sensitivityParams(db, modelWithTokenizer(params.modelId, 'a sensitivity run'), { ...params, ...corpusChecked(params.corpusId) })) }),
      'compare.run': (params) => compareDatasets(db, params),
      'ablation.list': ({ modelId }) => ablationSummaries(db, modelId),
      'ablation.get': ({ id }) => ablationResult(db, id),
      'ablation.delete': ({ id }) => {
        const deleted = deleteAblation(db, id);
        if (deleted) this.emit({ type: 'ablations-changed' });
        return { deleted };
      },
      'start.status': () => startHereStatus(db),
      'start.pairStatus': ({ study }) => pairStudyStatus(db, study),
      'start.pair': async ({ study }) => {
        // one step at a time: nothing new while a step of the study is queued or running
        const busy = this.jobs.list().find((j) => (j.state === 'queued' || j.state === 'running') && (this.pairImports.get(j.id) === study || pairStudyOfJob({ ...j, state: 'done' }) === study));
        if (busy) return { job: busy };
        let step;
        try {
          step = pairStudyStep(db, study);
        } catch (err) {
          throw new ApiError('bad-request', (err as Error).message);
        }
        if (!step) return { job: null };
        const { job } = (await this.handle(step.method, step.params)) as { job: Job };
        if (step.method === 'model.import') this.pairImports.set(job.id, study);
        return { job };
      },
      'start.run': async ({ id }) => {
        let step;
        try {
          step = startHereStep(db, model(id));
        } catch (err) {
          throw err instanceof ApiError ? err : new ApiError('bad-request', (err as Error).message);
        }
        return (await this.handle(step.method, step.params)) as Result<'start.run'>;
      },
      'playground.run': async (params) => {
        model(params.modelId);
        return (await this.playground.request(params)) as Result<'playground.run'>;
      },
      // patching and the lens run in the playground's worker process (onnxruntime blocks)
      'patch.run': async (params) => {
        model(params.modelId);
        const result = (await this.playground.request({ patch: params })) as Result<'patch.run'>;
        this.emit({ type: 'ablations-changed' });
        return result;
      },
      'patch.get': ({ id }) => {
        const run = patchView(db, id);
        if (!run) throw new ApiError('not-found', `patching run ${id} does not exist`);
        return run;
      },
      'patch.list': ({ modelId }) => listPatchRuns(db, modelId),
      'patch.delete': ({ id }) => {
        const deleted = deletePatchRun(db, id);
        if (deleted) this.emit({ type: 'ablations-changed' });
        return { deleted };
      },
      'lens.run': async (params) => {
        model(params.modelId);
        return (await this.playground.request({ lens: params })) as Result<'lens.run'>;
      },
      // a neuron's whole contexts re-run for every token's activation, in the same worker
      'neuron.contextActivations': async (params) => (await this.playground.request({ contextActivations: params })) as Result<'neuron.contextActivations'>,
      'sets.resolve': ({ modelId, set }) => resolveSet(db, model(modelId), set),
      'jobs.list': () => this.jobs.list(),
      'jobs.cancel': ({ id }) => ({ job: this.jobs.cancel(id) }),
      'jobs.resume': ({ id }) => ({ job: this.jobs.resume(id) }),
      'jobs.discard': ({ id }) => ({ job: this.jobs.discard(id) }),
      'figures.record': (params) => {
        const recorded = figures.recordFigure(db, params) as Result<'figures.record'>;
        this.emit({ type: 'figures-changed' });
        return recorded;
      },
      'figures.list': () => figures.listFigures(db) as Result<'figures.list'>,
      'figures.delete': ({ id }) => {
        const deleted = figures.deleteFigure(db, id);
        if (deleted) this.emit({ type: 'figures-changed' });
        return { deleted };
      },
      'projection.start': (params) => {
        const d = datasets.getDataset(db, params.datasetId);
        if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${params.datasetId} does not exist`);
        return { job: this.jobs.start('project', params) };
      },
      'projection.list': ({ datasetId }) => listRuns(db, datasetId),
      'projection.get': ({ id, layers }) => projectionData(db, id, layers),
      'projection.delete': ({ id }) => {
        const deleted = deleteProjectionRun(db, id);
        if (deleted) this.emit({ type: 'projections-changed' });
        return { deleted };
      },
      'projection.context': ({ sampleId }) => sampleContext(db, sampleId),
      'projection.intrinsicDim': ({ datasetId, space = 'residual' }) => intrinsicRows(db, datasetId, space),
      'projection.neuronValues': ({ datasetId, layer, neuron }) => neuronValues(db, datasetId, layer, neuron),
      'projection.topNeurons': ({ datasetId, sampleIds, layer, limit = 20 }) => topNeurons(db, datasetId, sampleIds, layer, limit),
      'notebook.get': ({ modelId }) => buildNotebook(db, modelId),
    };
  }
}

function publicCorpus(c: corpora.CorpusRecord) {
  return {
    id: c.id,
    name: c.name,
    source: c.source,
    documents: c.documents,
    bytes: c.bytes,
    checksum: c.checksum,
    metadataFields: c.metadataFields,
    createdAt: c.createdAt,
  };
}
