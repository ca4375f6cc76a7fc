import type { Model } from './types';
import { DataTable, RowTitle, type Column } from '../components/DataTable';
import { formatCount, formatParams } from '../format';
import { hrefFor } from '../routing/route';
import { ActivationLabel } from './ActivationLabel';
import { familyLabel, formatLabel, totalNeurons } from './labels';

const href = (model: Model) => hrefFor('models', model.id);

const columns: readonly Column<Model>[] = [
  { header: 'Name', cell: (model) => <RowTitle href={href(model)} title={model.name} sub={model.path} /> },
  {
    header: 'Architecture',
    cell: (model) => (
      <>
        <div className="mono">{model.architecture}</div>
        <div className="row-sub">{familyLabel(model.family)} family</div>
      </>
    ),
  },
  { header: 'Layers', headerClass: 'num', cellClass: 'num', cell: (model) => formatCount(model.layers) },
  { header: 'd_model', headerClass: 'num', cellClass: 'num', cell: (model) => formatCount(model.dModel) },
  { header: 'd_ff', headerClass: 'num', headerTitle: 'FFN hidden width: neurons per layer', cellClass: 'num', cell: (model) => formatCount(model.dFf) },
  {
    header: 'Neurons',
    headerClass: 'num',
    headerTitle: 'layers × d_ff',
    cellClass: 'num',
    cellTitle: (model) => `${formatCount(model.layers)} layers × ${formatCount(model.dFf)} neurons`,
    cell: (model) => formatCount(totalNeurons(model)),
  },
  { header: 'Parameters', headerClass: 'num', cellClass: 'num', cellTitle: (model) => `${formatCount(model.params)} parameters`, cell: (model) => formatParams(model.params) },
  { header: 'Activation', cellClass: 'nowrap', cell: (model) => <ActivationLabel model={model} /> },
  { header: 'Format', cellClass: 'nowrap', cell: (model) => formatLabel(model.format) },
];

/** The imported models; a row (or its name, for the keyboard) opens the model. */
export function ModelTable({ models }: { models: readonly Model[] }) {
  return <DataTable testId="model-table" columns={columns} rows={models} rowTestId="model-row" idAttribute="data-model-id" rowHref={href} />;
}
