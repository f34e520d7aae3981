#!/usr/bin/env bash
# Release builds of Kallad's products, with one set of flags for every caller (the Makefile and the scripts under
# scripts/bench and scripts/link), so they share .build/release instead of rebuilding it for each other.
# Every module — the dependencies too, which Package.swift's settings do not reach — is compiled with a section
# per function, Swift and C: lld can then lay out by scripts/link/kallad.order the functions a daemon in service
# runs, wherever they come from (README, "Memory"). Without these flags a dependency's object file is one
# section, which the linker can only move whole.
#   scripts/release-build.sh PRODUCT...        (e.g. kallad kallad-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections)
# A release build made before with other flags keeps its dependencies' objects: SwiftPM does not compile a
# module again for a changed -Xfrontend flag. Such a build is removed once, and the marker says it was.
marker=.build/release-function-sections
if [ ! -e "$marker" ]; then
    rm -rf "$(swift build -c release --show-bin-path)"
fi
for product in "$@"; do
    swift build -c release --product "$product" "${flags[@]}"
done
touch "$marker"
