#!/usr/bin/python3
"""Train one demo model (GPT-2, or with --arch Llama or Mixtral) on the Brown corpus training split, then export it.

Deterministic: every random choice (initialisation, batch sampling, dropout) comes from --seed;
with the same PyTorch build and thread count the run repeats bit for bit (BLAS results can differ
in the last bits across thread counts or CPUs).

  /usr/bin/python3 native-models/demo/recipe/train.py --activation gelu_new --out native-models/demo/brown-gpt2-gelu
  /usr/bin/python3 native-models/demo/recipe/train.py --activation relu     --out native-models/demo/brown-gpt2-relu
  (the dense-vs-MoE pair: --arch llama / --arch mixtral, see ../README.md)

Inputs: split.json and tokenizer.json next to this file (data.py and tokenizer.py write them).
Outputs in --out: training-curve.csv, then (via export.py) config.json, model.safetensors,
tokenizer.json, tokenizer_config.json, recipe.json. The fp32 checkpoint goes to
logs/<out name>/final.pt (not committed).

Training data: the training documents in split order, each encoded without special tokens and
followed by <|endoftext|>, concatenated into one stream; each step takes --batch windows of
context+1 tokens at uniformly random offsets (torch.Generator seeded from --seed).
"""
import argparse
import csv
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from model import GPT2, validation_windows, window_nll  # noqa: E402
from model_llama import Llama  # noqa: E402
from tokenizer import BPETokenizer  # noqa: E402


def lr_at(step, steps, peak, warmup, floor):
    """Linear warm-up over `warmup` steps, then cosine decay to floor*peak at the last step."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=["gpt2", "llama", "mixtral"], default="gpt2",
                    help="gpt2: GPT2LMHeadModel (--activation); llama: LlamaForCausalLM, SwiGLU FFN of --ffn; "
                         "mixtral: MixtralForCausalLM, --experts SwiGLU experts of --ffn each, --top-k routed")
    ap.add_argument("--activation", choices=["gelu_new", "relu"], help="the GPT-2 FFN activation (--arch gpt2)")
    ap.add_argument("--experts", type=int, default=8, help="experts per layer (--arch mixtral)")
    ap.add_argument("--top-k", type=int, default=2, help="experts routed per token (--arch mixtral)")
    ap.add_argument("--aux-coef", type=float, default=0.01,
                    help="weight of Mixtral's load-balancing loss (router_aux_loss_coef; --arch mixtral)")
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--split", default=os.path.join(HERE, "split.json"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "tokenizer.json"))
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--steps", type=int, default=880)
    ap.add_argument("--batch", type=int, default=8, help="sequences per step")
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--lr-floor", type=float, default=0.1, help="final lr as a fraction of the peak")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--eval-every", type=int, default=80)
    ap.add_argument("--eval-windows", type=int, default=64,
                    help="validation windows (every k-th of the full set) for the curve; the final figure uses all")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", choices=["f16", "f32"], default="f16", help="safetensors storage dtype")
    ap.add_argument("--bench", type=int, default=0, help="only time this many steps, write nothing")
    ap.add_argument("--twin", default=None,
                    help="the model folder name of a twin of another shape with the same parameter count "
                         "(the model card then describes a width-vs-depth pair instead of an activation pair)")
    args = ap.parse_args()
    if args.arch == "gpt2" and args.activation is None:
        ap.error("--arch gpt2 needs --activation (gelu_new or relu)")
    if args.arch != "gpt2" and args.activation is not None:
        ap.error(f"--activation is for --arch gpt2; --arch {args.arch} has SwiGLU (silu) FFNs")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.time()

    split = data.load_split(args.split)
    tok = BPETokenizer.load(args.tokenizer)
    docs = {d: t for d, _, t in data.documents()}
    stream = []
    for d in split["train"]:
        stream.extend(tok.encode(docs[d]))
        stream.append(tok.eot)
    stream = torch.tensor(stream, dtype=torch.long)
    val_ids = [tok.encode(docs[d]) for d in split["validation"]]
    val_all = validation_windows(val_ids, args.context)
    k = max(1, len(val_all) // args.eval_windows)
    val_curve = val_all[::k][: args.eval_windows]
    vocab = len(tok.vocab)
    print(f"train stream {len(stream)} tokens ({len(split['train'])} docs); validation {sum(map(len, val_ids))} "
          f"tokens ({len(val_ids)} docs, {len(val_all)} windows; curve uses {len(val_curve)})", flush=True)

    if args.arch == "gpt2":
        model = GPT2(vocab, args.context, args.width, args.layers, args.heads, args.ffn, args.activation, args.dropout)
    else:
        if args.dropout:
            ap.error(f"--arch {args.arch} has no dropout (give --dropout 0)")
        model = Llama(vocab, args.context, args.width, args.layers, args.heads, args.ffn,
                      experts=args.experts if args.arch == "mixtral" else 0, top_k=args.top_k, aux_coef=args.aux_coef)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    gen = torch.Generator().manual_seed(args.seed)
    offsets_range = len(stream) - args.context - 1
    ar = torch.arange(args.context + 1)

    def evaluate(windows):
        model.eval()
        with torch.no_grad():
            s, n = window_nll(model, windows)
        model.train()
        return s / n

    rows = []
    name = os.path.basename(os.path.normpath(args.out))
    log_dir = os.path.join(HERE, "logs", name)
    if not args.bench:
        os.makedirs(log_dir, exist_ok=True)
        os.makedirs(args.out, exist_ok=True)
    curve_path = os.path.join(args.out, "training-curve.csv")
    steps = args.bench or args.steps
    t_train = time.time()
    ema = None
    model.train()
    for step in range(steps + 1):
        if step % args.eval_every == 0 or step == steps:
            if not args.bench:
                t_eval = time.time()
                val = evaluate(val_curve)
                rows.append({"step": step, "tokens": step * args.batch * args.context,
                             "lr": lr_at(min(step, steps - 1), steps, args.lr, args.warmup, args.lr_floor),
                             "train_loss_ema": "" if ema is None else round(ema, 5), "val_loss_subset": round(val, 5),
                             "wall_s": round(time.time() - t_train, 1)})
                print(f"step {step}/{steps} train(ema) {ema if ema is None else round(ema, 4)} val(subset) {val:.4f} "
                      f"[eval {time.time() - t_eval:.1f}s, {time.time() - t_train:.0f}s]", flush=True)
                with open(curve_path + ".tmp", "w", newline="") as f:
                    w = csv.DictWriter(f, fieldnames=list(rows[0]))
                    w.writeheader()
                    w.writerows(rows)
                os.replace(curve_path + ".tmp", curve_path)
        if step == steps:
            break
        lr = lr_at(step, steps, args.lr, args.warmup, args.lr_floor)
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, offsets_range, (args.batch,), generator=gen)
        xb = stream[starts[:, None] + ar]
        logits = model(xb[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, vocab), xb[:, 1:].reshape(-1))
        aux = model.aux_loss() if args.arch == "mixtral" else None
        opt.zero_grad(set_to_none=True)
        (loss if aux is None else loss + aux).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        ema = float(loss) if ema is None else 0.95 * ema + 0.05 * float(loss)
        if args.bench and step == 1:
            t_bench = time.time()
    train_wall = time.time() - t_train
    if args.bench:
        dt = (time.time() - t_bench) / (steps - 2)
        print(f"bench: {dt:.3f} s/step, {args.batch * args.context / dt:.0f} tokens/s (threads={args.threads})")
        return

    ckpt = os.path.join(log_dir, "final.pt")
    torch.save({"state_dict": model.state_dict(), "cfg": model.cfg, "args": vars(args)}, ckpt)
    t_eval = time.time()
    full_val = evaluate(val_all)
    print(f"final validation (fp32, all {len(val_all)} windows): loss {full_val:.4f} ppl {math.exp(full_val):.2f} "
          f"[{time.time() - t_eval:.0f}s]", flush=True)
    n_last = max(1, round(0.2 * steps))
    before = [r for r in rows if r["step"] <= steps - n_last][-1]
    training = {
        "seed": args.seed,
        "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("out", "split", "tokenizer", "bench")},
        "parameters": n_params,
        "active_parameters": model.active_parameters() if args.arch != "gpt2" else n_params,
        "train_stream_tokens": len(stream),
        "steps": steps,
        "tokens_seen": steps * args.batch * args.context,
        "epochs": round(steps * args.batch * args.context / len(stream), 3),
        "train_wall_s": round(train_wall, 1),
        "total_wall_s_before_export": round(time.time() - t_start, 1),
        "final_train_loss_ema": round(ema, 5),
        "val_loss_subset_curve": {"windows": len(val_curve), "every_kth_window": k},
        "val_loss_fp32_all_windows": round(full_val, 5),
        "flattening": {
            "last_fraction_of_steps": 0.2,
            "val_loss_subset_at_step": {str(before["step"]): before["val_loss_subset"], str(steps): rows[-1]["val_loss_subset"]},
            "relative_improvement": round((before["val_loss_subset"] - rows[-1]["val_loss_subset"]) / before["val_loss_subset"], 5),
        },
        "torch": torch.__version__,
        "threads": args.threads,
        "checkpoint": os.path.relpath(ckpt, HERE),
    }
    with open(os.path.join(log_dir, "training.json"), "w") as f:
        json.dump(training, f, indent=1)
    import export  # imported late: a run can be re-exported from final.pt with export.py

    if args.arch == "gpt2":
        export.export(model, tok, args.out, args.tokenizer, args.split, training, val_ids, args.dtype)
    else:
        import export_llama

        export_llama.export(model, tok, args.out, args.tokenizer, args.split, training, val_ids, args.dtype)
    print(f"done in {time.time() - t_start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
