#!/bin/sh
# Installs the Debian packages sellerguard needs to build and test on top of a
# Rust toolchain: Tesseract and Leptonica headers and libraries, the English,
# Simplified and Traditional Chinese language data, and libclang + pkg-config
# (tesseract-sys and leptonica-sys run bindgen, which loads libclang at build
# time, and find the libraries with pkg-config), and Chromium with its WebDriver
# (the console test drives a real headless browser).
#
# With --fixtures it also installs what scripts/render_screenshots.py needs
# (CJK and DejaVu fonts, python3-venv for Pillow from PyPI).
#
# Idempotent: packages already installed (per `dpkg -s`) are skipped, and apt is
# not run at all when nothing is missing. As non-root it only reports what is
# missing and exits 1.
#
# Usage: scripts/setup-debian.sh [--fixtures]
set -eu

packages="pkg-config libclang-dev libtesseract-dev libleptonica-dev \
tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-chi-tra \
chromium chromium-driver"

case "${1:-}" in
    "") ;;
    --fixtures) packages="$packages fonts-noto-cjk fonts-dejavu-core python3-venv" ;;
    *) echo "usage: $0 [--fixtures]" >&2; exit 2 ;;
esac

missing=""
for package in $packages; do
    if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing="$missing $package"
    fi
done

if [ -z "$missing" ]; then
    echo "setup-debian: all packages already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian: missing packages:$missing" >&2
    echo "setup-debian: run as root, or: sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# $missing is a list of package names and must split on spaces.
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
echo "setup-debian: installed$missing"
