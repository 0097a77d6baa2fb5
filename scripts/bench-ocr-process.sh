#!/usr/bin/env bash
# Whole-process cost of reading one screenshot: `sellerguard check --image IMG`
# (one or more builds: -b BINARY, repeatable, e.g. before and after a change)
# against the Tesseract CLI (`tesseract IMG - -l chi_sim+eng`) on the same image,
# run alternately RUNS times each, so all see the same machine load. Prints, per
# image and command, the median CPU (user + system), wall time and peak RSS, and
# the ratios of the medians (sellerguard / tesseract), all from this one run.
#
# The Tesseract CLI runs twice: as a user would run it (OpenMP threads as it
# likes), and with OMP_THREAD_LIMIT=1, as sellerguard runs it.
#
# Usage: scripts/bench-ocr-process.sh [-n RUNS] [-l LANGUAGES] [-b BINARY]... IMAGE...
# (default binary: target/release/sellerguard; default CLI languages chi_sim+eng,
# e.g. -l chi_tra+eng for Traditional screenshots)
# Needs GNU time (/usr/bin/time) and the tesseract CLI (apt-get install tesseract-ocr).
set -euo pipefail

runs=7
languages=chi_sim+eng
binaries=()
while getopts "n:l:b:" option; do
    case $option in
        n) runs=$OPTARG ;;
        l) languages=$OPTARG ;;
        b) binaries+=("$OPTARG") ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-n RUNS] [-l LANGUAGES] [-b BINARY]... IMAGE..." >&2; exit 2; }
[ ${#binaries[@]} -gt 0 ] || binaries=(target/release/sellerguard)

data=$(mktemp -d)
samples=$(mktemp -d)
trap 'rm -rf "$data" "$samples"' EXIT

# One run of "$@", its "cpu_s wall_s max_rss_kib" appended to file $1.
measure() {
    local out=$1
    shift
    /usr/bin/time -o "$samples/last" -f "%U %S %e %M" "$@" >/dev/null 2>&1 ||
        { echo "failed: $*" >&2; exit 1; }
    awk '{ printf "%.3f %.3f %d\n", $1 + $2, $3, $4 }' "$samples/last" >>"$out"
}

# The last 28 characters of $1 (a binary's path can be long).
tail28() {
    local text=$1
    printf "%s" "${text:$((${#text} > 28 ? ${#text} - 28 : 0))}"
}

# Median of column $2 of file $1.
median() {
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

printf "%-22s %-28s %8s %8s %10s\n" image command "CPU s" "wall s" "RSS MiB"
for image in "$@"; do
    name=$(basename "$image")
    kinds=()
    for index in "${!binaries[@]}"; do kinds+=("sellerguard$index"); done
    kinds+=(tesseract tesseract_omp1)
    for kind in "${kinds[@]}"; do : >"$samples/$kind"; done
    for _ in $(seq "$runs"); do
        for index in "${!binaries[@]}"; do
            measure "$samples/sellerguard$index" env -u OMP_THREAD_LIMIT \
                "${binaries[$index]}" check --data-dir "$data" --image "$image"
        done
        measure "$samples/tesseract" env -u OMP_THREAD_LIMIT \
            tesseract "$image" - -l "$languages"
        measure "$samples/tesseract_omp1" env OMP_THREAD_LIMIT=1 \
            tesseract "$image" - -l "$languages"
    done
    declare -A cpu rss
    for kind in "${kinds[@]}"; do
        cpu[$kind]=$(median "$samples/$kind" 1)
        wall=$(median "$samples/$kind" 2)
        rss[$kind]=$(median "$samples/$kind" 3)
        label=$kind
        [[ $kind == sellerguard* ]] && label=${binaries[${kind#sellerguard}]}
        printf "%-22s %-28s %8s %8s %10.0f\n" "$name" "$(tail28 "$label")" "${cpu[$kind]}" "$wall" \
            "$((rss[$kind] / 1024))"
    done
    for index in "${!binaries[@]}"; do
        awk -v s="${cpu[sellerguard$index]}" -v t="${cpu[tesseract]}" \
            -v o="${cpu[tesseract_omp1]}" -v sr="${rss[sellerguard$index]}" \
            -v tr="${rss[tesseract]}" -v b="$(tail28 "${binaries[$index]}")" \
            'BEGIN { printf "%-22s %-28s CPU %.2fx tesseract (%.2fx with OMP_THREAD_LIMIT=1), RSS %.2fx\n",
                     "", b, s / t, s / o, sr / tr }'
    done
done
