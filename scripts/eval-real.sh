#!/usr/bin/env bash
# Reproduces EVALUATION.md "Real messages, held out by source": sellerguard eval on
# real-messages-dev (read where it is, never copied) with source-held-out folds.
# Protocol: rules were written from SCAMS.md, the issue's kinds and the errors of fold 0
# only; fold 1 is the held-out figure (its texts were never read).
# Usage: scripts/eval-real.sh [DATASETS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/datasets}
data="$dir/real-messages-dev/messages.jsonl"
cargo build --release --locked --quiet
sg() { echo; echo "### $1"; shift; echo '```'; target/release/sellerguard eval --data "$data" --split-by source --folds 2 "$@" | cut -c1-200; echo '```'; }
# The shipped model was trained on these sources, so they are left out when it judges.
trained_on=(--exclude-source github:AmanoShizukikun --exclude-source github:kubauk --exclude-source github:RuanShan)
sg "rules alone (no model)" --no-model
sg "rules + shipped base model, without the model's training sources" "${trained_on[@]}"
sg "rules alone, same rows as the line above" --no-model "${trained_on[@]}"
sg "rules + a model trained per fold on the other fold (learned held out by source)" --learn
