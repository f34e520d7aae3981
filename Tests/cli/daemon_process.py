"""The daemon as a real process: a temporary config, a stand-in NOTIFY_SOCKET listener, signed triggers from the
`kallad trigger` client and from the standardwebhooks package, SIGHUP with a broken config (kept the old one),
SIGHUP with a good one, SIGTERM (STOPPING, exit 0, no more requests). Prints figures; exits 1 on any failure.
Usage: daemon_process.py KALLAD_BINARY"""
import base64
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from standardwebhooks.webhooks import Webhook

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, failures, free_port  # noqa: E402

kallad = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


tmp = tempfile.mkdtemp(prefix="kallad-daemon-")
config = os.path.join(tmp, "config")
creds = os.path.join(tmp, "credentials")
shutil.copytree(os.path.join(root, "Config"), config)
os.mkdir(creds)
secrets = {}
for name in ["kallad-webhook-arendesystem", "kallad-webhook-avvikelser"]:
    secrets[name] = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    with open(os.path.join(creds, name), "w") as f:
        f.write(secrets[name] + "\n")
token = "read-" + os.urandom(12).hex()
with open(os.path.join(creds, "kallad-read-token"), "w") as f:
    f.write(token)
port = free_port()
main_yaml = os.path.join(config, "kallad.yaml")
good = re.sub(r"listen: 127\.0\.0\.1:\d+", f"listen: 127.0.0.1:{port}", open(main_yaml).read())
open(main_yaml, "w").write(good)
base = f"http://127.0.0.1:{port}"

# The stand-in for systemd's notification socket.
notify_path = os.path.join(tmp, "notify.sock")
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(notify_path)
messages = []
lock = threading.Lock()


def collect():
    while True:
        try:
            data = listener.recv(4096)
        except OSError:
            return
        with lock:
            messages.append((time.monotonic(), data.decode()))


threading.Thread(target=collect, daemon=True).start()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lock:
            found = [m for m in messages if predicate(m[1])]
        if found:
            return found
        time.sleep(0.01)
    return []


def states():
    with lock:
        return [m[1] for m in messages]


def http(method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, data=body.encode() if body else None, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="400000", CREDENTIALS_DIRECTORY=creds)
log_path = os.path.join(tmp, "daemon.log")
log = open(log_path, "w")
started = time.monotonic()
process = subprocess.Popen([kallad, "run", "--config", config], env=env, stdout=log, stderr=subprocess.STDOUT,
                           cwd=tmp)
ready = wait_for(lambda s: "READY=1" in s)
check("READY=1 arrives", bool(ready))
if ready:
    print(f"figure start_to_ready_ms={1000 * (ready[0][0] - started):.0f}")
check("WATCHDOG=1 arrives", bool(wait_for(lambda s: s == "WATCHDOG=1", timeout=2)))
check("healthz", http("GET", "/healthz")[0] == 200)
check("readyz", http("GET", "/readyz")[0] == 200)

status, text = http("GET", "/v1/meetings?body=norrbotten-lsg&from=2027-01-01&to=2027-12-31",
                    headers={"Authorization": "Bearer " + token})
meetings = json.loads(text) if status == 200 else []
check("meetings listed with the read token", status == 200 and len(meetings) > 0, text[:200])
meeting = meetings[0]["id"] if meetings else "norrbotten-lsg/2027-02-11"

secret_file = os.path.join(creds, "kallad-webhook-arendesystem")
client = subprocess.run([kallad, "trigger", "agenda.item.added", "--url", base + "/v1/triggers", "--secret-file",
                         secret_file, "--system", "arendesystem-exempel", "--id", "cli-1", "--data",
                         json.dumps({"meeting": meeting, "title": "Budget 2027"})],
                        capture_output=True, text=True)
check("kallad trigger: 202 and exit 0", client.returncode == 0 and client.stdout.startswith("202 "),
      client.stdout + client.stderr)
again = subprocess.run([kallad, "trigger", "agenda.item.added", "--url", base + "/v1/triggers", "--secret-file",
                        secret_file, "--id", "cli-1", "--data", json.dumps({"meeting": meeting, "title": "x"})],
                       capture_output=True, text=True)
check("kallad trigger replayed id: 409 and exit 1", again.returncode == 1 and again.stdout.startswith("409 "),
      again.stdout + again.stderr)
bad_url = subprocess.run([kallad, "trigger", "agenda.item.added", "--url", f"http://127.0.0.1:{free_port()}/v1/triggers",
                          "--secret-file", secret_file, "--data", "{}"], capture_output=True, text=True)
check("kallad trigger without a server: exit 2", bad_url.returncode == 2, bad_url.stderr)


def python_signed(type_, data, secret, msg_id):
    body = json.dumps({"type": type_, "data": data})
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    signature = Webhook(secret).sign(msg_id, now, body)
    return http("POST", "/v1/triggers", body, {
        "content-type": "application/json", "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature})


status, text = python_signed("deviation.reported", {"title": "Avvikelse 4711"},
                             secrets["kallad-webhook-avvikelser"], "py-1")
check("standardwebhooks-signed deviation accepted", status == 202, text)

# SIGHUP with a broken configuration: refused, old one kept.
with lock:
    before = len(messages)
open(main_yaml, "w").write(good.replace("log_level: info", "log_level: loud"))
process.send_signal(signal.SIGHUP)
refused = wait_for(lambda s: "STATUS=reload refused" in s)
check("broken reload: RELOADING=1 then READY=1 with the reason in STATUS=",
      bool(refused) and any("RELOADING=1" in s for s in states()[before:]) and "log_level" in refused[0][1],
      str(states()[before:]))
check("broken reload: still ready", http("GET", "/readyz")[0] == 200)
status, _ = python_signed("agenda.item.added", {"meeting": meeting, "title": "after refused reload"},
                          secrets["kallad-webhook-arendesystem"], "py-2")
check("broken reload: triggers still accepted under the old configuration", status == 202)
time.sleep(0.2)
check("broken reload: the log says why", "configuration refused" in open(log_path).read())

# SIGHUP with a good configuration that closes one system's access.
open(main_yaml, "w").write(good.replace("bodies: [norrbotten-lsg, norrbotten-lsg-au]", "bodies: [norrbotten-lsg-au]"))
process.send_signal(signal.SIGHUP)
check("good reload: READY=1 with STATUS=configuration reloaded",
      bool(wait_for(lambda s: "STATUS=configuration reloaded" in s)))
status, _ = python_signed("agenda.item.added", {"meeting": meeting, "title": "now forbidden"},
                          secrets["kallad-webhook-arendesystem"], "py-3")
check("good reload: the new permissions apply (403)", status == 403)

# SIGTERM: STOPPING=1, exit 0 within the bound, no more requests.
stop_started = time.monotonic()
process.send_signal(signal.SIGTERM)
try:
    code = process.wait(timeout=15)
except subprocess.TimeoutExpired:
    process.kill()
    code = None
print(f"figure sigterm_to_exit_ms={1000 * (time.monotonic() - stop_started):.0f}")
check("SIGTERM: exit 0", code == 0, f"exit {code}")
check("SIGTERM: STOPPING=1", bool(wait_for(lambda s: s == "STOPPING=1", timeout=2)))
try:
    http("GET", "/healthz")
    check("after exit: nothing listens", False)
except (urllib.error.URLError, ConnectionError):
    check("after exit: nothing listens", True)

order = []
for _, state in sorted(messages):
    for key in ["READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1"]:
        if key in state.split("\n") and key not in order:
            order.append(key)
check("first READY, WATCHDOG, RELOADING, STOPPING in that order",
      order == ["READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1"], str(order))
log_text = open(log_path).read()
check("logs are logfmt lines", all(line.startswith("ts=") for line in log_text.splitlines() if line), log_text[:300])
check("no secret in the logs", not any(s in log_text for s in list(secrets.values()) + [token]))
listener.close()
shutil.rmtree(tmp, ignore_errors=True)
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
