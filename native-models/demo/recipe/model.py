"""GPT-2 (as Hugging Face's GPT2LMHeadModel computes it) in plain PyTorch, for the demo recipe.

nn.Linear stores [out, in]; export.py transposes to GPT-2's Conv1D [in, out] layout.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, ffn, activation, dropout, eps):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.c_attn = nn.Linear(d, 3 * d)
        self.attn_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.c_fc = nn.Linear(d, ffn)
        self.mlp_proj = nn.Linear(ffn, d)
        self.activation = activation
        self.drop = nn.Dropout(dropout)
        self.dropout = dropout

    def act(self, x):
        if self.activation == "gelu_new":
            return F.gelu(x, approximate="tanh")
        if self.activation == "relu":
            return F.relu(x)
        raise ValueError(f"activation {self.activation!r}; expected gelu_new or relu")

    def forward(self, x, mask):
        B, T, D = x.shape
        h = self.ln_1(x)
        q, k, v = self.c_attn(h).split(D, dim=2)
        hd = D // self.heads
        q, k, v = (t.view(B, T, self.heads, hd).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(mask[:T, :T], float("-inf"))
        att = self.drop(torch.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.drop(self.attn_proj(y))
        x = x + self.drop(self.mlp_proj(self.act(self.c_fc(self.ln_2(x)))))
        return x


class GPT2(nn.Module):
    def __init__(self, vocab, context, d, layers, heads, ffn, activation, dropout=0.0, eps=1e-5):
        super().__init__()
        self.cfg = dict(vocab=vocab, context=context, d=d, layers=layers, heads=heads, ffn=ffn,
                        activation=activation, dropout=dropout, eps=eps)
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList([Block(d, heads, ffn, activation, dropout, eps) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, eps=eps)
        self.register_buffer("mask", torch.ones(context, context, dtype=torch.bool).triu(1), persistent=False)
        self.reset_parameters()

    def reset_parameters(self):
        # GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 * layers).
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln_" in name or name.startswith("ln_"):
                nn.init.ones_(p)
            else:
                std = 0.02
                if name.endswith("attn_proj.weight") or name.endswith("mlp_proj.weight"):
                    std = 0.02 / math.sqrt(2 * len(self.h))
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.drop(self.wte(ids) + self.wpe(torch.arange(T)))
        for block in self.h:
            x = block(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.t()  # tied unembedding


def window_nll(model, windows):
    """Summed NLL (float64) and count of next-token predictions over a list of 1-D id tensors."""
    total, count = 0.0, 0
    # group windows of equal length so they batch
    by_len = {}
    for w in windows:
        by_len.setdefault(len(w), []).append(w)
    for n, ws in sorted(by_len.items()):
        if n < 2:
            continue
        for i in range(0, len(ws), 32):
            x = torch.stack(ws[i:i + 32])
            logits = model(x[:, :-1]).float()
            nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction="sum")
            total += float(nll)
            count += x.shape[0] * (n - 1)
    return total, count


def validation_windows(docs_ids, context):
    """The validation protocol: each document's ids (no special tokens) cut into consecutive,
    non-overlapping windows of `context` tokens (the last one shorter); every window is evaluated
    on its own from an empty context; a window of n tokens yields n-1 predictions."""
    out = []
    for ids in docs_ids:
        t = torch.tensor(ids, dtype=torch.long)
        for s in range(0, len(t), context):
            out.append(t[s:s + context])
    return out
