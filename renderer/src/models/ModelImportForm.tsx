import { useApi } from '../api/ApiContext';
import { ImportCard, type ImportTexts } from '../components/ImportCard';
import { useImportForm } from '../components/useImportForm';

const texts: ImportTexts = {
  label: 'Checkpoint folder or file',
  placeholders: { picker: '/path/to/checkpoint or click Browse', typed: '/path/on/the/backend/machine/gpt2' },
  pickTitles: { file: 'Choose a checkpoint file (.gguf, .safetensors or llama2.c .bin)', folder: 'Choose a Hugging Face checkpoint folder' },
  namePlaceholder: 'From the folder or file name',
  browse: { title: 'Choose a checkpoint (a Hugging Face folder or a .safetensors, .gguf or llama2.c .bin file)', want: 'checkpoint' },
  hint:
    'A Hugging Face folder with config.json and model.safetensors (or a sharded index), a .safetensors file with config.json beside ' +
    'it, a GGUF file (llama.cpp, LM Studio, Ollama), or a llama2.c .bin. The files stay where they are. You can also drop a .gguf or .bin file on this page.',
  emptyPath: 'Enter the path of a Hugging Face checkpoint folder, a .safetensors file, a .gguf file, or a llama2.c .bin file.',
};

/**
 * Starts model-import jobs from a path on the backend machine: a Hugging Face folder, a
 * .safetensors file with its config.json beside it, or a llama2.c .bin.
 */
export function ModelImportForm({ canPickFiles }: { canPickFiles: boolean }) {
  const api = useApi();
  const form = useImportForm<'import'>();

  return (
    <ImportCard
      what="model"
      form={form}
      canPickFiles={canPickFiles}
      texts={texts}
      submit={(path, named) => api.call('model.import', { path, ...named })}
      more={
        <span className="hint">
          GPT-2, Llama 2/3, Mistral, Qwen2/3, Phi-3, Gemma 2/3, GPT-NeoX/Pythia, OPT; MoE: Mixtral, Qwen2/3-MoE, OLMoE. F32, F16, BF16, or GGUF
          (F32/F16/BF16, Q4_0…Q8_0, K-quants).
        </span>
      }
    />
  );
}
