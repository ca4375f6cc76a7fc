import type { Model } from './types';
import { formatCount, formatDateTime, formatParams } from '../format';
import { ActivationLabel } from './ActivationLabel';
import { CopyButton } from './CopyButton';
import { Fact } from './Fact';
import { familyLabel, formatLabel, totalNeurons } from './labels';
import { TokenizerAttach } from './TokenizerAttach';

/** Key/value heads, noting grouped-query attention when there are fewer of them than query heads. */
function kvHeadsText(model: Model): string {
  if (model.kvHeads >= model.heads) return formatCount(model.kvHeads);
  const group = model.heads / model.kvHeads;
  return `${formatCount(model.kvHeads)} · GQA${Number.isInteger(group) ? `, ${group} query heads each` : ''}`;
}

/** Every field of a model, grouped: shape, FFN, vocabulary and context, then where it came from. */
export function ModelFacts({ model }: { model: Model }) {
  return (
    <dl className="facts model-facts" data-testid="model-facts">
      <Fact term="Architecture" testId="model-architecture">
        <span className="mono">{model.architecture}</span>
      </Fact>
      <Fact term="Family">{familyLabel(model.family)}</Fact>
      <Fact term="Format">{formatLabel(model.format)}</Fact>
      <Fact term="Parameters" title={`${formatCount(model.params)} parameters`} testId="model-params">
        {formatParams(model.params)}
      </Fact>
      <Fact term="Layers" testId="model-layers">
        {formatCount(model.layers)}
      </Fact>
      <Fact term="d_model">{formatCount(model.dModel)}</Fact>
      <Fact term="d_ff (neurons per layer)" testId="model-dff">
        {formatCount(model.dFf)}
      </Fact>
      <Fact term="Neurons in all" title={`${formatCount(model.layers)} layers × ${formatCount(model.dFf)}`} testId="model-neurons">
        {formatCount(totalNeurons(model))}
      </Fact>
      <Fact term="Activation" testId="model-activation">
        <ActivationLabel model={model} />
      </Fact>
      <Fact term="Attention heads" testId="model-heads">
        {formatCount(model.heads)}
      </Fact>
      <Fact term="KV heads" testId="model-kv-heads">
        {kvHeadsText(model)}
      </Fact>
      <Fact term="Vocabulary">{formatCount(model.vocabSize)} tokens</Fact>
      <Fact term="Tokenizer" testId="model-tokenizer" title={model.tokenizer === null ? 'Capture, ablation, evaluation and the playground need a tokenizer to read text' : `Read from ${model.tokenizer}`}>
        {model.tokenizer ?? <span className="error-text">none: attach one below, or add tokenizer.json beside the weights, to capture or evaluate</span>}
      </Fact>
      <Fact term="Attach tokenizer…" wide testId="model-tokenizer-attach">
        <TokenizerAttach model={model} />
      </Fact>
      <Fact term="Context">{formatCount(model.maxPositions)} positions</Fact>
      <Fact term="Created">{formatDateTime(model.createdAt)}</Fact>
      <Fact term="Path" wide testId="model-path-value">
        <span className="mono path-value">{model.path}</span>
      </Fact>
      <Fact term="Weights (SHA-256)" wide>
        <span className="hash-row">
          <span className="mono checksum" data-testid="model-sha256">
            {model.sha256}
          </span>
          <CopyButton text={model.sha256} label="Copy the SHA-256" testId="model-sha256-copy" />
        </span>
      </Fact>
    </dl>
  );
}
