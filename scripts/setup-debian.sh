#!/usr/bin/env bash
# Installs the Debian packages sellerguard needs to build and test (none beyond Rust yet).
set -euo pipefail
command -v cc >/dev/null || { echo "missing: a C compiler (apt-get install gcc)" >&2; exit 1; }
