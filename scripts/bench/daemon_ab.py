"""A/B of two kallad binaries on signed triggers, for trying changes on a shared machine: both servers run at once
(each its own configuration, credentials and database), and short wrk runs alternate between them, so load that
other processes put on the cores falls on both alike. Prints, per binary, the median of each run's server CPU per
trigger, req/s and p99, and of the CPU per trigger relative to the other binary's neighbouring runs.
Usage: daemon_ab.py KALLAD_A KALLAD_B [ROUNDS], where a binary may be followed by @NAME=VALUE,NAME=VALUE for
environment variables of that server only (the same binary with two settings); (KALLAD_BENCH_SECONDS per run, default 4;
KALLAD_BENCH_RANDOM_IDS=1 for random webhook-ids)."""
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

from daemon_fixture import WRK_THREADS, cpu_seconds, prepare, root, sign, start

binaries = [os.path.abspath(arg.split("@", 1)[0]) for arg in sys.argv[1:3]]
settings = [dict(pair.split("=", 1) for pair in arg.split("@", 1)[1].split(",")) if "@" in arg else {}
            for arg in sys.argv[1:3]]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 6
seconds = os.environ.get("KALLAD_BENCH_SECONDS", "4")
random_ids = bool(os.environ.get("KALLAD_BENCH_RANDOM_IDS"))
key = os.urandom(24)


class Server:
    def __init__(self, binary, name, setting):
        self.tmp = tempfile.mkdtemp(prefix=f"kallad-ab-{name}-")
        config, env, self.port = prepare(self.tmp, key)
        env.update(setting)
        self.process, _ = start([binary], self.tmp, config, env)
        self.signed = os.path.join(self.tmp, "signed.tsv")

    def sign(self, run, count):
        sign(self.signed, key, run, count, random_ids)

    def wrk(self):
        before = cpu_seconds(self.process.pid)
        out = subprocess.run(["wrk", f"-t{WRK_THREADS}", "-c32", f"-d{seconds}s", "--latency", "-s",
                              os.path.join(root, "scripts/bench/signed_triggers.lua"),
                              f"http://127.0.0.1:{self.port}/v1/triggers"], capture_output=True, text=True,
                             env=dict(os.environ, KALLAD_SIGNED=self.signed, KALLAD_THREADS=str(WRK_THREADS))).stdout
        total = int(re.search(r"(\d+) requests in", out).group(1))
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {"cpu_us": 1e6 * (cpu_seconds(self.process.pid) - before) / max(total, 1),
                "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                "p99_ms": float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)],
                "non_2xx": int(bad.group(1)) if bad else 0, "load": os.getloadavg()[0]}

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)
        shutil.rmtree(self.tmp, ignore_errors=True)


servers = [Server(binaries[0], "a", settings[0]), Server(binaries[1], "b", settings[1])]
runs = [[], []]
try:
    for r in range(rounds):
        # A then B in even rounds, B then A in odd ones, so neither always goes first.
        for index in ([0, 1] if r % 2 == 0 else [1, 0]):
            servers[index].sign(r, 40000 * int(seconds))
            runs[index].append(servers[index].wrk())
finally:
    for server in servers:
        server.stop()
relative = [[runs[i][r]["cpu_us"] / runs[1 - i][r]["cpu_us"] for r in range(rounds)] for i in (0, 1)]
for i, name in enumerate("AB"):
    print(json.dumps({
        "binary": name, "path": binaries[i], "environment": settings[i], "cpu_us_median": statistics.median(x["cpu_us"] for x in runs[i]),
        "rps_median": statistics.median(x["rps"] for x in runs[i]),
        "p99_ms_median": statistics.median(x["p99_ms"] for x in runs[i]),
        "cpu_relative_median": statistics.median(relative[i]), "non_2xx": sum(x["non_2xx"] for x in runs[i]),
        "load": [round(x["load"], 1) for x in runs[i]], "cpu_us": [round(x["cpu_us"]) for x in runs[i]]}))
