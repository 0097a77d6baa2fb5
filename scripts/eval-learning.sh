#!/usr/bin/env bash
# Reproduces the "With learning" section of EVALUATION.md: builds the train/test splits
# under a temporary directory (never in the repo), then runs `sellerguard eval` without
# and with `--train`, printing markdown-ready blocks.
#
#   (a) UCI SMS Spam Collection, protocol of Almeida et al. 2011: train on the first 30%
#       of the file (file order), test on the remaining 70%.
#   (b) Chinese 40k sample and FBS: near-duplicate-aware 30/70 split
#       (scripts/split_near_duplicates.py, seed 1, Jaccard >= 0.7 on character 3-grams).
#   (c) tests/fixtures/hard_negatives.jsonl before learning and after training on each
#       training set: every false positive is listed with the signals that caused it.
#   (d) Validation inside the training parts only (how ALPHA in src/triage/learned.rs and
#       the LEARNED table in src/triage/community.rs were chosen): UCI first 20% of the
#       file / next 10%; zh and FBS train parts shuffled (seed 7) and cut 2/3 / 1/3.
#
# Usage: scripts/eval-learning.sh [DATASETS_DIR]   (default ../shared/datasets)
# Environment: KEEP=DIR keeps splits and --errors files in DIR instead of a temp dir;
#              SEED=N changes the split seed (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath "${1:-../shared/datasets}")
seed=${SEED:-1}
cargo build --release --locked --quiet
bin=target/release/sellerguard
if [[ -n "${KEEP:-}" ]]; then
  tmp=$KEEP
  mkdir -p "$tmp"
else
  tmp=$(mktemp -d /tmp/sellerguard-eval.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
fi

uci="$dir/uci-sms-spam/SMSSpamCollection"
zh="$dir/zh-sms-spam-800k-sample/zh_sms_spam_sample40k.csv"
fbs="$dir/fbs-sms-ccs20/fbs_sms.tsv"
fbs_labels=(--positive FR: --negative AD: --negative IL: --negative Other)
hard=tests/fixtures/hard_negatives.jsonl

# One block: title, then the eval arguments. The shown command uses placeholders for
# the temporary paths so it reads the same on every run.
block() {
  local title=$1
  shift
  echo
  echo "#### $title"
  echo
  echo '```'
  echo "\$ sellerguard eval ${*//$tmp/\$SPLITS}" | sed "s#$dir#\$DATASETS#g"
  "$bin" eval "$@"
  echo '```'
}

# Lists the rows of an --errors file (label, signals, start of the text).
errors() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
path, label = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(path, encoding="utf-8")]
rows = [r for r in rows if r["label"] == label]
what = "false positives" if label == "legit" else "missed scams"
print(f"\n{len(rows)} {what}" + (":" if rows else "."))
for r in rows:
    v = r["verdict"]
    sig = ", ".join(f'{s["rule_id"]} ({s["weight"]})' for s in v["signals"])
    text = r["text"].replace("\n", " ")[:110]
    print(f'- line {r["line"]} [{r["category"]}] score {v["score"]}: {sig}\n  "{text}"')
EOF
}

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
  "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src rules config || echo ' (plus uncommitted changes)')."

echo
echo "### (a) UCI SMS Spam Collection, first 30% train / last 70% test (Almeida et al. 2011)"
n=$(wc -l <"$uci")
k=$((n * 30 / 100))
head -n "$k" "$uci" >"$tmp/uci-first30.tsv"
tail -n "+$((k + 1))" "$uci" >"$tmp/uci-last70.tsv"
echo
echo "Split: $n lines; train = lines 1-$k ($(grep -c $'^spam\t' "$tmp/uci-first30.tsv") spam)," \
  "test = lines $((k + 1))-$n ($(grep -c $'^spam\t' "$tmp/uci-last70.tsv") spam, $(grep -c $'^ham\t' "$tmp/uci-last70.tsv") ham)."
block "rules alone, test part" --data "$tmp/uci-last70.tsv"
block "with learning" --train "$tmp/uci-first30.tsv" --data "$tmp/uci-last70.tsv" --errors "$tmp/uci-errors.jsonl"
errors "$tmp/uci-errors.jsonl" legit

echo
echo "### (b) Chinese sets, near-duplicate-aware 30/70 split (seed $seed)"
echo
echo '```'
python3 scripts/split_near_duplicates.py "$zh" "$tmp/zh" --seed "$seed" 2>&1 | sed "s#$dir#\$DATASETS#g"
python3 scripts/split_near_duplicates.py "$fbs" "$tmp/fbs" --seed "$seed" 2>&1 | sed "s#$dir#\$DATASETS#g"
echo '```'
block "zh 40k sample: rules alone, test part" --data "$tmp/zh/test.csv"
block "zh 40k sample: with learning" --train "$tmp/zh/train.csv" --data "$tmp/zh/test.csv" --errors "$tmp/zh-errors.jsonl"
block "FBS: rules alone, test part" --data "$tmp/fbs/test.tsv" "${fbs_labels[@]}"
block "FBS: with learning" --train "$tmp/fbs/train.tsv" --data "$tmp/fbs/test.tsv" "${fbs_labels[@]}" \
  --errors "$tmp/fbs-errors.jsonl"

echo
echo "### (c) Hard negatives (tests/fixtures/hard_negatives.jsonl) before and after learning"
block "before learning" --data "$hard" --errors "$tmp/hard-none.jsonl"
errors "$tmp/hard-none.jsonl" legit
block "after training on UCI first 30%" --train "$tmp/uci-first30.tsv" --data "$hard" --errors "$tmp/hard-uci.jsonl"
errors "$tmp/hard-uci.jsonl" legit
block "after training on the zh 40k train part" --train "$tmp/zh/train.csv" --data "$hard" --errors "$tmp/hard-zh.jsonl"
errors "$tmp/hard-zh.jsonl" legit
block "after training on the FBS train part (FR: positive)" --train "$tmp/fbs/train.tsv" --data "$hard" \
  "${fbs_labels[@]}" --errors "$tmp/hard-fbs.jsonl"
errors "$tmp/hard-fbs.jsonl" legit

echo
echo "### (d) Validation splits inside the training parts (used to choose the settings)"
v=$((k * 2 / 3))
head -n "$v" "$tmp/uci-first30.tsv" >"$tmp/uci-val-train.tsv"
tail -n "+$((v + 1))" "$tmp/uci-first30.tsv" >"$tmp/uci-val-test.tsv"
python3 - "$tmp" <<'EOF'
import csv, random, sys
csv.field_size_limit(10**9)
tmp = sys.argv[1]
for name, ext, delimiter in [("zh", "csv", ","), ("fbs", "tsv", "\t")]:
    with open(f"{tmp}/{name}/train.{ext}", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    head, body = rows[0], rows[1:]
    random.Random(7).shuffle(body)
    cut = len(body) * 2 // 3
    for part, chunk in [("val-train", body[:cut]), ("val-test", body[cut:])]:
        with open(f"{tmp}/{name}/{part}.{ext}", "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, delimiter=delimiter, lineterminator="\n")
            out.writerow(head)
            out.writerows(chunk)
EOF
block "UCI: train lines 1-$v, validate lines $((v + 1))-$k" --train "$tmp/uci-val-train.tsv" --data "$tmp/uci-val-test.tsv"
block "zh 40k: validation inside the train part" --train "$tmp/zh/val-train.csv" --data "$tmp/zh/val-test.csv"
block "FBS: validation inside the train part" --train "$tmp/fbs/val-train.tsv" --data "$tmp/fbs/val-test.tsv" \
  "${fbs_labels[@]}"
