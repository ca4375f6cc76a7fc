#!/usr/bin/python3
"""The PyTorch baseline of the capture bench: what researchers do today with hooks.

A plain-PyTorch GPT-2 (nn.Modules shaped like Hugging Face's GPT2Model, eager attention, the HF
NewGELUActivation formula as its own module), float32, torch.no_grad, loading the bench's
model.safetensors with a small reader of its own. A forward hook on every MLP activation module
folds the activations into per-neuron statistics (count, sum, sumsq, min, max, count > threshold)
and, when asked, a running top-k over tokens. No language-model head: the forward stops after the
last block's output (no final norm, no unembedding), as the graph under test does.

usage: torch_capture.py FOLDER --batch B --seq T --threads N --topk K --threshold X --ids FILE
  FILE: int32 [B, T], the token ids every forward runs on.
It serves the bench (bench/capture.ts), which interleaves these runs with its own so both see the
same machine load: a JSON line {"ready": ...} on stdout, then one JSON line per command read from
stdin ("run NAME", "check NAME", "quit"; see main). Without torch it prints {"skipped": why} and
exits 0. Progress goes to stderr.
"""
import argparse
import json
import math
import os
import sys
import time

try:
    import numpy as np
    import torch
    from torch import nn
except Exception as e:  # noqa: BLE001 - reported to the bench, which prints it
    print(json.dumps({"skipped": f"cannot import torch/numpy in {sys.executable}: {type(e).__name__}: {e}"}))
    sys.exit(0)


def log(msg):
    print(f"[torch] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# safetensors (F32 only: the bench writes F32)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}; this reader takes F32 only")
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"]).copy()
        out[name] = torch.from_numpy(arr)
    return out


# ------------------------------------------------------------------------------------------------
# the model, as Hugging Face's modeling_gpt2 (eager) builds it


class Conv1D(nn.Module):
    """HF Conv1D: weight [in, out], y = x @ W + b."""

    def __init__(self, w, b):
        super().__init__()
        self.weight = nn.Parameter(w, requires_grad=False)
        self.bias = nn.Parameter(b, requires_grad=False)

    def forward(self, x):
        shape = x.shape[:-1] + (self.weight.shape[1],)
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(shape)


class NewGELU(nn.Module):
    """HF NewGELUActivation (gelu_new), or torch's fused tanh GELU with fused=True."""

    def __init__(self, fused):
        super().__init__()
        self.fused = fused

    def forward(self, x):
        if self.fused:
            return nn.functional.gelu(x, approximate="tanh")
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, w, p, n_head, n_pos):
        super().__init__()
        self.c_attn = Conv1D(w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])
        self.c_proj = Conv1D(w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
        self.n_head = n_head
        self.register_buffer("bias", torch.tril(torch.ones(n_pos, n_pos, dtype=torch.bool)).view(1, 1, n_pos, n_pos))

    def forward(self, x):
        B, T, D = x.shape
        hd = D // self.n_head
        q, k, v = self.c_attn(x).split(D, dim=2)
        heads = lambda t: t.view(B, T, self.n_head, hd).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = heads(q), heads(k), heads(v)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd)
        mask = self.bias[:, :, :T, :T]
        w = torch.where(mask, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        w = nn.functional.softmax(w, dim=-1)
        o = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous().view(B, T, D)
        return self.c_proj(o)


class MLP(nn.Module):
    def __init__(self, w, p, fused):
        super().__init__()
        self.c_fc = Conv1D(w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"])
        self.act = NewGELU(fused)
        self.c_proj = Conv1D(w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


def layer_norm(w, p, eps):
    ln = nn.LayerNorm(w[p + ".weight"].shape[0], eps=eps)
    ln.weight = nn.Parameter(w[p + ".weight"], requires_grad=False)
    ln.bias = nn.Parameter(w[p + ".bias"], requires_grad=False)
    return ln


class Block(nn.Module):
    def __init__(self, w, p, cfg, fused):
        super().__init__()
        eps = cfg["layer_norm_epsilon"]
        self.ln_1 = layer_norm(w, p + "ln_1", eps)
        self.attn = Attention(w, p, cfg["n_head"], cfg["n_positions"])
        self.ln_2 = layer_norm(w, p + "ln_2", eps)
        self.mlp = MLP(w, p, fused)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2Blocks(nn.Module):
    """GPT2Model up to the last block's output: no ln_f, no lm head."""

    def __init__(self, w, cfg, fused):
        super().__init__()
        p = "transformer." if "transformer.wte.weight" in w else ""
        self.wte = nn.Embedding.from_pretrained(w[p + "wte.weight"])
        self.wpe = nn.Embedding.from_pretrained(w[p + "wpe.weight"])
        self.h = nn.ModuleList([Block(w, f"{p}h.{i}.", cfg, fused) for i in range(cfg["n_layer"])])

    def forward(self, ids):
        pos = torch.arange(ids.shape[1], dtype=torch.long)
        x = self.wte(ids) + self.wpe(pos)[None]
        for block in self.h:
            x = block(x)
        return x


# ------------------------------------------------------------------------------------------------
# the hooks


class NeuronStats:
    """Per-layer running statistics of the MLP activation, folded in by a forward hook."""

    def __init__(self, n_layer, n_ff, threshold, topk):
        self.L, self.F, self.threshold, self.k = n_layer, n_ff, threshold, topk
        self.reset()

    def reset(self):
        L, F = self.L, self.F
        self.count = torch.zeros(L, dtype=torch.int64)
        self.sum = torch.zeros(L, F)
        self.sumsq = torch.zeros(L, F)
        self.min = torch.full((L, F), math.inf)
        self.max = torch.full((L, F), -math.inf)
        self.fire = torch.zeros(L, F, dtype=torch.int64)
        self.top_v = [None] * L
        self.top_i = [None] * L

    def hook(self, layer):
        def fn(_module, _inputs, out):
            a = out.reshape(-1, out.shape[-1])  # [tokens, F]
            seen = int(self.count[layer])
            self.count[layer] += a.shape[0]
            self.sum[layer] += a.sum(0)
            self.sumsq[layer] += (a * a).sum(0)
            torch.minimum(self.min[layer], a.amin(0), out=self.min[layer])
            torch.maximum(self.max[layer], a.amax(0), out=self.max[layer])
            self.fire[layer] += (a > self.threshold).sum(0)
            if self.k > 0:
                v, i = a.topk(min(self.k, a.shape[0]), dim=0)  # [k, F]
                i = i + seen
                if self.top_v[layer] is not None:
                    v, j = torch.cat([self.top_v[layer], v]).topk(min(self.k, seen + a.shape[0]), dim=0)
                    i = torch.cat([self.top_i[layer], i]).gather(0, j)
                self.top_v[layer], self.top_i[layer] = v, i

        return fn


def blas_libs():
    """The BLAS shared objects this process has mapped (Debian's generic BLAS is an alternative)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() or "lapack" in line.lower()}
        return sorted({os.path.realpath(p) for p in libs})
    except OSError:
        return []


def openblas_info(libs):
    """OpenBLAS's own account of the kernels it chose (its cpuid detection can fail in VMs)."""
    import ctypes

    for path in libs:
        if "openblas" not in os.path.basename(path):
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {
                "core": lib.openblas_get_corename().decode(),
                "config": lib.openblas_get_config().decode().strip(),
                "threads": lib.openblas_get_num_threads(),
                "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            }
        except (OSError, AttributeError):
            return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--topk", type=int, default=16)
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--variants", default="stats,stats+topk,stats+fused-gelu")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    cfg = json.load(open(os.path.join(a.folder, "config.json")))
    t0 = time.perf_counter()
    w = read_safetensors(os.path.join(a.folder, "model.safetensors"))
    load_s = time.perf_counter() - t0
    log(f"loaded {len(w)} tensors in {load_s:.1f} s; torch {torch.__version__}, {torch.get_num_threads()} threads")
    ids = torch.from_numpy(np.fromfile(a.ids, dtype="<i4").astype(np.int64)).view(a.batch, a.seq)
    L, F = cfg["n_layer"], cfg["n_inner"] or 4 * cfg["n_embd"]

    # one model per variant (the weight tensors are shared), each with its hooks on every MLP activation
    variants = {}
    for name in a.variants.split(","):
        fused = "fused-gelu" in name
        topk = a.topk if "topk" in name else 0
        model = GPT2Blocks(w, cfg, fused).eval()
        stats = NeuronStats(L, F, a.threshold, topk)
        for i, blk in enumerate(model.h):
            blk.mlp.act.register_forward_hook(stats.hook(i))
        variants[name] = (model, stats, {"name": name, "topk": topk, "fused_gelu": fused})

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({
        "ready": True,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": next((tok.split("=", 1)[1].split(",")[0] for tok in torch.__config__.show().split() if tok.startswith("BLAS_INFO=")), "?"),
        "blas_libs": blas_libs(),
        "openblas": openblas_info(blas_libs()),
        "load_s": load_s,
        "variants": [v[2] for v in variants.values()],
    })
    # torch's own GEMM on the bench's MatMul reference shape, for scale
    mm_a, mm_b, mm_out = torch.randn(2048, 768), torch.randn(768, 3072) * 0.02, torch.empty(2048, 3072)
    mm_bias = torch.zeros(3072)
    torch.addmm(mm_bias, mm_a, mm_b, out=mm_out)
    t = time.perf_counter()
    torch.addmm(mm_bias, mm_a, mm_b, out=mm_out)
    mm_reps = max(1, round(0.5 / (time.perf_counter() - t)))

    # commands on stdin, one a line: "run NAME" -> {"s": seconds of one forward}; "check NAME" ->
    # statistics folded per layer of one forward over fresh accumulators; "matmul" -> {"s":
    # seconds of one addmm [2048x768]x[768x3072]}; "quit"
    with torch.no_grad():
        for line in sys.stdin:
            cmd, _, name = line.strip().partition(" ")
            if cmd == "quit":
                break
            if cmd == "matmul":
                t = time.perf_counter()
                for _ in range(mm_reps):
                    torch.addmm(mm_bias, mm_a, mm_b, out=mm_out)
                reply({"s": (time.perf_counter() - t) / mm_reps})
                continue
            if name not in variants:
                reply({"error": f"no variant {name!r}; have {sorted(variants)}"})
                continue
            model, stats, _ = variants[name]
            if cmd == "run":
                t = time.perf_counter()
                model(ids)
                reply({"s": time.perf_counter() - t})
            elif cmd == "check":
                stats.reset()
                model(ids)
                reply({
                    "count": int(stats.count[0]),
                    "sum": stats.sum.double().sum(1).tolist(),
                    "sumsq": stats.sumsq.double().sum(1).tolist(),
                    "min": stats.min.amin(1).tolist(),
                    "max": stats.max.amax(1).tolist(),
                    "fire": stats.fire.sum(1).tolist(),
                })
                stats.reset()
            else:
                reply({"error": f"unknown command {cmd!r}"})


if __name__ == "__main__":
    main()
