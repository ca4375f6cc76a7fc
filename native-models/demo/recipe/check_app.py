#!/usr/bin/python3
"""Checks that FFN Lab loads a demo model and computes what PyTorch computes.

Run from the repository root after `node scripts/build.mjs --node-only`:
  /usr/bin/python3 native-models/demo/recipe/check_app.py native-models/demo/brown-gpt2-gelu [--window-doc cf04]

In a fresh data folder (FFN_LAB_DATA=a temporary folder) it runs the app's CLI:
  import <model> --json; generate --prompt "The jury said" --max-new 20 --json;
  logits --ids <one validation window> --json
and compares those logits with export.reference_forward() (GPT-2) or export_llama.reference_forward()
(Llama, Mixtral) on the same shipped weights, in
float32 (the F16 values converted exactly). Prints the largest absolute difference and the window's
mean NLL from both; exits 1 when the difference exceeds --tol (default 1e-3).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import data  # noqa: E402
import export  # noqa: E402
import export_llama  # noqa: E402
from tokenizer import BPETokenizer  # noqa: E402


def cli(args, env):
    # stdout into a file, not a pipe: the CLI may exit before a large write to a pipe drains
    with tempfile.TemporaryFile("w+") as out:
        p = subprocess.run(["node", os.path.join(REPO, "dist", "electron", "cli.js"), *args, "--json"], cwd=REPO,
                           env=env, stdout=out, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f"ffn-lab {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
        out.seek(0)
        return json.loads(out.read()), p.stderr.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--window-doc", help="validation document for the logits window (default: the first)")
    ap.add_argument("--tokens", type=int, default=0, help="window length (default: the model's context)")
    ap.add_argument("--prompt", default="The jury said")
    ap.add_argument("--tol", type=float, default=1e-3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = os.path.abspath(args.model)
    with open(os.path.join(model, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(model, "recipe.json")) as f:
        recipe = json.load(f)
    doc = args.window_doc or recipe["data"]["validation_documents"][0]
    if doc not in recipe["data"]["validation_documents"]:
        sys.exit(f"{doc} is not a validation document of {model}")
    tok = BPETokenizer.load(os.path.join(model, "tokenizer.json"))
    text = dict((d, t) for d, _, t in data.documents())[doc]
    n = args.tokens or config.get("n_positions") or config["max_position_embeddings"]
    ids = tok.encode(text)[:n]

    env = dict(os.environ, FFN_LAB_DATA=tempfile.mkdtemp(prefix="ffn-lab-check-"))
    imported, _ = cli(["import", model], env)
    print("import:", json.dumps(imported["model"]))
    gen, _ = cli(["generate", "--model", model, "--prompt", args.prompt, "--max-new", "20"], env)
    print("generate:", json.dumps({k: v for k, v in gen.items() if k != "ids"}))
    out, info = cli(["logits", "--model", model, "--ids", ",".join(map(str, ids))], env)
    print("logits:", info)
    app = torch.tensor(out["logits"], dtype=torch.float32)

    weights = export.read_safetensors(os.path.join(model, "model.safetensors"))
    with torch.no_grad():
        forward = export.reference_forward if config["model_type"] == "gpt2" else export_llama.reference_forward
        ref = forward(weights, config, torch.tensor([ids]))[0]
    diff = (app - ref).abs().max().item()
    x = torch.tensor(ids)
    nll = lambda lg: float(-torch.log_softmax(lg[:-1].double(), -1).gather(-1, x[1:, None]).mean())  # noqa: E731
    print(f"window: {doc}, first {len(ids)} tokens; max |app - pytorch| logit = {diff:.3g} (tol {args.tol}); "
          f"mean NLL app {nll(app):.6f} pytorch {nll(ref):.6f}; argmax agreement "
          f"{float((app.argmax(-1) == ref.argmax(-1)).float().mean()):.4f}")
    sys.exit(0 if diff <= args.tol else 1)


if __name__ == "__main__":
    main()
