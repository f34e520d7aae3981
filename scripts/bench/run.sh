#!/usr/bin/env bash
# make bench: release build, a generated national registry, Kallad against its peers in the same run, and the
# figures written to BENCHMARKS.md. Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
SEED=${SEED:-1}
YEAR=2027
DATA=bench-out/national-$SEED
command -v /usr/bin/time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }
swift build -c release --product kallad >/dev/null
swift build -c release --product kallad-bench >/dev/null
[ -d "$DATA" ] || .venv/bin/python scripts/bench/gen_registry.py "$DATA" "$SEED"
generated=$(.venv/bin/python - "$DATA" <<'PY'
import glob, sys, yaml
bodies = seats = 0
for path in glob.glob(sys.argv[1] + "/*.yaml"):
    for body in (yaml.safe_load(open(path)) or {}).get("bodies", []) or []:
        bodies += 1
        seats += len(body.get("members", []))
print(bodies, seats)
PY
)

# measure NAME COMMAND…: median wall seconds, median max RSS (MB) and median CPU seconds (user + system) of three
# runs. CPU time is shown too because the machine may be shared: wall time then also counts waiting for a core.
measure() {
    local name=$1
    shift
    local times=() rss=() cpus=()
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M %U %S" -o /tmp/kallad-bench-time "$@" >/dev/null 2>/dev/null || true
        read -r t m u s </tmp/kallad-bench-time
        times+=("$t")
        rss+=("$m")
        cpus+=("$(python3 -c "print($u + $s)")")
    done
    local mt mr mc
    mt=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
    mr=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n 2p)
    mc=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 2p)
    echo "$name $mt $((mr / 1024)) $mc"
}

export LOAD_BEFORE
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
check=$(measure check .build/release/kallad check --config "$DATA" --years $YEAR)
preview=$(measure preview .build/release/kallad preview --config "$DATA" --from $YEAR-01-01 --to $YEAR-12-31)
phases=$(.build/release/kallad-bench "$DATA" $YEAR)

# Issue 3 (first figures): SMTP to Postfix's smtp-sink, Kallad against smtp-source with the same message count.
[ -x /usr/sbin/smtp-sink ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$port" 100 >/dev/null 2>&1 &
sink=$!
sleep 0.5
smtp1=$(.build/release/kallad-bench smtp "smtp://127.0.0.1:$port" 5000 1)
smtp10=$(.build/release/kallad-bench smtp "smtp://127.0.0.1:$port" 5000 10)
source1=$( { /usr/bin/time -f "%e" /usr/sbin/smtp-source -d -s 1 -m 5000 -l 1000 127.0.0.1:"$port" >/dev/null; } 2>&1 | tail -1)
source10=$( { /usr/bin/time -f "%e" /usr/sbin/smtp-source -d -s 10 -m 5000 -l 1000 127.0.0.1:"$port" >/dev/null; } 2>&1 | tail -1)
kill "$sink"
peer=$(.venv/bin/python scripts/bench/dateutil_peer.py "$DATA" $YEAR)

python3 - "$generated" "$check" "$preview" "$phases" "$peer" "$smtp1" "$smtp10" "$source1" "$source10" <<'PY'
import json, os, platform, subprocess, sys, datetime
bodies, seats = sys.argv[1].split()
_, check_s, check_mb, check_cpu = sys.argv[2].split()
_, preview_s, preview_mb, preview_cpu = sys.argv[3].split()
phases, peer = json.loads(sys.argv[4]), json.loads(sys.argv[5])
load_before = os.environ.get("LOAD_BEFORE", "?")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
combined_s = float(check_s) + float(preview_s)
combined_mb = max(int(check_mb), int(preview_mb))
ratio = peer["seconds"] / max(phases["expand_s"], 1e-9)
def ok(b): return "pass" if b else "**miss**"
rows = [
    ("`kallad check` (load, schedule, rules), wall", f"{float(check_s):.2f} s", "", ""),
    ("`kallad check`, CPU (user + system)", f"{float(check_cpu):.2f} s", "", ""),
    ("`kallad check`, peak RSS", f"{check_mb} MB", "", ""),
    ("`kallad preview` full year (text), wall", f"{float(preview_s):.2f} s", "", ""),
    ("`kallad preview`, CPU (user + system)", f"{float(preview_cpu):.2f} s", "", ""),
    ("`kallad preview`, peak RSS", f"{preview_mb} MB", "", ""),
    ("check + full-year preview, wall", f"{combined_s:.2f} s", "≤ 1 s", ok(combined_s <= 1)),
    ("check + full-year preview, CPU (user + system)", f"{float(check_cpu) + float(preview_cpu):.2f} s", "", ""),
    ("check + full-year preview, peak RSS", f"{combined_mb} MB", "≤ 150 MB", ok(combined_mb <= 150)),
    (f"rule expansion {phases['rule_sets']} RRULE sets, Kallad", f"{phases['expand_s'] * 1000:.1f} ms", "", ""),
    ("same expansion, python-dateutil (peer)", f"{peer['seconds'] * 1000:.0f} ms", "", ""),
    ("Kallad vs dateutil", f"{ratio:.0f}×", "≥ 20×", ok(ratio >= 20)),
    ("occurrences, Kallad / dateutil", f"{phases['occurrences']} / {peer['occurrences']}", "equal",
     ok(phases["occurrences"] == peer["occurrences"])),
]
phase_rows = [("load (YAML → registry)", phases["load_s"]), ("schedule + rule checks", phases["schedule_check_s"]),
              ("planner, full year", phases["plan_s"])]
text = f"""# Benchmarks

Written by `make bench` (`scripts/bench/run.sh`) — do not edit by hand.

- Date: {datetime.date.today()}; machine: {os.cpu_count()} cores, {cpu}; {swift}; release build.
- Registry: generated by `scripts/bench/gen_registry.py` (seed {os.environ.get('SEED', '1')}): 21 regions,
  290 municipalities, {bodies} bodies, {seats} member seats; year {2027}: {phases['meetings']} meetings,
  {phases['notifications']} notifications to {phases['recipients']} recipients.
- Wall time, CPU time and peak RSS: median of three runs under `/usr/bin/time`; load average when the runs
  started: {load_before} (other jobs on the machine make wall time longer than CPU time).

## Issue 2: check, preview, and rule expansion against python-dateutil

| figure | measured | target | |
|---|---|---|---|
""" + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows) + """

Inside one process (`kallad-bench`):

| phase | seconds |
|---|---|
""" + "\n".join(f"| {a} | {b:.3f} |" for a, b in phase_rows) + "\n"
smtp1, smtp10 = json.loads(sys.argv[6]), json.loads(sys.argv[7])
source1, source10 = 5000 / float(sys.argv[8]), 5000 / float(sys.argv[9])
r1, r10 = smtp1["per_second"] / source1, smtp10["per_second"] / source10
text += f"""
## Issue 3 (first figures): SMTP to Postfix `smtp-sink`, 5,000 messages

| figure | Kallad | smtp-source | ratio | target | |
|---|---|---|---|---|---|
| one connection | {smtp1['per_second']:.0f} msg/s | {source1:.0f} msg/s (`-s 1`) | {r1:.2f}× | ≥ 1.0× | {ok(r1 >= 1.0)} |
| ten connections | {smtp10['per_second']:.0f} msg/s | {source10:.0f} msg/s (`-s 10`) | {r10:.2f}× | ≥ 0.9× | {ok(r10 >= 0.9)} |

Kallad's SMTP runs libcurl's easy interface, one thread per connection, and reads every reply line through
libcurl's debug callback to give each recipient its own outcome; the multi interface is still to come.
"""
open("BENCHMARKS.md", "w").write(text)
print(text)
PY
