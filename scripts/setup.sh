#!/usr/bin/env bash
# Installs what Kallad needs on Debian 12 when it is missing (idempotent; uses sudo when not root).
set -euo pipefail
need=()
command -v swift >/dev/null || { echo "setup: the Swift toolchain is not on PATH (see README)" >&2; exit 2; }
dpkg -s python3-venv >/dev/null 2>&1 || need+=(python3-venv)
dpkg -s tzdata >/dev/null 2>&1 || need+=(tzdata)
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need+=(libcurl4-openssl-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
# Postfix's smtp-sink is the test mail server for volume and chaos (the postfix service itself is not needed).
[ -x /usr/sbin/smtp-sink ] || need+=(postfix)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "setup: installing ${need[*]}"
    $sudo apt-get update -qq
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections 2>/dev/null || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
