"""A recording HTTP receiver for Kallad's tests on 127.0.0.1, port from the OS. Each request is appended to
SPOOL as a JSON line {method, path, headers, body}. The answer depends on the path's first part:
/ok 204, /created 201, /gone 410, /busy 429 + Retry-After: 30, /fail 503, /bad 400, /auth 401.
Prints "PORT <n>"; runs until stdin closes."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SPOOL = sys.argv[1]
ANSWERS = {"ok": 204, "created": 201, "gone": 410, "busy": 429, "fail": 503, "bad": 400, "auth": 401}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode("utf-8")
        with lock, open(SPOOL, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "body": body,
                                "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
        status = ANSWERS.get(self.path.strip("/").split("/")[0], 404)
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "30")
        text = b"" if status == 204 else b'{"status": %d}' % status
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    do_POST = do_PUT = handle_any

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
