#!/usr/bin/env python3
"""Split a labelled message file into train and test so that near-duplicates stay on
one side.

Rows whose normalised text (NFKC, lower case, links -> one placeholder, digit runs -> #,
white space and punctuation dropped) has a character-3-gram Jaccard similarity >= the
threshold (default 0.7) are put in one group (union-find over verified pairs). Candidate
pairs come from MinHash (48 values, from blake2b) with LSH banding (16 bands of 3 rows);
every candidate pair is verified with the exact Jaccard of the shingle sets, so the
grouping has no false merges and misses only pairs that LSH never proposes (at Jaccard
0.7 the chance that a pair is never proposed is about 0.1%).

Whole groups are then assigned to train or test: groups are shuffled with the seed and,
per label (a group's most common label), added to train until that label's train rows
reach the train fraction. The two output files keep the input's format: the same header
line (if any), the same columns, the same row order.

Formats: TSV `label<TAB>text` with or without a header (`label`, `category` or `class`
as first field), CSV with a header naming the text column (`text`, `content`, `message`,
`sms`, `smses`, `sms translation`, `msg`) and the label column (`label`, `labels`,
`class`, `category`), JSON Lines with `text` and `label`.

Usage:
  split_near_duplicates.py INPUT OUTDIR [--train-fraction 0.3] [--seed 1] [--threshold 0.7]

Writes OUTDIR/train.<ext> and OUTDIR/test.<ext> (ext of INPUT, `tsv` if it has none) and
prints a one-line summary to standard error. Python 3 standard library only.
"""

import argparse
import csv
import hashlib
import json
import os
import random
import re
import struct
import sys
import time
import unicodedata
from collections import Counter, defaultdict

NUM_HASH_CALLS = 3  # each blake2b call yields 16 32-bit values
NUM_PERM = 16 * NUM_HASH_CALLS
BANDS = 16
ROWS = NUM_PERM // BANDS

TEXT_COLUMNS = ["text", "content", "message", "sms", "smses", "sms translation", "msg"]
LABEL_COLUMNS = ["label", "labels", "class", "category"]

LINK = re.compile(
    r"(?:https?://|hxxps?://|www\.)\S+"  # explicit links
    r"|\S+@\S+\.[a-z]{2,}"  # e-mail addresses
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?"  # bare domains
    r"|\burl[a-z0-9]*\b",  # FBS-style URL placeholders (URL, URLdfge)
    re.IGNORECASE,
)
DIGITS = re.compile(r"\d+")


def canonical(text):
    """Normalised text: NFKC, lower case, links -> U+27E8, digit runs -> #, only
    letters, digits and the two placeholders kept."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = LINK.sub("\u27e8", t)
    t = DIGITS.sub("#", t)
    return "".join(c for c in t if c.isalnum() or c in "#\u27e8")


def shingles(canon):
    if len(canon) < 3:
        return frozenset([canon]) if canon else frozenset()
    return frozenset(canon[i : i + 3] for i in range(len(canon) - 2))


_SALTS = [bytes([i]) * 16 for i in range(NUM_HASH_CALLS)]
_UNPACK = struct.Struct("<16I").unpack


def minhash(sh):
    values = []
    for s in sh:
        b = s.encode("utf-8")
        v = []
        for salt in _SALTS:
            v.extend(_UNPACK(hashlib.blake2b(b, digest_size=64, salt=salt).digest()))
        values.append(v)
    return tuple(map(min, zip(*values)))


def jaccard(a, b):
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
            return True
        return False


def group(texts, threshold):
    """Group indices of `texts`: returns a list of group ids (one per text)."""
    n = len(texts)
    uf = UnionFind(n)
    # Identical canonical texts first (cheap and exact).
    by_canon = {}
    for i, t in enumerate(texts):
        c = canonical(t)
        if c in by_canon:
            uf.union(by_canon[c], i)
        else:
            by_canon[c] = i
    reps = list(by_canon.values())
    canons = list(by_canon.keys())
    sets = [shingles(c) for c in canons]
    buckets = defaultdict(list)
    for k, sh in enumerate(sets):
        if len(sh) < 2:  # too short to be a near-duplicate of anything but itself
            continue
        sig = minhash(sh)
        for b in range(BANDS):
            buckets[(b,) + sig[b * ROWS : (b + 1) * ROWS]].append(k)
    ufr = UnionFind(len(canons))
    seen = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for x in range(len(members)):
            a = members[x]
            for y in range(x + 1, len(members)):
                bb = members[y]
                if ufr.find(a) == ufr.find(bb) or (a, bb) in seen:
                    continue
                seen.add((a, bb))
                if jaccard(sets[a], sets[bb]) >= threshold:
                    ufr.union(a, bb)
    for k in range(len(canons)):
        uf.union(reps[k], reps[ufr.find(k)])
    return [uf.find(i) for i in range(n)]


def read(path):
    """Returns (kind, header, rows) where rows are (raw, text, label) and raw is what
    gets written back (a line for TSV/JSONL, a field list for CSV)."""
    ext = os.path.splitext(path)[1].lower()
    with open(path, encoding="utf-8-sig", newline="") as f:
        data = f.read()
    if ext in (".jsonl", ".json", ".ndjson"):
        rows = []
        for line in data.splitlines(keepends=True):
            if not line.strip():
                continue
            obj = json.loads(line)
            rows.append((line, obj["text"], str(obj["label"])))
        return "jsonl", None, rows
    if ext == ".csv":
        reader = csv.reader(data.splitlines(keepends=True))
        header = next(reader)
        names = [h.strip().lower() for h in header]
        tcol = next((names.index(n) for n in TEXT_COLUMNS if n in names), None)
        lcol = next((names.index(n) for n in LABEL_COLUMNS if n in names), None)
        if tcol is None or lcol is None:
            sys.exit(f"{path}: header {header} names no text or label column")
        rows = []
        for rec in reader:
            if not any(field.strip() for field in rec):
                continue
            get = lambda c: rec[c] if c < len(rec) else ""
            rows.append((rec, get(tcol), get(lcol)))
        return "csv", header, rows
    # TSV (also files without extension, like SMSSpamCollection)
    lines = data.splitlines(keepends=True)
    header = None
    if lines and lines[0].split("\t", 1)[0].strip().lower() in ("label", "category", "class"):
        header, lines = lines[0], lines[1:]
    rows = []
    for line in lines:
        if not line.strip():
            continue
        label, _, text = line.rstrip("\r\n").partition("\t")
        rows.append((line if line.endswith("\n") else line + "\n", text, label))
    return "tsv", header, rows


def write(path, kind, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        if kind == "csv":
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for raw, _, _ in rows:
                w.writerow(raw)
        else:
            if header is not None:
                f.write(header)
            for raw, _, _ in rows:
                f.write(raw)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input")
    p.add_argument("outdir")
    p.add_argument("--train-fraction", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threshold", type=float, default=0.7)
    args = p.parse_args()

    started = time.time()
    kind, header, rows = read(args.input)
    groups = group([r[1] for r in rows], args.threshold)

    members = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    # A group's label is its most common label (ties: the first row's).
    group_label = {g: Counter(rows[i][2].strip().lower() for i in idx).most_common(1)[0][0] for g, idx in members.items()}
    rows_per_label = Counter(r[2].strip().lower() for r in rows)
    order = sorted(members)
    random.Random(args.seed).shuffle(order)
    train_rows = Counter()
    train_groups = set()
    for g in order:
        label = group_label[g]
        if train_rows[label] < args.train_fraction * rows_per_label[label]:
            train_groups.add(g)
            train_rows[label] += len(members[g])
    train = [r for r, g in zip(rows, groups) if g in train_groups]
    test = [r for r, g in zip(rows, groups) if g not in train_groups]

    ext = os.path.splitext(args.input)[1] or ".tsv"
    os.makedirs(args.outdir, exist_ok=True)
    write(os.path.join(args.outdir, "train" + ext), kind, header, train)
    write(os.path.join(args.outdir, "test" + ext), kind, header, test)
    multi = sum(1 for idx in members.values() if len(idx) > 1)
    largest = max(len(idx) for idx in members.values())
    print(
        f"{args.input}: {len(rows)} rows, {len(members)} groups ({multi} with >1 row, largest {largest}); "
        f"train {len(train)} rows, test {len(test)} rows; {time.time() - started:.1f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
