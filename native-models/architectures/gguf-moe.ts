// Mixtral-style mixture-of-experts GGUFs (llama.cpp's layout): `general.architecture` llama with
// `llama.expert_count` E and `llama.expert_used_count` k; per layer the router
// blk.N.ffn_gate_inp.weight [E, dModel] and the experts as three 3-D tensors, ffn_gate_exps /
// ffn_up_exps [E, ff, dModel] and ffn_down_exps [E, dModel, ff] (row-major: GGUF's ne reversed),
// ff = llama.feed_forward_length. llama.cpp runs them (build_moe_ffn for LLM_ARCH_LLAMA) as
// HF Mixtral does: softmax over the E router logits, top-k, the kept weights renormalised to sum
// 1, silu-gated experts. The experts become the same MoeSpec and stacked neuron axis as the HF
// Mixtral mapper (moe.ts): expert j's units at j * ff.

import type { MoeSpec } from '../spec.js';
import { ArchitectureError, LIMITS, type MapContext, type MoeTensors } from './common.js';

/** dtypes whose stacked experts are read (as fp32); block-quantized 3-D experts are refused */
const READ_EXPERT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];
/** llama.cpp LLAMA_EXPERT_GATING_FUNC_TYPE_SOFTMAX */
const GATING_SOFTMAX = 1;

export interface GgufMoe {
  spec: MoeSpec;
  tensors(layer: number): MoeTensors;
}

export function ggufMixtral(c: MapContext, experts: number): GgufMoe {
  const E = experts;
  const k = c.int('llama.expert_used_count', { min: 1, max: E });
  const ff = c.int('llama.feed_forward_length', { min: 1, max: LIMITS.dim });
  const gating = c.config['llama.expert_gating_func'];
  if (gating !== undefined && gating !== GATING_SOFTMAX) c.fail('llama.expert_gating_func', gating, `${GATING_SOFTMAX} or absent (softmax routing, as Mixtral)`);
  if (c.has('blk.0.ffn_gate.0.weight') && !c.has('blk.0.ffn_gate_exps.weight')) {
    throw new ArchitectureError(c.where, 'per-expert tensors "blk.N.ffn_gate.J.weight" (an early Mixtral GGUF layout) are not supported; convert the model again with a current llama.cpp, which writes the stacked blk.N.ffn_gate_exps.weight', 'blk.0.ffn_gate.0.weight');
  }
  for (const part of ['gate', 'up', 'down']) {
    const name = `blk.0.ffn_${part}_exps.weight`;
    const dtype = c.reader.tensors.get(name)?.dtype;
    if (dtype !== undefined && !READ_EXPERT_DTYPES.includes(dtype)) {
      throw new ArchitectureError(
        c.where,
        `tensor "${name}" is ${dtype}: quantized mixture-of-experts weights are not supported (the quantized matmul takes 2-D weights, and dequantizing every expert to fp32 would take 4 bytes per weight); use an F16, BF16 or F32 GGUF of this model`,
        name,
      );
    }
  }
  return {
    spec: { experts: E, expertFf: ff, topK: k, scoring: 'softmax', normTopK: true },
    tensors: (i) => {
      const b = `blk.${i}.`;
      return { router: `${b}ffn_gate_inp.weight`, expertFf: ff, experts: [], stacked: { count: E, gate: `${b}ffn_gate_exps.weight`, up: `${b}ffn_up_exps.weight`, down: `${b}ffn_down_exps.weight` } };
    },
  };
}
