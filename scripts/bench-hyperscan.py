#!/usr/bin/env python3
"""Hyperscan on the same generated regexes and corpus as sellerguard's
`rule_scale` bench (`matcher_1000`), for the ratio in BENCHMARKS.md.

Writes the N generated regexes (Hyperscan syntax) and the normalised fixture corpus
(5,000 lines) with `cargo run --release --example synthetic_rules`, compiles the
regexes into one block-mode Hyperscan database (UTF-8, single match per pattern, no
start of match: Hyperscan then only says which patterns match, less than sellerguard's
matcher, which also finds each hit's span), scans every line, and prints the best of
five passes in microseconds per message.

Usage: scripts/bench-hyperscan.py [N]   (default 1000; needs `pip install hyperscan`,
e.g. python3 -m venv /tmp/hs && /tmp/hs/bin/pip install hyperscan &&
/tmp/hs/bin/python scripts/bench-hyperscan.py)
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import hyperscan
except ImportError:
    sys.exit("bench-hyperscan: needs the hyperscan module (pip install hyperscan)")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["cargo", "run", "--quiet", "--release", "--locked", "--example",
             "synthetic_rules", "--", str(n), tmp],
            cwd=root, check=True)
        patterns = Path(tmp, "patterns.txt").read_text().splitlines()
        lines = Path(tmp, "corpus.txt").read_text().splitlines()
    corpus = [line.encode() for line in lines]
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH
    started = time.perf_counter()
    db.compile(expressions=[p.encode() for p in patterns],
               ids=list(range(len(patterns))), flags=[flags] * len(patterns))
    compile_s = time.perf_counter() - started
    matched = set()

    def on_match(pattern, start, end, flags, context):
        matched.add(pattern)
        return 0

    def best_pass(database):
        best = None
        hits = 0
        for _ in range(5):
            hits = 0
            started = time.perf_counter()
            for line in corpus:
                matched.clear()
                database.scan(line, match_event_handler=on_match)
                hits += len(matched)
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        return best / len(corpus) * 1e6, hits

    per_message, hits = best_pass(db)
    # The Python call itself: one literal that never occurs.
    empty = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    empty.compile(expressions=[b"\\x00never\\x00"], ids=[0], flags=[flags])
    overhead, _ = best_pass(empty)
    print(f"hyperscan {hyperscan.__version__}: {len(patterns)} regexes, "
          f"{len(corpus)} messages, compile {compile_s * 1000:.0f} ms, "
          f"{per_message:.2f} us/message (best of 5), of which {overhead:.2f} us "
          f"is the Python call (a one-literal database): "
          f"{per_message - overhead:.2f} us net; {hits} pattern matches per pass")


if __name__ == "__main__":
    main()
