#!/usr/bin/env bash
# kill -9 the sending process at random points while it delivers MESSAGES summonses to Postfix's smtp-sink, KILLS
# times, then let it finish. Passes when no notification is lost and there are at most as many duplicates as kills.
# Usage: scripts/chaos.sh [MESSAGES] [KILLS] [BUILD]   (defaults 10000 100 release; `make chaos`)
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-10000}
kills=${2:-100}
build=${3:-release}
seed=${SEED:-$RANDOM}
RANDOM=$seed
[ -x /usr/sbin/smtp-sink ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
if [ "$build" = release ]; then
    scripts/release-build.sh kallad-drill >/dev/null 2>&1 || scripts/release-build.sh kallad-drill
else
    swift build -c "$build" --product kallad-drill >/dev/null 2>&1 || swift build -c "$build" --product kallad-drill
fi
drill=.build/$build/kallad-drill

work=$(mktemp -d /tmp/kallad-chaos.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/dump" && chown nobody "$work/dump" 2>/dev/null || true
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
sink_user=(); [ "$(id -u)" -eq 0 ] && sink_user=(-u nobody)
/usr/sbin/smtp-sink "${sink_user[@]}" -d "$work/dump/%H%M/%S." 127.0.0.1:"$port" 256 &
sink=$!
trap 'kill $sink 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5

"$drill" fill "$work/outbox.sqlite" "$messages" >/dev/null
done_kills=0
SECONDS=0
while [ "$done_kills" -lt "$kills" ]; do
    "$drill" drain "$work/outbox.sqlite" "smtp://127.0.0.1:$port" >/dev/null 2>&1 &
    sender=$!
    # Somewhere 10 ms (the drill's start) plus up to 60 ms into the run; the window shrinks with what is left to
    # send (about 20 messages a millisecond in a release build), so the last kills still land before the sender
    # finishes and 100 kills fit in 10,000 sends even on a fast machine.
    left=$(sqlite3 "$work/outbox.sqlite" "SELECT COUNT(*) FROM delivery WHERE state != 'delivered'" 2>/dev/null || echo "$messages")
    window=$(( left / 20 + 1 )); [ "$window" -gt 60 ] && window=60
    sleep "0.$(printf '%03d' $((10 + RANDOM % window)))"
    if kill -9 "$sender" 2>/dev/null; then
        wait "$sender" 2>/dev/null || true
        done_kills=$((done_kills + 1))
    else
        wait "$sender" 2>/dev/null || true
        break  # it finished before the kill
    fi
done
"$drill" drain "$work/outbox.sqlite" "smtp://127.0.0.1:$port" >/dev/null
sleep 0.3

# Whole messages only: a cut one has no end line.
received=$(grep -rh '^KALLAD-END ' "$work/dump" | sort)
total=$(printf '%s\n' "$received" | grep -c . || true)
unique=$(printf '%s\n' "$received" | sort -u | grep -c . || true)
duplicates=$((total - unique))
lost=$((messages - unique))
states=$(sqlite3 "$work/outbox.sqlite" "SELECT state || ' ' || COUNT(*) FROM delivery GROUP BY state" | tr '\n' ',')
integrity=$(sqlite3 "$work/outbox.sqlite" "PRAGMA integrity_check")
echo "chaos: seed $seed, $messages summonses, $done_kills kills (kill -9) in $SECONDS s"
echo "chaos: the sink received $total whole messages, $unique distinct; lost $lost, duplicates $duplicates" \
     "(allowed: $done_kills); outbox: ${states%,}; integrity_check: $integrity"
failed=0
[ "$done_kills" -ge "$kills" ] || { echo "chaos: FAILED — only $done_kills of $kills kills landed before the sender finished" >&2; failed=1; }
[ "$lost" -eq 0 ] || { echo "chaos: FAILED — $lost notifications never arrived" >&2; failed=1; }
[ "$duplicates" -le "$done_kills" ] || { echo "chaos: FAILED — more duplicates than kills" >&2; failed=1; }
[ "$integrity" = "ok" ] || { echo "chaos: FAILED — integrity_check: $integrity" >&2; failed=1; }
[ "$states" = "delivered $messages," ] || { echo "chaos: FAILED — not everything is delivered: $states" >&2; failed=1; }
exit $failed
