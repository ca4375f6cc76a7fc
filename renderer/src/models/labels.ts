import type { Model } from './types';

const labels: { readonly [F in Model['family']]: string } = {
  gpt2: 'GPT-2',
  llama: 'Llama',
  neox: 'GPT-NeoX',
  opt: 'OPT',
  phi3: 'Phi-3',
  gemma: 'Gemma',
};

/** The model family as people write it: gpt2 -> "GPT-2", neox -> "GPT-NeoX". */
export function familyLabel(family: Model['family']): string {
  return labels[family];
}

/** The checkpoint format as people write it. */
export function formatLabel(format: Model['format']): string {
  return format === 'llama2c' ? 'llama2.c' : format === 'gguf' ? 'GGUF' : 'safetensors';
}

/** Neurons in the whole model: one per FFN hidden unit per layer. */
export function totalNeurons(model: Pick<Model, 'layers' | 'dFf'>): number {
  return model.layers * model.dFf;
}
