#!/usr/bin/python3
"""Write a trained demo model in Hugging Face layout and measure the shipped weights.

Called by train.py at the end of a run; also runs on its own to re-export a saved checkpoint:
  /usr/bin/python3 native-models/demo/recipe/export.py --checkpoint native-models/demo/recipe/logs/brown-gpt2-gelu/final.pt \
      --out native-models/demo/brown-gpt2-gelu

Writes into the model folder:
  config.json            GPT2LMHeadModel config (activation_function gelu_new or relu)
  model.safetensors      GPT-2 tensor names (transformer.wte/wpe, transformer.h.{i}.ln_1, attn.c_attn,
                         attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj, transformer.ln_f) with Conv1D weights
                         in GPT-2's [in, out] layout; tied embeddings, so no lm_head.weight; F16 by default
  tokenizer.json, tokenizer_config.json
  recipe.json            seed, split, hyper-parameters, steps, tokens, wall time, validation figures
  MODEL_CARD.md          from the figures above, with TODO placeholders for what the app measures
The safetensors file is written by hand (no library); the validation figure of the shipped weights
is computed by reference_forward() below, which reads the file back and runs GPT-2 directly on its
tensor names and layouts (independently of model.py), in float32.
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
import tokenizer as toklib  # noqa: E402
from model import validation_windows  # noqa: E402

DT_NAME = {torch.float32: "F32", torch.float16: "F16"}
NP_DTYPE = {"F32": "<f4", "F16": "<f2"}


# ---------------------------------------------------------------------------------------------
# safetensors, by hand


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        b = t.numpy().astype(NP_DTYPE[DT_NAME[t.dtype]]).tobytes()
        header[name] = {"dtype": DT_NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """name -> float32 torch tensor (the stored values converted exactly)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw[base + a:base + b], dtype=NP_DTYPE[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32))
    return out


# ---------------------------------------------------------------------------------------------
# GPT-2 reference forward on the checkpoint's own names and layouts


def _layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def reference_forward(t, config, ids):
    """Logits [B, T, V] of GPT2LMHeadModel for ids [B, T]; t: name -> float32 tensor."""
    D, H, eps = config["n_embd"], config["n_head"], config["layer_norm_epsilon"]
    B, T = ids.shape
    hd = D // H
    x = t["transformer.wte.weight"][ids] + t["transformer.wpe.weight"][:T][None]
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for i in range(config["n_layer"]):
        p = f"transformer.h.{i}."
        h = _layer_norm(x, t[p + "ln_1.weight"], t[p + "ln_1.bias"], eps)
        qkv = h @ t[p + "attn.c_attn.weight"] + t[p + "attn.c_attn.bias"]  # Conv1D: x @ W[in, out]
        q, k, v = (qkv[..., j * D:(j + 1) * D].reshape(B, T, H, hd).transpose(1, 2) for j in range(3))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~mask, float("-inf"))
        a = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + a @ t[p + "attn.c_proj.weight"] + t[p + "attn.c_proj.bias"]
        h = _layer_norm(x, t[p + "ln_2.weight"], t[p + "ln_2.bias"], eps)
        f = h @ t[p + "mlp.c_fc.weight"] + t[p + "mlp.c_fc.bias"]
        if config["activation_function"] == "gelu_new":
            f = 0.5 * f * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (f + 0.044715 * torch.pow(f, 3.0))))
        elif config["activation_function"] == "relu":
            f = torch.clamp(f, min=0.0)
        else:
            raise ValueError(config["activation_function"])
        x = x + f @ t[p + "mlp.c_proj.weight"] + t[p + "mlp.c_proj.bias"]
    x = _layer_norm(x, t["transformer.ln_f.weight"], t["transformer.ln_f.bias"], eps)
    return x @ t["transformer.wte.weight"].t()


def reference_nll(t, config, windows, forward=None):
    """Token-weighted summed NLL (float64) and prediction count over windows (1-D id tensors);
    forward(t, config, ids [B, T]) -> logits, GPT-2's reference_forward by default."""
    forward = forward or reference_forward
    total, count = 0.0, 0
    by_len = {}
    for w in windows:
        by_len.setdefault(len(w), []).append(w)
    with torch.no_grad():
        for n, ws in sorted(by_len.items()):
            if n < 2:
                continue
            for i in range(0, len(ws), 16):
                x = torch.stack(ws[i:i + 16])
                lp = torch.log_softmax(forward(t, config, x[:, :-1]), dim=-1)
                nll = -lp.gather(-1, x[:, 1:, None]).squeeze(-1)
                total += float(nll.double().sum())
                count += nll.numel()
    return total, count


# ---------------------------------------------------------------------------------------------
# export


def hf_tensors(model, dtype):
    sd = {k: v.detach().float() for k, v in model.state_dict().items()}
    out = {"transformer.wte.weight": sd["wte.weight"], "transformer.wpe.weight": sd["wpe.weight"],
           "transformer.ln_f.weight": sd["ln_f.weight"], "transformer.ln_f.bias": sd["ln_f.bias"]}
    for i in range(len(model.h)):
        s, p = f"h.{i}.", f"transformer.h.{i}."
        for ours, theirs in (("ln_1", "ln_1"), ("ln_2", "ln_2")):
            out[p + theirs + ".weight"] = sd[s + ours + ".weight"]
            out[p + theirs + ".bias"] = sd[s + ours + ".bias"]
        for ours, theirs in (("c_attn", "attn.c_attn"), ("attn_proj", "attn.c_proj"), ("c_fc", "mlp.c_fc"),
                             ("mlp_proj", "mlp.c_proj")):
            out[p + theirs + ".weight"] = sd[s + ours + ".weight"].t().contiguous()  # Linear [out,in] -> Conv1D [in,out]
            out[p + theirs + ".bias"] = sd[s + ours + ".bias"]
    torch_dtype = torch.float16 if dtype == "f16" else torch.float32
    return {k: v.to(torch_dtype) for k, v in out.items()}


def hf_config(cfg, eot_id, dtype):
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": cfg["activation"],
        "vocab_size": cfg["vocab"],
        "n_positions": cfg["context"],
        "n_ctx": cfg["context"],
        "n_embd": cfg["d"],
        "n_layer": cfg["layers"],
        "n_head": cfg["heads"],
        "n_inner": cfg["ffn"],
        "layer_norm_epsilon": cfg["eps"],
        "tie_word_embeddings": True,
        "resid_pdrop": cfg["dropout"],
        "embd_pdrop": cfg["dropout"],
        "attn_pdrop": cfg["dropout"],
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "add_cross_attention": False,
        "use_cache": True,
        "bos_token_id": eot_id,
        "eos_token_id": eot_id,
        "torch_dtype": "float16" if dtype == "f16" else "float32",
    }


def f16_subnormals(tensors):
    n = 0
    for v in tensors.values():
        if v.dtype == torch.float16:
            a = v.float().abs()
            n += int(((a > 0) & (a < 2.0 ** -14)).sum())
    return n


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def export(model, tok, out_dir, tokenizer_path, split_path, training, val_ids, dtype):
    cfg = model.cfg
    described = {
        "architecture": "GPT2LMHeadModel",
        "activation_function": cfg["activation"],
        "shape": {"n_layer": cfg["layers"], "n_embd": cfg["d"], "n_head": cfg["heads"], "n_inner": cfg["ffn"],
                  "n_positions": cfg["context"], "vocab_size": cfg["vocab"], "tied_embeddings": True,
                  "parameters": training["parameters"]},
    }
    return write_export(out_dir, tok, tokenizer_path, split_path, training, val_ids, dtype, hf_tensors(model, dtype),
                        hf_config(cfg, tok.eot, dtype), cfg["context"], cfg["vocab"], described, reference_forward,
                        "recipe/export.py reference_forward", write_model_card)


def write_export(out_dir, tok, tokenizer_path, split_path, training, val_ids, dtype, tensors, config, context, vocab,
                 described, forward, forward_name, card_writer):
    """Writes the model folder (weights, config, tokenizer, recipe.json, model card) for any architecture:
    `described` opens recipe.json (architecture, shape), `forward` is the independent reference forward
    on the file's own tensor names that measures the shipped weights (named `forward_name` in the recipe)."""
    os.makedirs(out_dir, exist_ok=True)
    name = os.path.basename(os.path.normpath(out_dir))
    write_json(os.path.join(out_dir, "config.json"), config)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors, {"format": "pt"})
    shutil.copyfile(tokenizer_path, os.path.join(out_dir, "tokenizer.json"))
    write_json(os.path.join(out_dir, "tokenizer_config.json"), toklib.tokenizer_config(context))

    # the validation figure of the weights as shipped (read back from the file, run in float32)
    shipped = read_safetensors(os.path.join(out_dir, "model.safetensors"))
    windows = validation_windows(val_ids, context)
    total, count = reference_nll(shipped, config, windows, forward)
    loss = total / count
    split = data.load_split(split_path)
    with open(tokenizer_path, encoding="utf-8") as f:
        tj = json.load(f)
    recipe = {
        "model": name,
        **described,
        "weights": {"file": "model.safetensors", "dtype": config["torch_dtype"],
                    "bytes": os.path.getsize(os.path.join(out_dir, "model.safetensors")),
                    "f16_subnormal_values": f16_subnormals(tensors) if dtype == "f16" else 0,
                    "note": "weights rounded to nearest from the float32 training state; no neuron was edited"},
        "data": {"corpus": split["corpus"],
                 "text": "tags stripped, detokenized as electron/jobs/corpus-import/brown.ts does (recipe/data.py)",
                 "split_rule": split["rule"], "split_seed": split["seed"],
                 "validation_fraction_per_genre": split["validation_fraction_per_genre"],
                 "train_documents": split["train"], "validation_documents": split["validation"],
                 "validation_by_genre": split["validation_by_genre"]},
        "tokenizer": {"type": "byte-level BPE (GPT-2 style)", "vocab_size": vocab,
                      "merges": len(tj["model"]["merges"]), "special": {"<|endoftext|>": tok.eot},
                      "trained_on": "training split only (recipe/tokenizer.py)"},
        "training": training,
        "validation": {
            "protocol": "each validation document encoded without special tokens (tokenizer.json), cut into "
                        "consecutive non-overlapping windows of n_positions tokens (the last one shorter); each "
                        "window evaluated on its own; loss = token-weighted mean next-token NLL (natural log) over "
                        "all predictions (a window of n tokens gives n-1); perplexity = exp(loss)",
            "documents": len(val_ids),
            "tokens": sum(len(v) for v in val_ids),
            "windows": len(windows),
            "predictions": count,
            "loss": round(loss, 5),
            "perplexity": round(math.exp(loss), 4),
            "measured_by": f"PyTorch {torch.__version__}, float32 compute on the shipped {config['torch_dtype']} "
                           f"weights ({forward_name})",
            "loss_fp32_training_weights": training.get("val_loss_fp32_all_windows"),
        },
        "curve": "training-curve.csv (val_loss_subset: the curve's fixed subset of validation windows)",
    }
    write_json(os.path.join(out_dir, "recipe.json"), recipe)
    card_writer(out_dir, recipe)
    print(f"exported {name}: validation loss {loss:.4f} ppl {math.exp(loss):.2f} on the shipped weights "
          f"({count} predictions); model.safetensors {recipe['weights']['bytes']} bytes", flush=True)
    return recipe


def write_model_card(out_dir, r):
    s = r["shape"]
    act = "GELU (tanh approximation, `gelu_new`)" if r["activation_function"] == "gelu_new" else "ReLU (`relu`)"
    other = "brown-gpt2-relu" if r["activation_function"] == "gelu_new" else "brown-gpt2-gelu"
    twin = r["training"]["hyperparameters"].get("twin")
    budget = "a few minutes for each of the pair" if twin else "about an hour for both models"
    if twin:
        # a width-vs-depth pair: same parameter count, data, tokenizer, seed and schedule, other shape
        intro = f"""FFN Lab as a demo. It is one half of a width-vs-depth pair: it has {s['n_layer']} layers with
{s['n_inner']} FFN neurons each, activation {act}; its twin [{twin}](../{twin}/) has another number of layers and
FFN width chosen so that both have the same parameter count (within 0.1%), and the same width of the
residual stream, heads, context, data, tokenizer, seed, steps and schedule. The app's Compare page and
the Start-here study "Width vs depth" put the two side by side.
No neuron or weight was planted or edited: whatever the app finds is what training produced."""
    else:
        intro = f"""FFN Lab as a demo. Its FFN activation is {act}; its twin [{other}](../{other}/) has exactly the
same shape, data, tokenizer, seed and schedule and differs only in the activation, so the pair
shows what the activation does to the FFN neurons (dead neurons are a known ReLU phenomenon).
No neuron or weight was planted or edited: whatever dead or outlier neurons the app finds are
what training produced."""
    card = f"""# {r['model']}

A small GPT-2-architecture language model trained from scratch on the Brown corpus, shipped with
{intro}

## Model

| | |
|---|---|
| architecture | GPT2LMHeadModel (pre-LayerNorm, learned positions, tied input/output embeddings) |
| layers / width / heads | {s['n_layer']} / {s['n_embd']} / {s['n_head']} |
| FFN | {s['n_inner']} neurons per layer, {act} |
| context | {s['n_positions']} tokens |
| vocabulary | {s['vocab_size']} (byte-level BPE, `<|endoftext|>` = {r['tokenizer']['special']['<|endoftext|>']}) |
| parameters | {s['parameters']:,} |
| weights | {weights_cell(r, s['parameters'])} |

""" + card_tail(r, budget)
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(card)


def weights_cell(r, parameters):
    """The model card's "weights" cell: file, dtype, size, and the F16 subnormals rounding made."""
    w = r["weights"]
    sub = w["f16_subnormal_values"]
    note = (f" (rounded to nearest from the float32 training state; {sub:,} values, {100 * sub / parameters:.2f}% of the "
            "parameters, became F16 subnormals in that rounding: an artifact of the storage format, not of training)") if sub else ""
    return f"`model.safetensors`, {w['dtype']}, {w['bytes'] / 1e6:.1f} MB{note}"


def card_tail(r, budget):
    """The model card from "## Data" on, the same for every demo model: data, training, validation
    (PyTorch), the app's section (filled by npm run demo -- --update-model-cards), intended use.
    `budget` names the CPU budget, for the sentence on a curve that has not flattened."""
    t, v = r["training"], r["validation"]
    h = t["hyperparameters"]
    fl = t["flattening"]
    steps_at = list(fl["val_loss_subset_at_step"].items())
    flattened = abs(fl["relative_improvement"]) < 0.02
    return f"""## Data

{r['data']['corpus']} (npm), part-of-speech tags stripped and the text rebuilt exactly as the app's
Brown importer does (`electron/jobs/corpus-import/brown.ts`, mirrored in `recipe/data.py`), so the
text the app shows for a Brown document is the text the model saw. Whole documents are held out
from every one of the 15 genres: {len(r['data']['validation_documents'])} validation documents and
{len(r['data']['train_documents'])} training documents (rule: {r['data']['split_rule']}; seed
{r['data']['split_seed']}). The lists are in `recipe.json`. The tokenizer was trained on the
training documents only. Training stream: {t['train_stream_tokens']:,} tokens (training documents
joined by `<|endoftext|>`).

## Training

Recipe: `native-models/demo/recipe/` (see `../README.md`), PyTorch {t['torch']} (Debian's python3-torch) on CPU,
{t['threads']} thread per run (the two demo models trained concurrently), seed {t['seed']}.

| | |
|---|---|
| steps | {t['steps']} |
| batch | {h['batch']} sequences x {h['context']} tokens, random offsets into the stream |
| tokens seen | {t['tokens_seen']:,} ({t['epochs']} epochs) |
| optimiser | AdamW (beta 0.9, 0.95), weight decay {h['weight_decay']} on matrices, gradient clip {h['grad_clip']} |
| learning rate | peak {h['lr']}, linear warm-up {h['warmup']} steps, cosine decay to {h['lr_floor']} x peak |
| dropout | {h['dropout']} (at about one epoch the model does not overfit: final training loss EMA {t['final_train_loss_ema']:.3f} vs validation {v['loss']:.3f}) |
| wall time | {t['train_wall_s'] / 60:.1f} min training ({t['total_wall_s_before_export'] / 60:.1f} min with data preparation and final evaluation) |
| final training loss (EMA) | {t['final_train_loss_ema']:.4f} |

Curve: `training-curve.csv` (validation loss on a fixed subset of {t['val_loss_subset_curve']['windows']}
validation windows every {h['eval_every']} steps). Over the last {int(steps_at[1][0]) - int(steps_at[0][0])} steps
({100 * (int(steps_at[1][0]) - int(steps_at[0][0])) / t['steps']:.0f}% of training; the last evaluation at or before 80% of the
steps to the end) the validation loss went from {steps_at[0][1]:.4f} (step {steps_at[0][0]}) to {steps_at[1][1]:.4f}
(step {steps_at[1][0]}), a relative improvement of {100 * fl['relative_improvement']:.2f}%. {"By the usual criterion (< 2% over the last 20% of steps) the curve has flattened." if flattened else "That is more than 2%: the curve has NOT flattened within the CPU budget of " + budget + ". The model is under-trained: part of the late flattening comes from the learning rate decaying, and longer training (more steps, same recipe) would still lower the loss."}

## Validation (PyTorch)

{v['protocol'][0].upper() + v['protocol'][1:]}.

| | |
|---|---|
| documents / tokens | {v['documents']} / {v['tokens']:,} |
| predictions | {v['predictions']:,} in {v['windows']} windows |
| loss (nats/token) | {v['loss']:.4f} |
| perplexity | {v['perplexity']:.2f} |

Measured by {v['measured_by']}. (The float32 training weights before rounding: loss {v['loss_fp32_training_weights']:.4f}.)

## Measured by the app

Filled by `npm run demo -- --update-model-cards` (the app's validation loss on the same
documents, its detectors' neuron counts, and the dead set ablated against a matched control).

## Intended use and limits

A teaching and testing model for FFN Lab: small enough to run anywhere in seconds. It writes
1960s American English of a sort (the Brown corpus), often ungrammatical; it knows nothing
after 1961 and should not be used to generate text for any purpose beyond demonstration.
"""


def reexport_main(doc, build_model, export_fn):
    """The command line that re-exports a checkpoint train.py saved (logs/<model>/final.pt) without
    training again: build_model(cfg) makes the untrained model, export_fn writes the folder."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="final.pt written by train.py")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", choices=["f16", "f32"], help="storage dtype (default: the one train.py was given)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ck = torch.load(args.checkpoint)
    with open(os.path.join(os.path.dirname(args.checkpoint), "training.json")) as f:
        training = json.load(f)
    model = build_model(ck["cfg"])
    model.load_state_dict(ck["state_dict"])
    a = ck["args"]
    tok = toklib.BPETokenizer.load(a["tokenizer"])
    split = data.load_split(a["split"])
    docs = {d: t for d, _, t in data.documents()}
    val_ids = [tok.encode(docs[d]) for d in split["validation"]]
    export_fn(model, tok, args.out, a["tokenizer"], a["split"], training, val_ids, args.dtype or a["dtype"])


def main():
    from model import GPT2
    reexport_main(__doc__, lambda c: GPT2(c["vocab"], c["context"], c["d"], c["layers"], c["heads"], c["ffn"],
                                         c["activation"], c["dropout"], c["eps"]), export)

if __name__ == "__main__":
    main()
