#!/usr/bin/env bash
# Regenerates the command tour in README.md (between <!-- tour:begin --> and <!-- tour:end -->) from real output
# of .build/debug/kallad on the bundled Config/.
set -euo pipefail
cd "$(dirname "$0")/.."
k=.build/debug/kallad
tour=$(mktemp)
show() {  # show TITLE LINES COMMAND…
    local title=$1 lines=$2
    shift 2
    printf '#### %s\n\n```console\n$ kallad %s\n' "$title" "$*" >>"$tour"
    { "$k" "$@" 2>&1 || true; } | head -n "$lines" >>"$tour"
    printf '```\n\n' >>"$tour"
}
show "check — load, validate, and check every rule for some years" 5 check --years 2026-2035
scratch=$(mktemp -d)
broken=$scratch/broken
cp -r Config "$broken"
sed -i 's/^    cadence: \[{at_least: 4, per: year}\]$/    cadance: [{at_least: 4, per: year}]/' "$broken/jonkoping.yaml"
sed -i 's/{office: socialchef-lulea, substitute_office: socialchef-boden}/{office: socialchef-lulea, substitute_office: socialchef-bodne}/' "$broken/norrbotten.yaml"
printf '#### check on a broken copy (exit 2)\n\n```console\n$ kallad check --config broken/ --years 2027\n' >>"$tour"
{ (top=$PWD; cd "$scratch" && "$top/$k" check --config broken --years 2027 2>&1) || true; } >>"$tour"
printf '```\n\n' >>"$tour"
rm -rf "$scratch"
show "meetings — who convenes, chairs and keeps the minutes" 17 meetings --year 2027 --body norrbotten-lsg
show "meetings, the working committee that follows the chair (R7)" 8 meetings --year 2027 --body norrbotten-lsg-au
show "meetings as JSON" 1 meetings --year 2027 --body norrbotten-samverkansforum --format json
show "plan — dates proposed from a cadence, ready to paste as an explicit plan" 9 plan --year 2027 --body kiruna-gallivare-lansdelssamverkan
show "preview — every notification due in a period (nothing is sent)" 14 preview --from 2027-01-25 --to 2027-02-05
show "preview as JSON" 1 preview --from 2027-01-26 --to 2027-01-26 --format json --body norrbotten-lsg-au
show "send-test — one real message through the configured transport (here the folder)" 2 send-test --to someone@example.se
python3 - "$tour" <<'PY'
import re, sys
tour = open(sys.argv[1]).read()
readme = open("README.md").read()
new = re.sub(r"(<!-- tour:begin -->\n).*?(<!-- tour:end -->)", lambda m: m.group(1) + tour + m.group(2), readme, flags=re.S)
open("README.md", "w").write(new)
PY
rm -f "$tour"
