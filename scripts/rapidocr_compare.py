#!/usr/bin/env python3
"""Compare RapidOCR (PP-OCRv4 on onnxruntime) with our Tesseract pool on the same fixtures.

For every NAME.jpg with a NAME.txt in the fixture directory it prints, per engine,
the character error rate (Levenshtein over characters, whitespace removed,
divided by the expected length, as `sellerguard::ocr::character_error_rate`),
how many indicators (URLs, phone numbers, account ids) were read exactly, and
the p50 latency over --repeat reads.

Setup (the models ship inside the wheel; keep the venv out of the repository):
  python3 -m venv /tmp/ocr-venv && /tmp/ocr-venv/bin/pip install rapidocr-onnxruntime
  cargo build --release --example ocr_read
Run from the repository root:
  /tmp/ocr-venv/bin/python scripts/rapidocr_compare.py [--threads 1] [--repeat 5] [DIR]
The Tesseract side runs target/release/examples/ocr_read with OMP_THREAD_LIMIT=1.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import time
from pathlib import Path

INDICATOR = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9\-]*\.[A-Za-z][A-Za-z0-9\-./?=]*"  # domains and URLs
    r"|[+0-9][0-9 ()\-]{6,}[0-9]"  # phone numbers
    r"|@[a-z\-]+|[0-9]{6,}"  # LINE ids, order numbers
)


def squeeze(text):
    return re.sub(r"\s", "", text)


def levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(expected, got):
    expected, got = squeeze(expected), squeeze(got)
    if not expected:
        return 0.0 if not got else 1.0
    return levenshtein(expected, got) / len(expected)


def indicators_read(expected, got):
    wanted = INDICATOR.findall(expected)
    return sum(squeeze(i) in squeeze(got) for i in wanted), len(wanted)


def rapidocr_reads(images, threads, repeat):
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    engine(str(images[0]))  # warm-up
    reads = {}
    for image in images:
        times, text = [], ""
        for _ in range(repeat):
            started = time.perf_counter()
            result, _ = engine(str(image))
            times.append(time.perf_counter() - started)
            text = "\n".join(line[1] for line in result or [])
        reads[image.name] = (text, statistics.median(times))
    return reads


def tesseract_reads(images, repeat):
    binary = Path("target/release/examples/ocr_read")
    if not binary.exists():
        raise SystemExit("build it first: cargo build --release --example ocr_read")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    command = [str(binary), "--repeat", str(repeat), *map(str, images)]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    reads = {}
    for block in re.split(r"^== ", output, flags=re.M)[1:]:
        header, _, text = block.partition("\n")
        name = Path(header.split(":")[0]).name
        millis = float(re.search(r" ([0-9.]+) ms", header).group(1))
        text = re.sub(r"\nmean CER over .*", "", text)
        reads[name] = (text, millis / 1000)
    return reads


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("tests/fixtures/ocr"))
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    images = sorted(p for p in args.dir.glob("*.jpg") if p.with_suffix(".txt").exists())
    engines = {
        "tesseract": tesseract_reads(images, args.repeat),
        f"rapidocr({args.threads} thr)": rapidocr_reads(images, args.threads, args.repeat),
    }
    print(f"{'image':22} " + " ".join(f"{name:>32}" for name in engines))
    print(f"{'':22} " + " ".join(f"{'CER':>10} {'indicators':>10} {'p50 ms':>10}" for _ in engines))
    totals = {name: [0.0, 0, 0, []] for name in engines}
    for image in images:
        expected = image.with_suffix(".txt").read_text(encoding="utf-8")
        cells = []
        for name, reads in engines.items():
            text, seconds = reads[image.name]
            rate = cer(expected, text)
            exact, wanted = indicators_read(expected, text)
            total = totals[name]
            total[0] += rate
            total[1] += exact
            total[2] += wanted
            total[3].append(seconds)
            cells.append(f"{rate:10.2%} {f'{exact}/{wanted}':>10} {seconds * 1000:10.0f}")
        print(f"{image.stem:22} " + " ".join(cells))
    cells = []
    for name, (rate_sum, exact, wanted, times) in totals.items():
        cells.append(f"{rate_sum / len(images):10.2%} {f'{exact}/{wanted}':>10} {statistics.median(times) * 1000:10.0f}")
    print(f"{'mean / total / p50':22} " + " ".join(cells))
    # Tesseract ran in a child process; this is RapidOCR's (and Python's) peak.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (Python + RapidOCR): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
