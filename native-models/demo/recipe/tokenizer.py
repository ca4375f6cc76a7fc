#!/usr/bin/python3
"""Byte-level BPE in the GPT-2 style, trained on the training split only, saved as tokenizer.json.

- Bytes: the 256 symbols of GPT-2's bytes_to_unicode(); token id b (0..255) is byte b.
- Pre-tokenization: GPT-2's regex
      's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
  which is what the ByteLevel pre-tokenizer of Hugging Face tokenizers (Rust and
  @huggingface/tokenizers in JS) applies. Python's `re` has no \\p{..}; PRE_TOKENIZE approximates
  \\p{L} with [^\\W\\d_] (str.isalpha-ish: also matches numeric characters that are not
  decimal digits, e.g. '²', '½'), \\p{N} with \\d (decimal digits only, Unicode Nd), and
  [^\\s\\p{L}\\p{N}] with [^\\s\\w]|_. Python's \\s also matches \\x1c-\\x1f and \\x85, which
  JavaScript's does not. None of these differences can occur on the Brown corpus (pure ASCII),
  where the two regexes split identically; check_tokenizer.mjs verifies that Node encodes the
  whole validation split to exactly the ids this file produces.
- Merges: the classic BPE trainer over pre-token counts: repeatedly merge the most frequent
  adjacent pair (ties: the lexicographically smallest pair of symbol strings), until the
  vocabulary (256 bytes + merged symbols) has VOCAB-1 entries; <|endoftext|> is the last id.
- Encoding (encode()): per pre-token, repeatedly merge the adjacent pair of lowest merge rank,
  leftmost first, as GPT-2's encoder.py and the Hugging Face BPE model do.

Run:  /usr/bin/python3 tokenizer.py --split split.json --vocab 4096 --out tokenizer.json
(--dump validation prints the encoded validation documents for check_tokenizer.mjs)
"""
import argparse
import collections
import heapq
import json
import os
import re
import sys
import time

import data

EOT = "<|endoftext|>"
PRE_TOKENIZE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}


def pre_tokens(text):
    """Pre-tokens of text as byte-level strings (each character one byte symbol)."""
    return ["".join(BYTE_ENCODER[b] for b in piece.encode("utf-8")) for piece in PRE_TOKENIZE.findall(text)]


def train_bpe(texts, vocab_size):
    counts = collections.Counter()
    for text in texts:
        counts.update(pre_tokens(text))
    words = [list(w) for w in counts]
    freqs = [counts[w] for w in counts]
    pair_count = collections.defaultdict(int)
    pair_where = collections.defaultdict(set)
    for i, (w, f) in enumerate(zip(words, freqs)):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += f
            pair_where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)

    vocab = {BYTE_ENCODER[b]: b for b in range(256)}
    merges = []
    target = vocab_size - 1  # the last id is <|endoftext|>
    while len(vocab) < target and heap:
        negc, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negc:
            continue  # stale entry
        if -negc < 2:
            break
        a, b = pair
        new = a + b
        merges.append(pair)
        if new not in vocab:
            vocab[new] = len(vocab)
        changed = set()
        for i in list(pair_where[pair]):
            w, f = words[i], freqs[i]
            # remove this word's old pairs
            for p in zip(w, w[1:]):
                pair_count[p] -= f
                changed.add(p)
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            for p in zip(w, w[1:]):
                pair_where[p].discard(i)
            words[i] = out
            for p in zip(out, out[1:]):
                pair_count[p] += f
                pair_where[p].add(i)
                changed.add(p)
        for p in changed:
            c = pair_count[p]
            if c <= 0:
                pair_count.pop(p, None)
                pair_where.pop(p, None)
            else:
                heapq.heappush(heap, (-c, p))
    return vocab, merges


class BPETokenizer:
    def __init__(self, vocab, merges):
        self.vocab = dict(vocab)
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.merges = [tuple(m) for m in merges]
        self.cache = {}
        self.eot = self.vocab[EOT]

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        merges = [m.split(" ") if isinstance(m, str) else m for m in j["model"]["merges"]]
        return cls(j["model"]["vocab"], merges)

    def bpe(self, token):
        hit = self.cache.get(token)
        if hit is not None:
            return hit
        word = list(token)
        while len(word) > 1:
            best, best_rank = None, None
            for k in range(len(word) - 1):
                r = self.ranks.get((word[k], word[k + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = k, r
            if best is None:
                break
            a, b = word[best], word[best + 1]
            out, j = [], 0
            while j < len(word):
                if j + 1 < len(word) and word[j] == a and word[j + 1] == b:
                    out.append(a + b)
                    j += 2
                else:
                    out.append(word[j])
                    j += 1
            word = out
        ids = [self.vocab[t] for t in word]
        self.cache[token] = ids
        return ids

    def encode(self, text):
        """Ids of text (no special tokens added; '<|endoftext|>' inside text is NOT special-cased)."""
        out = []
        for p in pre_tokens(text):
            out.extend(self.bpe(p))
        return out

    def decode(self, ids):
        bs = bytearray()
        for i in ids:
            if i == self.eot:
                bs.extend(EOT.encode("utf-8"))
            else:
                bs.extend(BYTE_DECODER[c] for c in self.id_to_token[i])
        return bs.decode("utf-8", errors="replace")


def tokenizer_json(vocab, merges):
    full = dict(vocab)
    eot_id = len(full)
    full[EOT] = eot_id
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": eot_id, "content": EOT, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": {**byte_level, "trim_offsets": False},
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": full, "merges": [f"{a} {b}" for a, b in merges]},
    }


def tokenizer_config(context):
    return {
        "tokenizer_class": "GPT2Tokenizer",
        "bos_token": EOT,
        "eos_token": EOT,
        "unk_token": EOT,
        "add_prefix_space": False,
        "add_bos_token": False,
        "model_max_length": context,
        "clean_up_tokenization_spaces": False,
    }


def write_json(path, obj, indent=None):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "split.json"))
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--out", help="tokenizer.json to write")
    ap.add_argument("--dump", choices=["validation", "train", "all"],
                    help="instead of training: print JSON {doc id: {text, ids}} encoded with --tokenizer")
    ap.add_argument("--tokenizer", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenizer.json"))
    args = ap.parse_args()
    split = data.load_split(args.split)
    docs = {d: t for d, _, t in data.documents()}
    if args.dump:
        tok = BPETokenizer.load(args.tokenizer)
        ids = {"validation": split["validation"], "train": split["train"], "all": list(docs)}[args.dump]
        json.dump({d: {"text": docs[d], "ids": tok.encode(docs[d])} for d in ids}, sys.stdout)
        return
    if not args.out:
        ap.error("--out is required when training")
    t0 = time.time()
    vocab, merges = train_bpe([docs[d] for d in split["train"]], args.vocab)
    write_json(args.out, tokenizer_json(vocab, merges))
    print(f"{len(vocab) + 1} tokens, {len(merges)} merges in {time.time() - t0:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
