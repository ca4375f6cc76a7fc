"""Llama and Mixtral (as Hugging Face's LlamaForCausalLM / MixtralForCausalLM compute them) in plain
PyTorch, for the dense-vs-MoE demo pair.

Both: RMSNorm before attention and before the FFN, rotary position embeddings on halves
(HF rotate_half), no biases, tied input/output embeddings. The FFN is SwiGLU,
down(silu(gate(x)) * up(x)); Mixtral replaces it with a router over E such experts:

  probs  = softmax(router(x))          in float32, over all E experts
  w, sel = topk(probs, k); w /= sum(w)  (modeling_mixtral: softmax first, then top-k, renormalised)
  out    = sum_j w_j * expert_sel_j(x)

and training adds Mixtral's load-balancing loss (modeling_mixtral load_balancing_loss_func) times
router_aux_loss_coef. nn.Linear stores [out, in], as HF does, so export needs no transposes.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotary(x, cos, sin):
    """x [B, H, T, hd]; HF's rotate_half convention (pairs i and i + hd/2)."""
    h = x.shape[-1] // 2
    rot = torch.cat((-x[..., h:], x[..., :h]), dim=-1)
    return x * cos + rot * sin


class SwiGLU(nn.Module):
    def __init__(self, d, ffn):
        super().__init__()
        self.gate = nn.Linear(d, ffn, bias=False)
        self.up = nn.Linear(d, ffn, bias=False)
        self.down = nn.Linear(ffn, d, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class SparseMoe(nn.Module):
    """Mixtral's block_sparse_moe: tokens grouped by expert, as the reference code computes it."""

    def __init__(self, d, expert_ffn, experts, top_k):
        super().__init__()
        self.router = nn.Linear(d, experts, bias=False)
        self.experts = nn.ModuleList([SwiGLU(d, expert_ffn) for _ in range(experts)])
        self.top_k = top_k

    def forward(self, x):
        B, T, D = x.shape
        flat = x.reshape(-1, D)
        logits = self.router(flat)
        probs = torch.softmax(logits, dim=-1, dtype=torch.float)
        w, sel = torch.topk(probs, self.top_k, dim=-1)
        w = (w / w.sum(dim=-1, keepdim=True)).to(x.dtype)
        out = torch.zeros_like(flat)
        for j, expert in enumerate(self.experts):
            tok, slot = torch.where(sel == j)
            if tok.numel() == 0:
                continue
            out.index_add_(0, tok, expert(flat[tok]) * w[tok, slot, None])
        return out.reshape(B, T, D), logits


def load_balancing_loss(router_logits, experts, top_k):
    """modeling_mixtral.load_balancing_loss_func (no padding mask): router logits of all layers
    concatenated; E * sum_e (fraction of top-k slots that chose e) * (mean router probability of e)."""
    logits = torch.cat(router_logits, dim=0)
    probs = torch.softmax(logits, dim=-1)
    _, sel = torch.topk(probs, top_k, dim=-1)
    mask = F.one_hot(sel, experts).float()  # [N, k, E]
    tokens_per_expert = mask.mean(dim=0)  # [k, E]
    prob_per_expert = probs.mean(dim=0)  # [E]
    return (tokens_per_expert * prob_per_expert[None]).sum() * experts


class Block(nn.Module):
    def __init__(self, d, heads, ffn, eps, experts, top_k):
        super().__init__()
        self.heads = heads
        self.input_layernorm = RMSNorm(d, eps)
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, eps)
        self.mlp = SparseMoe(d, ffn, experts, top_k) if experts else SwiGLU(d, ffn)

    def forward(self, x, mask, cos, sin):
        B, T, D = x.shape
        hd = D // self.heads
        h = self.input_layernorm(x)
        q, k, v = (p(h).view(B, T, self.heads, hd).transpose(1, 2) for p in (self.q, self.k, self.v))
        q, k = rotary(q, cos, sin), rotary(k, cos, sin)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(mask[:T, :T], float("-inf"))
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.o(y)
        m = self.mlp(self.post_attention_layernorm(x))
        if isinstance(m, tuple):
            m, logits = m
            return x + m, logits
        return x + m, None


class Llama(nn.Module):
    """experts=0: LlamaForCausalLM with FFN width `ffn`; experts>0: MixtralForCausalLM with `experts`
    experts of width `ffn` each, top_k routed per token."""

    def __init__(self, vocab, context, d, layers, heads, ffn, experts=0, top_k=2, eps=1e-5, theta=10000.0,
                 aux_coef=0.01):
        super().__init__()
        self.cfg = dict(vocab=vocab, context=context, d=d, layers=layers, heads=heads, ffn=ffn, experts=experts,
                        top_k=top_k, eps=eps, theta=theta, aux_coef=aux_coef)
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList([Block(d, heads, ffn, eps, experts, top_k) for _ in range(layers)])
        self.norm = RMSNorm(d, eps)
        hd = d // heads
        inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        freqs = torch.arange(context, dtype=torch.float32)[:, None] * inv[None]
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)
        self.register_buffer("mask", torch.ones(context, context, dtype=torch.bool).triu(1), persistent=False)
        self.reset_parameters()
        self.router_logits = []

    def reset_parameters(self):
        # N(0, 0.02) as HF's initializer_range; output projections scaled by 1/sqrt(2 * layers) as the
        # GPT-2 demo models are (the same recipe); norms at one.
        for name, p in self.named_parameters():
            if name.endswith("layernorm.weight") or name == "norm.weight":
                nn.init.ones_(p)
            else:
                std = 0.02
                if name.endswith(".o.weight") or name.endswith("down.weight"):
                    std = 0.02 / math.sqrt(2 * len(self.layers))
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.embed(ids)
        cos, sin = self.cos[:T][None, None], self.sin[:T][None, None]
        self.router_logits = []
        for block in self.layers:
            x, logits = block(x, self.mask, cos, sin)
            if logits is not None:
                self.router_logits.append(logits)
        return self.norm(x) @ self.embed.weight.t()  # tied unembedding

    def aux_loss(self):
        """Mixtral's load-balancing loss of the last forward, times its coefficient (0 for a dense model)."""
        if not self.router_logits:
            return None
        c = self.cfg
        return c["aux_coef"] * load_balancing_loss(self.router_logits, c["experts"], c["top_k"])

    def active_parameters(self):
        """Parameters one token passes through: all but the experts it is not routed to."""
        c = self.cfg
        total = sum(p.numel() for p in self.parameters())
        if not c["experts"]:
            return total
        per_expert = sum(p.numel() for p in self.layers[0].mlp.experts[0].parameters())
        return total - len(self.layers) * (c["experts"] - c["top_k"]) * per_expert
