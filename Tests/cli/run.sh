#!/usr/bin/env bash
# Black-box tests of the kallad command line: exit codes (0 ok, 1 violations, 2 unusable input), messages that
# name the place, and JSON output. Prints "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
kallad=${KALLAD:-.build/debug/kallad}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME EXIT_CODE PATTERN -- COMMAND…: runs COMMAND, checks its exit code and that stdout+stderr match PATTERN.
expect() {
    local name=$1 code=$2 pattern=$3
    shift 4
    local out status
    out=$("$@" 2>&1)
    status=$?
    if [ "$status" -eq "$code" ] && grep -qE -- "$pattern" <<<"$out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL %s: exit %s (want %s), output:\n%s\n' "$name" "$status" "$code" "$(head -20 <<<"$out")"
    fi
}

expect "bundled config passes 2026-2035" 0 "0 errors, 0 rule violations" -- "$kallad" check --years 2026-2035
expect "check json is empty when clean" 0 "^$" -- "$kallad" check --years 2027 --format json
expect "meetings text" 0 "norrbotten-lsg/2027-02-11" -- "$kallad" meetings --year 2027 --body norrbotten-lsg
expect "meetings json keys" 0 '"body_name":"Länsstyrgruppen' -- "$kallad" meetings --year 2027 --format json \
    --body norrbotten-lsg
expect "preview json" 0 '"key":"norrbotten-lsg/2027-02-11/summons/0"' -- "$kallad" preview --from 2027-01-01 \
    --to 2027-02-28 --format json
expect "preview text says dry run" 0 "nothing was sent \(dry run\)" -- "$kallad" preview --from 2027-01-01 --to 2027-01-31
expect "plan prints a plan block" 0 "^plan:" -- "$kallad" plan --year 2027 --body norrbotten-lansdel-norra
expect "unknown body is unusable input" 2 "did you mean 'norrbotten-lsg'" -- "$kallad" meetings --year 2027 --body norrbotten-lgs
expect "bad date argument" 2 "from" -- "$kallad" preview --from 2027-13-01 --to 2027-12-31
expect "bad years" 2 "years" -- "$kallad" check --years 2035-2026
expect "missing folder" 2 "does not exist" -- "$kallad" check --config "$tmp/nowhere"

# A broken copy: an unknown key, reported with file:line:column and a suggestion.
cp -r Config "$tmp/broken"
sed -i 's/^    cadence: \[{at_least: 4, per: year}\]$/    cadance: [{at_least: 4, per: year}]/' "$tmp/broken/jonkoping.yaml"
expect "unknown key names the place" 2 "jonkoping.yaml:[0-9]+:5: error: unknown key 'cadance'.*" -- \
    "$kallad" check --config "$tmp/broken" --years 2027
expect "the hint suggests the key" 2 "did you mean 'cadence'" -- "$kallad" check --config "$tmp/broken" --years 2027

# A rule violation: the steering group's pattern cut to three meetings a year → exit 1.
cp -r Config "$tmp/violation"
sed -i 's/BYMONTH=2,4,9,11;BYDAY=2TH/BYMONTH=2,4,9;BYDAY=2TH/' "$tmp/violation/norrbotten.yaml"
expect "cadence violation exits 1" 1 "norrbotten-lsg has 3 meetings in 2027; its rules ask for at least 4" -- \
    "$kallad" check --config "$tmp/violation" --years 2027

# preview --eml writes each recipient's message; every one is a parseable RFC 5322 message.
expect "preview --eml writes messages" 0 "wrote [0-9]+ messages" -- "$kallad" preview --from 2027-01-26 --to 2027-01-28 \
    --eml "$tmp/eml"
expect "eml files parse" 0 "^ok [0-9]+" -- .venv/bin/python -c '
import glob, sys
from email import message_from_bytes, policy
files = glob.glob(sys.argv[1] + "/*.eml")
bad = [f for f in files if message_from_bytes(open(f, "rb").read(), policy=policy.default).defects]
print("bad", bad) if bad or not files else print("ok", len(files))' "$tmp/eml"

# send-test: the folder transport, a missing secret, and SMTP against aiosmtpd on 127.0.0.1.
cp -r Config "$tmp/send"
sed -i "s#    folder: out/mail#    folder: $tmp/mail#" "$tmp/send/kallad.yaml"
expect "send-test to the folder" 0 "mail to test@example.se \(written to .*\): delivered" -- \
    "$kallad" send-test --config "$tmp/send" --to test@example.se
expect "send-test writes an .eml" 0 "send-test-test@example.se.eml" -- ls "$tmp/mail"
expect "send-test webhook without its secret" 2 "webhook-secret-intranat: no such file, and no systemd credential" -- \
    "$kallad" send-test --config "$tmp/send" --webhook samverkan-handelser
printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$tmp/webhook-secret-intranat"
expect "send-test webhook with a systemd credential" 0 "standard event .* delivered" -- \
    env CREDENTIALS_DIRECTORY="$tmp" "$kallad" send-test --config "$tmp/send" --webhook samverkan-handelser
expect "send-test signs the event" 0 "webhook-signature" -- cat "$tmp/mail/send-test-samverkan-handelser.json"
exec 7< <(sleep 30 | .venv/bin/python Tests/Oracles/smtp_server.py --spool "$tmp/spool" --rcpt gone@example.se=550)
read -r _ smtp_port <&7
sed -i "s#    transport: folder#    transport: smtp\n    smtp_url: smtp://127.0.0.1:$smtp_port\n    require_tls: false#" \
    "$tmp/send/kallad.yaml"
expect "send-test over SMTP" 0 "delivered — 250" -- "$kallad" send-test --config "$tmp/send" --to ok@example.se
expect "the server stored it" 0 "Kallad: testmeddelande" -- cat "$tmp/spool/1.eml"
expect "send-test over SMTP, refused" 1 "refused: .* 550" -- "$kallad" send-test --config "$tmp/send" --to gone@example.se

# The outbox: a simulated quarter through the folder transport, then tracking, retry and purge on its database.
expect "simulate a quarter" 0 "deliveries \([0-9]+ delivered\), 0 escalated" -- \
    "$kallad" simulate --from 2027-01-01 --to 2027-03-31 --out "$tmp/sim" --database "$tmp/sim.sqlite"
expect "simulate wrote the summons" 0 "norrbotten-lsg_2027-02-11_summons_0_" -- ls "$tmp/sim"
expect "deliveries of a meeting" 0 "delivered summons norrbotten-lsg/2027-02-11 → " -- \
    "$kallad" deliveries --database "$tmp/sim.sqlite" --meeting norrbotten-lsg/2027-02-11
expect "deliveries as JSON" 0 '"notification_key":"norrbotten-lsg/2027-02-11/summons/0"' -- \
    "$kallad" deliveries --database "$tmp/sim.sqlite" --meeting norrbotten-lsg/2027-02-11 --format json
expect "deliveries, unknown state" 2 "is not a state" -- "$kallad" deliveries --database "$tmp/sim.sqlite" --state lost
expect "retry a delivered one is refused" 2 "only a failed, dropped" -- "$kallad" retry 1 --database "$tmp/sim.sqlite"
expect "retry an unknown one" 2 "no delivery 999999" -- "$kallad" retry 999999 --database "$tmp/sim.sqlite"
expect "purge keeps recent ones" 0 "purged 0 notifications and 0 deliveries" -- \
    "$kallad" purge --database "$tmp/sim.sqlite"
expect "purge, bad retention" 2 "not a duration" -- "$kallad" purge --database "$tmp/sim.sqlite" --older-than 6months
expect "simulate, dates reversed" 2 "is after" -- "$kallad" simulate --from 2027-03-01 --to 2027-01-01

# libcurl is loaded at the first send (Sources/CCurl/loader.c): one that cannot be loaded is that send's error.
printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$tmp/trigger-secret"
expect "a libcurl that cannot be loaded is named" 2 "libcurl could not be loaded: .*nowhere/libcurl.so.4" -- \
    env KALLAD_LIBCURL="$tmp/nowhere/libcurl.so.4" "$kallad" trigger agenda.item.added \
    --data '{"meeting":"norrbotten-lsg/2027-02-11","title":"t"}' --url http://127.0.0.1:9/v1/triggers \
    --secret-file "$tmp/trigger-secret"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
