import { EmptyState } from '../components/EmptyState';

/** What the list shows before the first import: what can be imported, and what comes next. */
export function ModelsEmpty() {
  return (
    <EmptyState testId="models-empty" title="No models yet">
      <p>Import a checkpoint above. FFN Lab reads, from the machine its backend runs on:</p>
      <ul className="empty-list">
        <li>
          a Hugging Face folder: <code>config.json</code> with <code>model.safetensors</code>, or shards listed in{' '}
          <code>model.safetensors.index.json</code>; F32, F16 or BF16 weights;
        </li>
        <li>
          a GGUF file (<code>.gguf</code>, from llama.cpp, LM Studio or Ollama): F32, F16, BF16, Q4_0…Q8_0 and K-quants, which stay
          quantized in memory;
        </li>
        <li>
          a llama2.c checkpoint (<code>.bin</code>), e.g. <code>stories260K.bin</code>.
        </li>
      </ul>
      <p>Or drop a .gguf or .bin file anywhere on this page.</p>
      <p>
        Supported architectures: GPT-2, Llama 2 and 3, Mistral, Qwen2 and Qwen3, Phi-3, Gemma 2 and 3, SmolLM, TinyLlama, GPT-NeoX / Pythia,
        OPT, and the mixtures of experts Mixtral, Qwen2-MoE, Qwen3-MoE and OLMoE. Anything else is refused with the list of supported
        architectures.
      </p>
      <p>
        The import checks the shapes, hashes the weights and runs as a job; watch it in the Jobs drawer (status bar, j). Capturing activations and neuron
        analysis come next.
      </p>
    </EmptyState>
  );
}
