#!/usr/bin/env bash
# Reproduces EVALUATION.md: runs `sellerguard eval` on each public dataset under DIR
# (default ../shared/datasets) and on the project's own labelled fixtures. The data stay
# where they are; nothing is copied into the repo.
# Usage: scripts/eval-public.sh [DIR] [extra eval args, e.g. --json]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/datasets}
shift || true
cargo build --release --locked --quiet
sg() { echo; echo "### $1"; shift; echo '```'; target/release/sellerguard eval "$@"; echo '```'; }

sg "own hard negatives (tests/fixtures/hard_negatives.jsonl)" --data tests/fixtures/hard_negatives.jsonl "$@"
sg "own seller scams (tests/fixtures/seller_scams.jsonl)" --data tests/fixtures/seller_scams.jsonl "$@"
sg "UCI SMS Spam Collection" --data "$dir/uci-sms-spam/SMSSpamCollection" "$@"
sg "Mishra & Soni smishing" --data "$dir/mishra-smishing/Dataset_5971.csv" "$@"
fbs=(--data "$dir/fbs-sms-ccs20/fbs_sms.tsv" --positive FR: --negative AD: --negative IL: --negative Other)
sg "FBS fake-base-station SMS as shipped (anonymised: no links or numbers; FR: positive)" "${fbs[@]}" "$@"
sg "FBS with placeholders restored (URL -> a neutral unofficial link, CELLPHONE/PHONE -> numbers)" \
  "${fbs[@]}" --restore-placeholders "$@"
sg "Chinese SMS spam 40k sample (spam = advertising)" --data "$dir/zh-sms-spam-800k-sample/zh_sms_spam_sample40k.csv" "$@"
for f in "$dir"/telecom-fraud-texts-5/label0*-last.csv; do
  sg "Telecom_Fraud_Texts_5 $(basename "$f") (machine-generated fraud)" --data "$f" \
    --positive 冒充 --positive 贷款 "$@"
done
sg "SpamHunter labelled (Fraud positive, Ads negative; English translations)" \
  --data "$dir/spamhunter-ccs22/tweet_spam_labelled.csv" --negative ads "$@"
sg "Super SMS DS_latest (spam and scam positive)" --data "$dir/super-sms-salman24/DS_latest.csv" "$@"
