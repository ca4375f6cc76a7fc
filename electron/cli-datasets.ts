// The CLI's capture commands: list, rename, delete, and export for notebooks. cli.ts parses the
// flags; this file asks the Backend (the same API the app uses) and prints.
import type { Backend } from './backend.js';
import type { Corpus, Dataset, DatasetDependents, Model } from './api.js';

export interface DatasetsContext {
  io: { out(value: unknown, text: () => string): void };
  values: Record<string, unknown>;
  args: string[];
  backend: () => Backend;
  usage: (message: string) => Error;
  table: (rows: string[][]) => string;
}

function idArg(c: DatasetsContext, verb: string): number {
  const text = c.args[0] ?? (c.values.dataset as string | undefined);
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1) throw c.usage(`datasets ${verb} needs a capture id (see ffn-lab datasets list), got "${text ?? ''}"`);
  return Number(text);
}

export async function datasetsCommand(key: string, c: DatasetsContext): Promise<void> {
  const b = c.backend();
  switch (key) {
    case 'datasets list': {
      const [datasets, models, corpora] = (await Promise.all([b.handle('dataset.list', {}), b.handle('model.list', {}), b.handle('corpus.list', {})])) as [Dataset[], Model[], Corpus[]];
      const modelName = (id: number) => models.find((m) => m.id === id)?.name ?? `model ${id} (deleted)`;
      const corpusName = (id: number) => corpora.find((x) => x.id === id)?.name ?? `corpus ${id} (deleted)`;
      const rows = datasets.map((d) => ({ id: d.id, name: d.name, model: modelName(d.modelId), corpus: corpusName(d.corpusId), tokens: d.tokens, created_at: d.createdAt }));
      return c.io.out({ datasets: rows }, () =>
        rows.length === 0
          ? 'no captures yet: ffn-lab capture --model M --corpus C'
          : c.table([['id', 'name', 'model', 'corpus', 'tokens', 'created'], ...rows.map((r) => [String(r.id), r.name, r.model, r.corpus, String(r.tokens), r.created_at])]),
      );
    }
    case 'datasets rename': {
      const id = idArg(c, 'rename');
      const name = c.values.name;
      if (typeof name !== 'string') throw c.usage('datasets rename needs --name NEW_NAME');
      const d = (await b.handle('dataset.rename', { id, name })) as Dataset;
      return c.io.out({ dataset: { id: d.id, name: d.name } }, () => `capture ${d.id} is now "${d.name}"`);
    }
    case 'datasets delete': {
      const id = idArg(c, 'delete');
      const deps = (await b.handle('dataset.dependents', { id })) as DatasetDependents;
      const { deleted } = (await b.handle('dataset.delete', { id })) as { deleted: boolean };
      return c.io.out({ deleted, removed: { samples: deps.samples, projections: deps.projections }, ablations_kept: deps.ablations }, () =>
        [
          `capture ${id} deleted with its statistics, ${deps.samples} sampled tokens and ${deps.projections} projection runs`,
          ...(deps.ablations.length ? [`ablation runs that used it keep their results: ${deps.ablations.map((a) => `${a.id} "${a.name}"`).join(', ')}`] : []),
        ].join('\n'),
      );
    }
    case 'export': {
      const text = c.values.dataset;
      if (typeof text !== 'string' || !/^\d+$/.test(text)) throw c.usage('export needs --dataset D (a capture id; see ffn-lab datasets list)');
      const format = c.values.format ?? 'safetensors';
      if (format !== 'safetensors' && format !== 'csv') throw c.usage(`--format must be safetensors or csv; got "${String(format)}"`);
      if (typeof c.values.out !== 'string') throw c.usage('export needs --out DIR (the folder to write into)');
      const { files } = (await b.handle('dataset.export', { id: Number(text), format, dir: c.values.out })) as { files: string[] };
      return c.io.out({ files }, () => `wrote ${files.length} files:\n${files.map((f) => `  ${f}`).join('\n')}`);
    }
    default:
      throw c.usage(`unknown command "${key}"`);
  }
}
