#!/usr/bin/env bash
# The daemon's black-box checks (make test): the real process under a stand-in systemd notify socket,
# schemathesis against the OpenAPI file on a live server, and the unit file through systemd-analyze
# (verify, and security --offline=true with a threshold of 1.5).
set -euo pipefail
cd "$(dirname "$0")/../.."
kallad=$(realpath "${KALLAD:-.build/debug/kallad}")
status=0
echo "== daemon as a process"
.venv/bin/python Tests/cli/daemon_process.py "$kallad" || status=1
echo "== daemon end to end (aiosmtpd, HTTP receiver, signed triggers)"
.venv/bin/python Tests/cli/daemon_e2e.py "$kallad" || status=1
echo "== schemathesis"
KALLAD="$kallad" Tests/cli/schemathesis.sh || status=1
echo "== systemd unit"
if command -v systemd-analyze >/dev/null; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # verify checks that ExecStart= exists: point it at the binary under test.
    sed "s|/usr/local/bin/kallad|$kallad|" systemd/kallad.service > "$tmp/kallad.service"
    if systemd-analyze verify "$tmp/kallad.service"; then echo "ok   systemd-analyze verify"; else
        echo "FAIL systemd-analyze verify"; status=1; fi
    score=$(systemd-analyze security --offline=true "$tmp/kallad.service" 2>/dev/null \
        | sed -n 's/.*Overall exposure level for kallad.service: \([0-9.]*\).*/\1/p')
    echo "figure systemd_security_exposure=$score"
    if awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 1.5) }'; then echo "ok   exposure $score <= 1.5"; else
        echo "FAIL exposure '$score' > 1.5"; status=1; fi
else
    echo "FAIL systemd-analyze is not installed (apt install systemd)"
    status=1
fi
exit $status
