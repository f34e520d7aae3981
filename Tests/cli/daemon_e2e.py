"""The whole daemon end to end: `kallad run` with SMTP to aiosmtpd and a Standard Webhooks receiver on a local
HTTP server, driven by signed triggers. An extra meeting ten days ahead is requested: its summons (with the
calendar invitation) reaches every member by SMTP and the receiver by HTTP, signed; the meeting is then cancelled:
the cancellation follows; the outbox, GET /v1/deliveries, `kallad deliveries` and /metrics agree.
Usage: daemon_e2e.py KALLAD_BINARY; exits 1 on any failure."""
import base64
import datetime
import email
import email.policy
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from standardwebhooks.webhooks import Webhook

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, failures, free_port  # noqa: E402

kallad = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
python = os.path.join(root, ".venv", "bin", "python")


def start(script, *args):
    process = subprocess.Popen([python, os.path.join(root, "Tests", "Oracles", script), *args],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    return process, int(line.split()[-1])


tmp = tempfile.mkdtemp(prefix="kallad-e2e-")
spool = os.path.join(tmp, "smtp")
hooks = os.path.join(tmp, "hooks.jsonl")
smtp, smtp_port = start("smtp_server.py", "--spool", spool)
receiver, http_port = start("http_receiver.py", hooks)
creds = os.path.join(tmp, "credentials")
os.mkdir(creds)
trigger_secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
hook_secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
token = "read-" + os.urandom(12).hex()
for name, value in [("trigger-secret", trigger_secret), ("hook-secret", hook_secret), ("read-token", token)]:
    with open(os.path.join(creds, name), "w") as f:
        f.write(value + "\n")
config = os.path.join(tmp, "config")
os.mkdir(config)
shutil.copytree(os.path.join(root, "Config", "templates"), os.path.join(config, "templates"))
api_port = free_port()
day = datetime.date.today() + datetime.timedelta(days=10)
while day.weekday() > 3:
    day += datetime.timedelta(days=1)
with open(os.path.join(config, "kallad.yaml"), "w") as f:
    f.write(f"""
settings:
  time_zone: Europe/Stockholm
  language: sv
  delivery:
    transport: smtp
    smtp_url: smtp://127.0.0.1:{smtp_port}
    require_tls: false
    service_address: kallad@example.se
  outbox: {{database: kallad.sqlite}}
  service:
    listen: 127.0.0.1:{api_port}
    read_token_file: read-token
    systems:
      - {{name: arendesystem, secret_files: [trigger-secret], bodies: [natverk]}}
receivers:
  - {{name: intranat, kind: standard, url: "http://127.0.0.1:{http_port}/ok/events", secret_files: [hook-secret]}}
parties:
  - {{id: region, name: Regionen, kind: region}}
  - {{id: kommun, name: Kommunen, kind: municipality}}
people:
  - {{id: anna, name: Anna Andersson, email: anna@example.se}}
  - {{id: bo, name: Bo Berg, email: bo@example.se}}
  - {{id: dan, name: Dan Dahl, email: dan@example.se}}
offices:
  - {{id: chef-region, title: Närsjukvårdschef, party: region, holder: anna}}
  - {{id: chef-kommun, title: Socialchef, party: kommun, holder: bo}}
  - {{id: samordnare, title: Samordnare, party: region, holder: dan}}
bodies:
  - id: natverk
    name: Testnätverket
    kind: network
    hours: "10:00-12:00"
    location: Regionhuset
    receivers: [intranat]
    members:
      - {{office: chef-region}}
      - {{office: chef-kommun}}
      - {{office: samordnare}}
    convener: {{seat: chef-region}}
    chair: {{seat: chef-region}}
    secretary: {{seat: samordnare}}
    schedule:
      plan:
        2099: [2099-03-12]
""")
state = os.path.join(tmp, "state")
os.mkdir(state)
env = dict(os.environ, CREDENTIALS_DIRECTORY=creds, STATE_DIRECTORY=state)
env.pop("NOTIFY_SOCKET", None)
log = open(os.path.join(tmp, "daemon.log"), "w")
daemon = subprocess.Popen([kallad, "run", "--config", config], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
base = f"http://127.0.0.1:{api_port}"


def http(method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, data=body.encode() if body else None, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    return predicate()


def trigger(id, type, data):
    body = json.dumps({"type": type, "data": data})
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    signature = Webhook(trigger_secret).sign(id, now, body)
    return http("POST", "/v1/triggers", body, {"webhook-id": id, "webhook-timestamp": str(int(now.timestamp())),
                                                "webhook-signature": signature, "content-type": "application/json"})


def mails():
    found = []
    for path in sorted(glob.glob(os.path.join(spool, "*.eml"))):
        message = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
        envelope = json.load(open(path[:-4] + ".json"))
        found.append((message, envelope))
    return found


def recorded_hooks():
    if not os.path.exists(hooks):
        return []
    return [json.loads(line) for line in open(hooks) if line.strip()]


try:
    check("the daemon answers /readyz", wait(lambda: http("GET", "/readyz")[0] == 200, 20))

    def maps_libcurl():
        return "libcurl" in open(f"/proc/{daemon.pid}/maps").read()

    # Nothing is due yet: libcurl (and the libraries it brings) is loaded at the first delivery, not before.
    check("libcurl is not loaded before anything is sent", not maps_libcurl())
    status, text = trigger("e2e-extra", "meeting.requested",
                           {"body": "natverk", "date": day.isoformat(), "start": "10:00", "reason": "Brådskande ärende"})
    check("meeting.requested accepted", status == 202, f"{status} {text}")
    meeting = f"natverk/{day.isoformat()}-extra-e2e-extra"

    def summonses():
        return [(m, e) for m, e in mails() if m["X-Kallad-Key"] and "/summons/" in m["X-Kallad-Key"]]

    got = wait(lambda: len(summonses()) >= 3)
    check("the summons reaches every member over SMTP", len(summonses()) == 3, f"{len(summonses())} of 3")
    summons = summonses()[0][0] if summonses() else None
    calendar = [p for p in summons.walk() if p.get_content_type() == "text/calendar"] if summons else []
    check("with a calendar invitation", bool(calendar) and "METHOD:REQUEST" in calendar[0].get_content())
    check("every recipient once", sorted(e["to"][0] for _, e in summonses()) ==
          ["anna@example.se", "bo@example.se", "dan@example.se"])
    check("libcurl is loaded once the dispatcher sends", maps_libcurl())
    hook = wait(lambda: [h for h in recorded_hooks() if "summons" in h.get("body", "")])
    check("the receiver gets the summons as a signed event", bool(hook))
    if hook:
        headers = {k.lower(): v for k, v in hook[0]["headers"].items()}
        try:
            Webhook(hook_secret).verify(hook[0]["body"], headers)
            check("its signature verifies with standardwebhooks", True)
        except Exception as error:  # noqa: BLE001
            check("its signature verifies with standardwebhooks", False, str(error))

    status, text = trigger("e2e-cancel", "meeting.cancelled", {"meeting": meeting, "reason": "Löst på annat sätt"})
    check("meeting.cancelled accepted", status == 202, f"{status} {text}")
    cancellations = wait(lambda: [m for m, _ in mails() if "/cancellation/" in (m["X-Kallad-Key"] or "")]
                         if len([m for m, _ in mails() if "/cancellation/" in (m["X-Kallad-Key"] or "")]) >= 3
                         else None)
    check("the cancellation reaches those summoned", bool(cancellations) and len(cancellations) == 3)
    if cancellations:
        parts = [p for p in cancellations[0].walk() if p.get_content_type() == "text/calendar"]
        check("as METHOD:CANCEL", bool(parts) and "METHOD:CANCEL" in parts[0].get_content())

    status, text = http("GET", f"/v1/deliveries?meeting={meeting}", headers={"Authorization": "Bearer " + token})
    reports = json.loads(text) if status == 200 else []
    kinds = sorted({r.get("kind") for r in reports if r.get("state") == "delivered"})
    check("GET /v1/deliveries lists them delivered", status == 200 and "summons" in kinds and "cancellation" in kinds,
          f"{status} {kinds}")
    listing = subprocess.run([kallad, "deliveries", "--config", config, "--meeting", meeting,
                              "--database", os.path.join(state, "kallad.sqlite")], capture_output=True, text=True)
    check("kallad deliveries reads the daemon's outbox", listing.returncode == 0 and "delivered summons" in listing.stdout,
          listing.stdout[-300:] + listing.stderr[-300:])
    status, metrics = http("GET", "/metrics")
    check("metrics count the deliveries",
          'kallad_deliveries_total{channel="email",outcome="delivered"}' in metrics, metrics[:300])
finally:
    daemon.send_signal(signal.SIGTERM)
    try:
        code = daemon.wait(timeout=15)
    except subprocess.TimeoutExpired:
        daemon.kill()
        code = -1
    check("SIGTERM: exit 0", code == 0, str(code))
    for process in (smtp, receiver):
        process.stdin.close()
        process.wait(timeout=10)
    if failures:
        print(open(os.path.join(tmp, "daemon.log")).read()[-3000:])
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("kept", tmp)

print(f"{'FAIL' if failures else 'ok'}: daemon end to end, {len(failures)} failures")
sys.exit(1 if failures else 0)
