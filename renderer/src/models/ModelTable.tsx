import type { Model } from './types';
import { formatCount } from '../format';
import { hrefFor } from '../routing/route';
import { navigate } from '../routing/useHashRoute';
import { ActivationLabel } from './ActivationLabel';
import { familyLabel, formatLabel, totalNeurons } from './labels';
import { formatParams } from './formatParams';

/** The imported models; a row (or its name, for the keyboard) opens the model. */
export function ModelTable({ models }: { models: readonly Model[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="model-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Architecture</th>
            <th scope="col" className="num">
              Layers
            </th>
            <th scope="col" className="num">
              d_model
            </th>
            <th scope="col" className="num" title="FFN hidden width: neurons per layer">
              d_ff
            </th>
            <th scope="col" className="num" title="layers × d_ff">
              Neurons
            </th>
            <th scope="col" className="num">
              Parameters
            </th>
            <th scope="col">Activation</th>
            <th scope="col">Format</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.id} className="row-link" data-testid="model-row" data-model-id={model.id} onClick={() => navigate(hrefFor('models', model.id))}>
              <td>
                <a href={hrefFor('models', model.id)} className="row-title" onClick={(event) => event.stopPropagation()}>
                  {model.name}
                </a>
                <div className="row-sub mono" title={model.path}>
                  {model.path}
                </div>
              </td>
              <td>
                <div className="mono">{model.architecture}</div>
                <div className="row-sub">{familyLabel(model.family)} family</div>
              </td>
              <td className="num">{formatCount(model.layers)}</td>
              <td className="num">{formatCount(model.dModel)}</td>
              <td className="num">{formatCount(model.dFf)}</td>
              <td className="num" title={`${formatCount(model.layers)} layers × ${formatCount(model.dFf)} neurons`}>
                {formatCount(totalNeurons(model))}
              </td>
              <td className="num" title={`${formatCount(model.params)} parameters`}>
                {formatParams(model.params)}
              </td>
              <td className="nowrap">
                <ActivationLabel model={model} />
              </td>
              <td className="nowrap">{formatLabel(model.format)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
