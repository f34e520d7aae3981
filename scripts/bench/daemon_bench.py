"""Daemon figures for make bench: start to READY (NOTIFY_SOCKET stand-in), idle peak RSS, and wrk against one
server: signed triggers (pre-signed, unique ids) and unsigned healthz. Prints a JSON object.
Usage: daemon_bench.py KALLAD_BINARY"""
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from daemon_fixture import WRK_THREADS, cpu_seconds, first_delivery, prepare, root, send_to, sign, start, start_sink

kallad = os.path.abspath(sys.argv[1])
duration = os.environ.get("KALLAD_BENCH_SECONDS", "10")
connections = os.environ.get("KALLAD_BENCH_CONNECTIONS", "32")
tmp = tempfile.mkdtemp(prefix="kallad-bench-")
key = os.urandom(24)
config, env, port = prepare(tmp, key)


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)


def rss_mb(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


base = f"http://127.0.0.1:{port}"


def idle_memory(process):
    """Peak RSS (VmHWM) and the resident file-backed and anonymous memory after READY, a /readyz and 3 s idle."""
    urllib.request.urlopen(base + "/readyz").read()
    time.sleep(3)
    return {field: rss_mb(process.pid, field) for field in ("VmHWM", "RssFile", "RssAnon")}


def evict(path):
    """Drops a file's pages from the page cache (written back first), so the next start reads it from disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def idle_starts(from_disk):
    """Idle memory, the median of three starts of a fresh copy of the binary: as just written (an install or an
    upgrade; the kernel keeps a written file in large folios and maps a whole folio at a fault, so more of the
    binary is resident), or read from disk before each start (as after a reboot)."""
    copy = os.path.join(tmp, "kallad-copy")
    shutil.copyfile(kallad, copy)
    os.chmod(copy, 0o755)
    results = []
    for _ in range(3):
        if from_disk:
            evict(copy)
        process, _ = start([copy], tmp, config, env)
        results.append(idle_memory(process))
        stop(process)
    os.unlink(copy)
    return {field: statistics.median(r[field] for r in results) for field in ("VmHWM", "RssFile", "RssAnon")}


def idle_after_sending():
    """Idle memory of a daemon that has sent: libcurl (and the libraries it brings) is loaded at the first delivery,
    not at start, so a daemon that has sent nothing since its start holds about 5 MB less than one in service. A
    fresh copy of the binary (just written) with the bundled configuration sending over SMTP to Postfix's
    smtp-sink; a signed `summons.send_now` makes the first delivery; then 3 s idle, as above."""
    sink, sink_port = start_sink()
    sending = os.path.join(tmp, "sending")
    os.mkdir(sending)
    sending_config, sending_env, sending_port = prepare(sending, key)
    send_to(sending, sending_config, sink_port, key)
    copy = os.path.join(sending, "kallad-copy")
    shutil.copyfile(kallad, copy)
    os.chmod(copy, 0o755)
    process, _ = start([copy], sending, sending_config, sending_env)
    try:
        send_base = f"http://127.0.0.1:{sending_port}"
        urllib.request.urlopen(send_base + "/readyz").read()
        status, sent = first_delivery(send_base, key)
        mapped = "libcurl" in open(f"/proc/{process.pid}/maps").read()
        time.sleep(3)
        result = {field: rss_mb(process.pid, field) for field in ("VmHWM", "RssFile", "RssAnon")}
        result.update(trigger_status=status, delivered=sent, libcurl_mapped=mapped)
        return result
    finally:
        stop(process)
        sink.terminate()
        sink.wait()


readies = []
# KALLAD_BENCH_QUICK=1 (for trying changes): one start instead of five for the time to READY.
for run in range(1 if os.environ.get("KALLAD_BENCH_QUICK") else 5):
    process, ms = start([kallad], tmp, config, env)
    readies.append(ms)
    stop(process)
written, from_disk, after_sending = idle_starts(False), idle_starts(True), idle_after_sending()
# The figure is the largest of the three: a daemon in service has sent.
idle = max(written, from_disk, after_sending, key=lambda i: i["VmHWM"])
idle_rss = idle["VmHWM"]
process, _ = start([kallad], tmp, config, env)

count = int(os.environ.get("KALLAD_BENCH_SIGNED", "600000"))
signed = os.path.join(tmp, "signed.tsv")


# KALLAD_BENCH_RANDOM_IDS=1: random webhook-ids (msg_<24 hex>, as senders make them) instead of ids in order, so
# the trigger log's key gets inserts at random places, as it does in service.
random_ids = bool(os.environ.get("KALLAD_BENCH_RANDOM_IDS"))


def wrk(path, script=None):
    before = cpu_seconds(process.pid)
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [base + path], capture_output=True, text=True,
                         env=dict(os.environ, KALLAD_SIGNED=signed, KALLAD_THREADS=str(WRK_THREADS))).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    cpu_us = 1e6 * (cpu_seconds(process.pid) - before) / max(total, 1)
    return {"rps": rps, "p99_ms": p99_ms, "requests": total, "non_2xx": int(bad.group(1)) if bad else 0,
            "server_cpu_us_per_request": cpu_us, "load_average": os.getloadavg()[0]}


# KALLAD_BENCH_RUNS=n: n runs of each, the run with the median req/s reported (and every run under "runs").
# KALLAD_BENCH_PERF=FILE: perf record -g of the server during one more signed run, not counted.
runs = int(os.environ.get("KALLAD_BENCH_RUNS", "1"))
perf_out = os.environ.get("KALLAD_BENCH_PERF")
healthz_runs, trigger_runs = [], []
for run in range(runs + (1 if perf_out else 0)):
    profiled = run == runs
    if not profiled:
        healthz_runs.append(wrk("/healthz"))
    sign(signed, key, run, count, random_ids)
    perf = None
    if profiled:
        perf = subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf", "-o", perf_out, "-p", str(process.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    result = wrk("/v1/triggers", os.path.join(root, "scripts/bench/signed_triggers.lua"))
    if not profiled:
        trigger_runs.append(result)
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait()


def median_run(results):
    return sorted(results, key=lambda r: r["rps"])[len(results) // 2]


healthz, triggers = median_run(healthz_runs), median_run(trigger_runs)
loaded_rss = rss_mb(process.pid, "VmHWM")
stop(process)
shutil.rmtree(tmp, ignore_errors=True)
print(json.dumps({
    "ready_ms_median": statistics.median(readies), "ready_ms_max": max(readies), "idle_rss_mb": idle_rss,
    "idle_rss_file_mb": idle["RssFile"], "idle_rss_anon_mb": idle["RssAnon"], "idle_runs": 3,
    "idle_rss_written_mb": written["VmHWM"], "idle_rss_from_disk_mb": from_disk["VmHWM"],
    "idle_rss_after_sending_mb": after_sending["VmHWM"], "idle_after_sending": after_sending,
    "loaded_rss_mb": loaded_rss, "healthz": healthz, "triggers": triggers, "connections": int(connections), "wrk_threads": WRK_THREADS,
    "seconds": int(duration), "presigned": count,
    "runs": {"healthz": healthz_runs, "triggers": trigger_runs},
}))
