#!/usr/bin/env bash
# The daemon's benchmark (issue 5), called by scripts/bench/run.sh: release build, then signed triggers and
# unsigned healthz with wrk against one `kallad run`, idle peak RSS and start-to-READY. Prints a Markdown section.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
scripts/release-build.sh kallad >/dev/null
# Five runs of each load; the run with the median req/s is reported, and every run's req/s listed (the cores are
# shared, and on this machine one 10 s run of triggers varies by ±8 % from the next).
figures=$(KALLAD_BENCH_RUNS="${KALLAD_BENCH_RUNS:-5}" .venv/bin/python scripts/bench/daemon_bench.py .build/release/kallad)
python3 - "$figures" <<'PY'
import json, sys
f = json.loads(sys.argv[1])
t, h = f["triggers"], f["healthz"]
def ok(b): return "pass" if b else "**miss**"
rows = [
    ("signed triggers (`POST /v1/triggers`, agenda.item.added)", f"{t['rps']:,.0f} req/s", "≥ 20,000", ok(t["rps"] >= 20000)),
    ("signed triggers, every run (req/s)", ", ".join(f"{r['rps']:,.0f}" for r in f["runs"]["triggers"]), "", ""),
    ("signed triggers, p99 latency", f"{t['p99_ms']:.2f} ms", "< 5 ms", ok(t["p99_ms"] < 5)),
    ("signed triggers, answers other than 202", f"{t['non_2xx']} of {t['requests']:,}", "0", ok(t["non_2xx"] == 0)),
    ("server CPU per signed trigger (utime+stime / requests)", f"{t['server_cpu_us_per_request']:.0f} µs", "", ""),
    ("unsigned `GET /healthz`, same server", f"{h['rps']:,.0f} req/s", "", ""),
    ("unsigned `GET /healthz`, p99 latency", f"{h['p99_ms']:.2f} ms", "", ""),
    ("server CPU per healthz", f"{h['server_cpu_us_per_request']:.0f} µs", "", ""),
    ("1-minute load average during the runs (2 cores)", f"{t['load_average']:.1f}", "", ""),
    (f"idle peak RSS (VmHWM after READY and 3 s idle; the largest of the three below)", f"{f['idle_rss_mb']:.1f} MB",
     "≤ 30 MB", ok(f["idle_rss_mb"] <= 30)),
    ("… after its first delivery (SMTP to smtp-sink; libcurl loaded), as a daemon in service is",
     f"{f['idle_rss_after_sending_mb']:.1f} MB" + ("" if f["idle_after_sending"]["delivered"] else " (nothing delivered!)"),
     "", ""),
    (f"… nothing sent since start, the binary just written (an install, an upgrade; median of {f['idle_runs']} starts)",
     f"{f['idle_rss_written_mb']:.1f} MB", "", ""),
    (f"… nothing sent since start, the binary read from disk (as after a reboot; median of {f['idle_runs']} starts)",
     f"{f['idle_rss_from_disk_mb']:.1f} MB", "", ""),
    ("idle resident memory: file-backed (code, read-only data) / anonymous", f"{f['idle_rss_file_mb']:.1f} MB / "
     f"{f['idle_rss_anon_mb']:.1f} MB", "", ""),
    ("peak RSS after both load runs (SQLite outbox and trigger log)", f"{f['loaded_rss_mb']:.1f} MB", "", ""),
    ("start to READY=1 (median of 5; max)", f"{f['ready_ms_median']:.0f} ms; {f['ready_ms_max']:.0f} ms", "≤ 200 ms",
     ok(f["ready_ms_median"] <= 200)),
]
print(f"""
## Issue 5: the daemon (`kallad run`), wrk on loopback

wrk -t{f['wrk_threads']} -c{f['connections']} -d{f['seconds']}s against one server, the bundled configuration, triggers pre-signed
with unique `webhook-id`s ({f['presigned']:,} made per run; Standard Webhooks HMAC-SHA256 checked per request), log
level info to /dev/null; of {len(f['runs']['triggers'])} runs of each, the one with the median req/s. wrk (one thread: a second cost it 6 µs more CPU per
request) shares the 2 cores with the server; each request is formatted before the run. Each trigger is on disk (SQLite, `synchronous=FULL`) before its 202; triggers that arrive
together share one commit, and a burst is planned in one planner tick. The binary is the release build `make install`
ships (scripts/release-build.sh: every module compiled with a section per function): Swift runtime, Foundation and
libstdc++ linked in statically with lld, the functions a daemon runs from exec through its first delivery laid out
first (scripts/link/kallad.order) and the functions without a symbol next to them (scripts/link/kallad-text.ld),
relative relocations packed; the README's "Memory" says why and how to refresh the order.
Idle memory depends on how the binary sits in the page cache: a file just written is kept in large folios, and a
fault maps a whole folio, so more of the binary is resident than when it is read from disk; both are measured, on
fresh copies of the binary. It depends most on whether the daemon has sent anything: libcurl and the two dozen
libraries it brings are loaded at the first delivery, and sending runs code that idling never touches (composing,
SMTP, TLS set-up), so a daemon in service, which sends every day, holds what the "after its first delivery" row
shows; that row counts for the target.

| figure | measured | target | |
|---|---|---|---|
""" + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows))
PY
