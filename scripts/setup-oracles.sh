#!/usr/bin/env bash
# Creates .venv with the Python oracles of ../shared/ORACLES.md (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.kallad-oracles
if [ -f "$stamp" ] && cmp -s Tests/Oracles/requirements.txt "$stamp"; then exit 0; fi
if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-venv
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r Tests/Oracles/requirements.txt
cp Tests/Oracles/requirements.txt "$stamp"
