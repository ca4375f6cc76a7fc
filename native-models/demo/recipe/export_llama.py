#!/usr/bin/python3
"""Write a trained Llama or Mixtral demo model (model_llama.py) in Hugging Face layout and measure
the shipped weights; export.py's counterpart for the dense-vs-MoE pair.

Called by train.py at the end of an --arch llama / mixtral run; also on its own to re-export a checkpoint:
  /usr/bin/python3 native-models/demo/recipe/export_llama.py \
      --checkpoint native-models/demo/recipe/logs/brown-mixtral-moe/final.pt --out native-models/demo/brown-mixtral-moe

Writes what export.py writes (config.json, model.safetensors, tokenizer files, recipe.json,
MODEL_CARD.md) with Hugging Face's names: model.embed_tokens, model.layers.{i}.input_layernorm,
self_attn.{q,k,v,o}_proj, post_attention_layernorm, then mlp.{gate,up,down}_proj (LlamaForCausalLM)
or block_sparse_moe.gate and block_sparse_moe.experts.{j}.w1 (gate), w3 (up), w2 (down)
(MixtralForCausalLM), model.norm; tied embeddings, so no lm_head.weight. The validation figure of
the shipped weights comes from the fixtures' independent reference forwards, written from Hugging
Face's modeling_llama / modeling_mixtral on these names (native-models/fixtures/make_fixtures.py
fwd_llama, make_moe.py fwd), not from model_llama.py.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(1, FIXTURES)
import export as base  # noqa: E402  (export.py: the writer, safetensors and model-card parts)


def is_moe(cfg):
    return cfg["experts"] > 0


def hf_tensors(model, dtype):
    sd = {k: v.detach().float() for k, v in model.state_dict().items()}
    out = {"model.embed_tokens.weight": sd["embed.weight"], "model.norm.weight": sd["norm.weight"]}
    for i in range(len(model.layers)):
        s, p = f"layers.{i}.", f"model.layers.{i}."
        out[p + "input_layernorm.weight"] = sd[s + "input_layernorm.weight"]
        out[p + "post_attention_layernorm.weight"] = sd[s + "post_attention_layernorm.weight"]
        for x in "qkvo":
            out[f"{p}self_attn.{x}_proj.weight"] = sd[f"{s}{x}.weight"]
        if is_moe(model.cfg):
            m = p + "block_sparse_moe."
            out[m + "gate.weight"] = sd[s + "mlp.router.weight"]
            for j in range(model.cfg["experts"]):
                e = f"{s}mlp.experts.{j}."
                out[f"{m}experts.{j}.w1.weight"] = sd[e + "gate.weight"]
                out[f"{m}experts.{j}.w3.weight"] = sd[e + "up.weight"]
                out[f"{m}experts.{j}.w2.weight"] = sd[e + "down.weight"]
        else:
            for ours, theirs in (("gate", "gate_proj"), ("up", "up_proj"), ("down", "down_proj")):
                out[f"{p}mlp.{theirs}.weight"] = sd[f"{s}mlp.{ours}.weight"]
    torch_dtype = torch.float16 if dtype == "f16" else torch.float32
    return {k: v.to(torch_dtype) for k, v in out.items()}


def hf_config(cfg, eot_id, dtype):
    base = {
        "hidden_act": "silu",
        "hidden_size": cfg["d"],
        "intermediate_size": cfg["ffn"],
        "num_hidden_layers": cfg["layers"],
        "num_attention_heads": cfg["heads"],
        "num_key_value_heads": cfg["heads"],
        "max_position_embeddings": cfg["context"],
        "rms_norm_eps": cfg["eps"],
        "rope_theta": cfg["theta"],
        "rope_scaling": None,
        "vocab_size": cfg["vocab"],
        "tie_word_embeddings": True,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "use_cache": True,
        "bos_token_id": eot_id,
        "eos_token_id": eot_id,
        "torch_dtype": "float16" if dtype == "f16" else "float32",
    }
    if not is_moe(cfg):
        return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", **base, "attention_bias": False,
                "mlp_bias": False, "pretraining_tp": 1}
    return {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", **base,
            "num_local_experts": cfg["experts"], "num_experts_per_tok": cfg["top_k"],
            "router_aux_loss_coef": cfg["aux_coef"], "output_router_logits": False, "router_jitter_noise": 0.0,
            "sliding_window": None}


def reference_forward(t, config, ids):
    """Logits [B, T, V] from the fixtures' plain-PyTorch forwards of LlamaForCausalLM / MixtralForCausalLM."""
    threads = torch.get_num_threads()  # the fixture modules set their own thread count when imported
    import make_fixtures as mf
    if config["model_type"] == "mixtral":
        import make_moe

        out = make_moe.fwd(t, config, ids, make_moe.MoeHooks(), "mixtral")
    else:
        out = mf.fwd_llama(t, config, ids, mf.Hooks())
    torch.set_num_threads(threads)
    return out


def describe(model, training):
    c = model.cfg
    shape = {"num_hidden_layers": c["layers"], "hidden_size": c["d"], "num_attention_heads": c["heads"],
             "num_key_value_heads": c["heads"], "intermediate_size": c["ffn"],
             "max_position_embeddings": c["context"], "vocab_size": c["vocab"], "tied_embeddings": True,
             "parameters": training["parameters"], "active_parameters_per_token": training["active_parameters"]}
    if is_moe(c):
        shape.update({"num_local_experts": c["experts"], "num_experts_per_tok": c["top_k"],
                      "ffn_neurons_active_per_token": c["top_k"] * c["ffn"], "router_aux_loss_coef": c["aux_coef"]})
    else:
        shape["ffn_neurons_active_per_token"] = c["ffn"]
    return {"architecture": "MixtralForCausalLM" if is_moe(c) else "LlamaForCausalLM", "activation_function": "silu",
            "shape": shape}


def export(model, tok, out_dir, tokenizer_path, split_path, training, val_ids, dtype):
    cfg = model.cfg
    return base.write_export(out_dir, tok, tokenizer_path, split_path, training, val_ids, dtype,
                               hf_tensors(model, dtype), hf_config(cfg, tok.eot, dtype), cfg["context"], cfg["vocab"],
                               describe(model, training), reference_forward,
                               "recipe/export_llama.py reference_forward: the fixtures' fwd_llama / make_moe.fwd",
                               write_model_card)


def write_model_card(out_dir, r):
    s, h = r["shape"], r["training"]["hyperparameters"]
    twin = h.get("twin")
    moe = r["architecture"] == "MixtralForCausalLM"
    pair = f"its twin [{twin}](../{twin}/)" if twin else "a dense or MoE twin"
    if moe:
        what = "A small Mixtral-architecture (mixture-of-experts) language model"
        intro = f"""It is the MoE half of a dense-vs-MoE pair: every FFN is {s['num_local_experts']} SwiGLU experts of
{s['intermediate_size']} neurons, of which a router picks {s['num_experts_per_tok']} per token, so a token passes through
{s['ffn_neurons_active_per_token']} FFN neurons per layer; {pair} is a dense Llama model with one FFN of that width, the same
active parameters per token but for this model's routers, and the same attention, data, tokenizer, seed, steps and schedule."""
        ffn = (f"{s['num_local_experts']} experts x {s['intermediate_size']} SwiGLU neurons per layer "
               f"({s['num_local_experts'] * s['intermediate_size']:,} in all), top-{s['num_experts_per_tok']} routing "
               "(softmax over all experts, then top-k, the kept weights renormalised: Mixtral's rule)")
        aux = (f"\nTraining added Mixtral's load-balancing loss (Hugging Face modeling_mixtral `load_balancing_loss_func`, "
               f"over all layers' router logits) with weight {s['router_aux_loss_coef']} (`router_aux_loss_coef`).")
    else:
        what = "A small Llama-architecture language model"
        intro = f"""It is the dense half of a dense-vs-MoE pair: one SwiGLU FFN of {s['intermediate_size']} neurons per layer;
{pair} is a Mixtral model whose router picks that many neurons' worth of experts per token, so
both pass each token through the same FFN weights (the MoE adds only its routers), with the same
attention, data, tokenizer, seed, steps and schedule."""
        ffn = f"{s['intermediate_size']} SwiGLU neurons per layer (neuron = silu(gate) x up)"
        aux = ""
    card = f"""# {r['model']}

{what} trained from scratch on the Brown corpus, shipped with FFN Lab as a demo.
{intro}
The app's Compare page and the Start-here study "Dense vs MoE" put the two side by side.
No neuron, expert or weight was planted or edited: whatever the app finds is what training produced.{aux}

## Model

| | |
|---|---|
| architecture | {r['architecture']} (RMSNorm, rotary positions, no biases, tied input/output embeddings) |
| layers / width / heads | {s['num_hidden_layers']} / {s['hidden_size']} / {s['num_attention_heads']} |
| FFN | {ffn} |
| context | {s['max_position_embeddings']} tokens |
| vocabulary | {s['vocab_size']} (byte-level BPE, `<|endoftext|>` = {r['tokenizer']['special']['<|endoftext|>']}) |
| parameters | {s['parameters']:,} in all, {s['active_parameters_per_token']:,} active per token |
| weights | {base.weights_cell(r, s['parameters'])} |

""" + base.card_tail(r, f"{r['training']['steps']:,} steps")
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(card)


def main():
    from model_llama import Llama
    base.reexport_main(__doc__, lambda c: Llama(c["vocab"], c["context"], c["d"], c["layers"], c["heads"], c["ffn"],
                                               experts=c["experts"], top_k=c["top_k"], eps=c["eps"], theta=c["theta"],
                                               aux_coef=c["aux_coef"]), export)

if __name__ == "__main__":
    main()
