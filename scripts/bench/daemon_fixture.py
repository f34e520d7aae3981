"""The daemon as the daemon bench runs it (issue 5), shared by daemon_bench.py, daemon_ab.py and the scripts in
scripts/link/: a copy of the bundled Config/ in a temporary directory with a free port, webhook secrets and a read
token as systemd credentials, a stand-in NOTIFY_SOCKET to see READY=1 on, pre-signed triggers for wrk, and the
server's CPU time."""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# The trigger the bench sends: an agenda item for a meeting every system may touch, months ahead.
body = json.dumps({"type": "agenda.item.added", "data": {"meeting": "norrbotten-lsg/2027-02-11",
                                                          "title": "Benchmark item"}}, separators=(",", ":"))


# wrk's threads: one. On 2 cores shared with the server a second wrk thread costs about 6 µs more CPU per request
# (17 against 11 µs, measured) and gives the server nothing: one thread keeps 32 connections busy with epoll.
WRK_THREADS = 1


# A meeting of the bundled configuration that every system may touch, months ahead.
meeting = "norrbotten-lsg/2027-02-11"


def free_port():
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_signed(base, key, webhook_id, payload):
    """POSTs `payload` as a trigger from the bench's system, signed with `key` (the one `prepare` was given);
    returns the HTTP status."""
    text = json.dumps(payload, separators=(",", ":"))
    stamp = str(int(time.time()))
    mac = hmac.new(key, f"{webhook_id}.{stamp}.{text}".encode(), hashlib.sha256).digest()
    request = urllib.request.Request(base + "/v1/triggers", data=text.encode(), method="POST", headers={
        "content-type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(), "kallad-system": "bench"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code



def prepare(tmp, key=None):
    """A configuration directory and credentials like the bench's, every sending system's secret made from `key`
    (random when not given); returns (config dir, environment, port)."""
    config, creds = os.path.join(tmp, "config"), os.path.join(tmp, "credentials")
    shutil.copytree(os.path.join(root, "Config"), config)
    os.mkdir(creds)
    secret = "whsec_" + base64.b64encode(key or os.urandom(24)).decode()
    for name in ["kallad-webhook-arendesystem", "kallad-webhook-avvikelser", "kallad-webhook-bench"]:
        open(os.path.join(creds, name), "w").write(secret)
    open(os.path.join(creds, "kallad-read-token"), "w").write("read-" + os.urandom(12).hex())
    port = free_port()
    path = os.path.join(config, "kallad.yaml")
    yaml = re.sub(r"listen: 127\.0\.0\.1:\d+", f"listen: 127.0.0.1:{port}", open(path).read())
    yaml = yaml.replace("    systems:\n", "    systems:\n      - name: bench\n        secret_files: [kallad-webhook-bench]\n"
                        "        bodies: [\"*\"]\n", 1)
    open(path, "w").write(yaml)
    return config, dict(os.environ, NOTIFY_SOCKET=os.path.join(tmp, "notify.sock"), CREDENTIALS_DIRECTORY=creds), port


def start_sink():
    """Postfix's smtp-sink on a free port of 127.0.0.1 (as user nobody when run as root); returns (process, port)."""
    port = free_port()
    sink = subprocess.Popen(["/usr/sbin/smtp-sink"] + (["-u", "nobody"] if os.getuid() == 0 else []) +
                            [f"127.0.0.1:{port}", "256"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sink, port


def send_to(tmp, config, sink_port, key):
    """Turns a configuration made by `prepare` into one that sends: mail over SMTP to `sink_port`, and the receivers'
    webhooks to a port on 127.0.0.1 where nothing listens (refused, retried later), so nothing leaves the machine;
    the signed receiver's secret is made from `key`."""
    path = os.path.join(config, "kallad.yaml")
    yaml = open(path).read().replace(
        "    transport: folder\n    folder: out/mail\n",
        f"    transport: smtp\n    smtp_url: smtp://127.0.0.1:{sink_port}\n    require_tls: false\n", 1)
    yaml = re.sub(r"url: https://[^/\s]+/", f"url: http://127.0.0.1:{free_port()}/", yaml)
    open(path, "w").write(yaml)
    open(os.path.join(tmp, "credentials", "webhook-secret-intranat"), "w").write(
        "whsec_" + base64.b64encode(key).decode())


def first_delivery(base, key, timeout=30):
    """Makes the daemon at `base` send (a signed `summons.send_now` for `meeting`) and waits until a mail is
    delivered; returns (the trigger's HTTP status, whether a mail was delivered)."""
    status = post_signed(base, key, "first-delivery", {"type": "summons.send_now", "data": {"meeting": meeting}})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metrics = urllib.request.urlopen(base + "/metrics", timeout=timeout).read().decode()
        if 'kallad_deliveries_total{channel="email",outcome="delivered"}' in metrics:
            return status, True
        time.sleep(0.2)
    return status, False


def start(command, tmp, config, env, timeout=10):
    """Starts COMMAND (the kallad invocation, perhaps under a tool) and returns (process, ms to READY=1)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(env["NOTIFY_SOCKET"]):
        os.unlink(env["NOTIFY_SOCKET"])
    listener.bind(env["NOTIFY_SOCKET"])
    listener.settimeout(timeout)
    began = time.monotonic()
    process = subprocess.Popen(command + ["run", "--config", config], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd=tmp)
    try:
        while b"READY=1" not in listener.recv(4096):
            pass
    finally:
        listener.close()
    return process, 1000 * (time.monotonic() - began)


def sign(path, key, run, count, random_ids=False):
    """Writes `count` triggers signed with `key` for signed_triggers.lua: the timestamp and body on the first line,
    then an id and its signature per line. Ids are unique across runs (no run replays another's); random ids
    (msg_<24 hex>, as senders make them) land at random places in the trigger log's key, as in service."""
    stamp = str(int(time.time()))
    with open(path, "w") as f:
        f.write(f"{stamp}\t{body}\n")
        for i in range(count):
            msg_id = f"msg_{os.urandom(12).hex()}" if random_ids else f"bench-{run}-{i}"
            mac = hmac.new(key, f"{msg_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()
            f.write(f"{msg_id}\tv1,{base64.b64encode(mac).decode()}\n")


def cpu_seconds(pid):
    """User + system CPU seconds of process `pid` so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
