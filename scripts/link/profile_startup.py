"""Lists the functions of the kallad binary that a daemon in service runs: from exec to READY=1, a GET /readyz,
the first delivery (mail over SMTP to Postfix's smtp-sink, webhooks refused by a closed local port, as the daemon
bench's idle-after-sending figure has it) and a short idle: the daemon runs under valgrind's callgrind on the
bench's configuration (daemon_fixture), is dumped after the idle, then stopped. Prints one symbol a line (raw, as
the linker names them), in the order callgrind first lists them: the --symbol-ordering-file lld gets (Package.swift). Needs valgrind (Debian package valgrind).
Usage: profile_startup.py KALLAD_BINARY [IDLE_SECONDS] > symbols
(KALLAD_PROFILE_KEEP=PREFIX keeps the callgrind profiles as PREFIXcallgrind.out.PID[.1], e.g. for callgrind_annotate.)"""
import glob
import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
from daemon_fixture import first_delivery, prepare, send_to, start, start_sink  # noqa: E402

kallad = os.path.realpath(sys.argv[1])
idle = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
tmp = tempfile.mkdtemp(prefix="kallad-profile-")
sink, sink_port = start_sink()
try:
    key = os.urandom(24)
    config, env, port = prepare(tmp, key)
    send_to(tmp, config, sink_port, key)
    # valgrind cannot read the toolchain's DWARF ("possibly corrupted debuginfo"): profile a copy without it.
    # The symbol table stays, and with it every name the linker orders by.
    copy = os.path.join(tmp, "kallad")
    objcopy = shutil.which("llvm-objcopy") or shutil.which("objcopy")
    subprocess.run([objcopy, "--strip-debug", kallad, copy], check=True)
    out = os.path.join(tmp, "callgrind.out")
    tool = ["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no", "--compress-pos=no",
            "--dump-instr=no", "--collect-atstart=yes", f"--callgrind-out-file={out}.%p"]
    process, _ = start(tool + [copy], tmp, config, env, timeout=300)
    urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=60).read()
    if not first_delivery(f"http://127.0.0.1:{port}", key, timeout=120)[1]:
        sys.exit("the profiled daemon delivered no mail to smtp-sink")
    time.sleep(idle)
    # Dump what ran so far (callgrind_control writes the profile without stopping the process), then stop it.
    subprocess.run(["callgrind_control", "--dump=idle", str(process.pid)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    dumps = sorted(glob.glob(out + ".*"))
    keep = os.environ.get("KALLAD_PROFILE_KEEP")
    if keep:
        for dump in dumps:
            shutil.copy(dump, keep + os.path.basename(dump))
    seen, current_object = set(), None
    for dump in dumps:
        if not dump.endswith(".1"):   # the dump at the idle point; the final one (shutdown) is left out
            continue
        for line in open(dump, errors="replace"):
            if line.startswith("ob="):
                current_object = os.path.realpath(line[3:].strip()) if line[3:].strip() else current_object
            elif line.startswith("fn=") and current_object == copy:
                # callgrind marks recursion levels with 'N; code without a symbol shows as an address
                name = re.sub(r"'\d+$", "", line[3:].strip())
                if name not in seen and not name.startswith("0x"):
                    seen.add(name)
                    print(name)
    if not seen:
        sys.exit(f"no functions of {copy} in {dumps}")
finally:
    sink.terminate()
    sink.wait()
    shutil.rmtree(tmp, ignore_errors=True)
