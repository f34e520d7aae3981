"""The idle daemon's memory, as the daemon bench measures it (issue 5): `kallad run` on a copy of the bundled
Config/ in a temporary directory, READY=1 on a stand-in NOTIFY_SOCKET, GET /readyz, a short idle, then VmHWM,
RssAnon, RssFile and the resident size of every mapped file from /proc/PID/smaps. Prints JSON (one object per run
and the medians). KALLAD_SENDING=1: the daemon first delivers (mail to smtp-sink, as the daemon bench's
idle-after-sending figure, the one for the target), then idles.
Usage: idle_memory.py KALLAD_BINARY [RUNS] [IDLE_SECONDS]"""
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
from daemon_fixture import first_delivery, prepare, send_to, start, start_sink  # noqa: E402

kallad = os.path.abspath(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
idle = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
sending = bool(os.environ.get("KALLAD_SENDING"))


def status(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if value.strip().endswith(" kB"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def resident_by_file(pid):
    """Rss in MB per mapped path (anonymous mappings under their bracketed name or "[anon]")."""
    sizes, current = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            current = parts[5] if len(parts) > 5 else "[anon]"
        elif parts[0] == "Rss:":
            sizes[current] = sizes.get(current, 0) + int(parts[1]) / 1024
    return sizes


def sections_of(binary):
    """(name, file offset, size) of the binary's allocated sections that have bytes in the file."""
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True).stdout
    found = []
    for m in re.finditer(r"\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*A\S*)\s", out):
        if m.group(2) != "NOBITS":
            found.append((m.group(1), int(m.group(3), 16), int(m.group(4), 16)))
    return found


def resident_by_section(pid, binary):
    """MB resident per section of the binary's own mappings (pagemap: present; file page or copied on write)."""
    sections = sections_of(binary)
    totals = {}
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in open(f"/proc/{pid}/maps"):
            parts = line.split()
            if len(parts) < 6 or os.path.realpath(parts[5]) != os.path.realpath(binary):
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            offset = int(parts[2], 16)
            pagemap.seek(start // 4096 * 8)
            entries = pagemap.read((end - start) // 4096 * 8)
            for i in range(len(entries) // 8):
                entry = int.from_bytes(entries[8 * i:8 * i + 8], "little")
                if not entry >> 63:
                    continue
                kind = "file" if entry >> 61 & 1 else "anon"
                page = offset + 4096 * i
                name = "(other)"
                for section, at, size in sections:
                    if at <= page + 2048 < at + size or (at <= page < at + size):
                        name = section
                        break
                totals[(name, kind)] = totals.get((name, kind), 0) + 4096 / 2**20
    return {f"{name} {kind}": round(mb, 2) for (name, kind), mb in sorted(totals.items(), key=lambda kv: -kv[1])}


def once():
    tmp = tempfile.mkdtemp(prefix="kallad-idle-")
    key = os.urandom(24)
    sink, sink_port = start_sink() if sending else (None, None)
    try:
        config, env, port = prepare(tmp, key)
        if sending:
            send_to(tmp, config, sink_port, key)
        process, ready_ms = start([kallad], tmp, config, env)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz").read()
        if sending and not first_delivery(f"http://127.0.0.1:{port}", key)[1]:
            sys.exit("the daemon delivered no mail to smtp-sink")
        time.sleep(idle)
        fields = status(process.pid)
        files = resident_by_file(process.pid)
        sections = resident_by_section(process.pid, kallad) if os.environ.get("KALLAD_SECTIONS") else {}
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        return {"ready_ms": ready_ms, "VmHWM": fields["VmHWM"], "VmRSS": fields["VmRSS"],
                "RssAnon": fields["RssAnon"], "RssFile": fields["RssFile"],
                "sections": sections, "files": {k: round(v, 2) for k, v in sorted(files.items(), key=lambda kv: -kv[1]) if v >= 0.05}}
    finally:
        if sink:
            sink.terminate()
            sink.wait()
        shutil.rmtree(tmp, ignore_errors=True)


results = [once() for _ in range(runs)]
medians = {key: statistics.median(r[key] for r in results) for key in ["ready_ms", "VmHWM", "VmRSS", "RssAnon", "RssFile"]}
print(json.dumps({"load_average": os.getloadavg(), "median": medians, "runs": results}, indent=1))
