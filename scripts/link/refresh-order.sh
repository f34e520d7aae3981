#!/usr/bin/env bash
# Remakes scripts/link/kallad.order, the functions the daemon runs from exec to idle, which lld lays out first in
# the release binary (Package.swift, daemonReleaseLinking; README, "Memory"). Run it after changes to what
# `kallad run` does at startup, or to the Swift toolchain or the dependencies, and commit the file it writes:
#   scripts/link/refresh-order.sh        (needs valgrind; a release build, a run under callgrind, a relink)
# It ends with the idle figures of the relinked binary, with nothing sent and after the first delivery
# (scripts/link/idle_memory.py, median of 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
scripts/release-build.sh kallad >/dev/null
python3 scripts/link/profile_startup.py .build/release/kallad > scripts/link/kallad.order.new
mv scripts/link/kallad.order.new scripts/link/kallad.order
echo "$(wc -l < scripts/link/kallad.order) functions in scripts/link/kallad.order"
# SwiftPM does not see the order file as an input of the link: remove the binary so it is linked again.
rm -f .build/release/kallad
scripts/release-build.sh kallad >/dev/null
python3 scripts/link/idle_memory.py .build/release/kallad 3 | python3 -c 'import json, sys; print("nothing sent:", json.load(sys.stdin)["median"])'
KALLAD_SENDING=1 python3 scripts/link/idle_memory.py .build/release/kallad 3 | python3 -c "import json, sys; print(\"after the first delivery:\", json.load(sys.stdin)[\"median\"])"
