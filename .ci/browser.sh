#!/usr/bin/env bash
# Install Debian's chromium for the browser tests in tests/e2e (Playwright drives it; its
# own browser download is never used). Idempotent; meant for root on Debian (CI, or a
# contributor's container).
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
# Debian's launcher script grumbles on stderr about its environment; the version is enough.
chromium --version 2>/dev/null
