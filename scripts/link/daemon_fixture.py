"""The daemon as the daemon bench runs it (issue 5), shared by the scripts in scripts/link/: a copy of the bundled
Config/ in a temporary directory with a free port, webhook secrets and a read token as systemd credentials, and a
stand-in NOTIFY_SOCKET to see READY=1 on."""
import base64
import os
import re
import shutil
import socket
import subprocess
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def prepare(tmp):
    """A configuration directory and credentials like the bench's; returns (config dir, environment, port)."""
    config, creds = os.path.join(tmp, "config"), os.path.join(tmp, "credentials")
    shutil.copytree(os.path.join(root, "Config"), config)
    os.mkdir(creds)
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    for name in ["kallad-webhook-arendesystem", "kallad-webhook-avvikelser", "kallad-webhook-bench"]:
        open(os.path.join(creds, name), "w").write(secret)
    open(os.path.join(creds, "kallad-read-token"), "w").write("read-" + os.urandom(12).hex())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = os.path.join(config, "kallad.yaml")
    yaml = re.sub(r"listen: 127\.0\.0\.1:\d+", f"listen: 127.0.0.1:{port}", open(path).read())
    yaml = yaml.replace("    systems:\n", "    systems:\n      - name: bench\n        secret_files: [kallad-webhook-bench]\n"
                        "        bodies: [\"*\"]\n", 1)
    open(path, "w").write(yaml)
    return config, dict(os.environ, NOTIFY_SOCKET=os.path.join(tmp, "notify.sock"), CREDENTIALS_DIRECTORY=creds), port


def start(command, tmp, config, env, timeout=10):
    """Starts COMMAND (the kallad invocation, perhaps under a tool) and returns (process, ms to READY=1)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
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
