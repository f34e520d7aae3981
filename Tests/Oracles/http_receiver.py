"""A recording HTTP receiver for Kallad's tests on 127.0.0.1, port from the OS. Each request is appended to
SPOOL as a JSON line {method, path, headers, body}. The answer depends on the path's first part:
/ok 204, /created 201, /gone 410, /busy 429 + Retry-After: 30, /later 503 + Retry-After as an HTTP date,
/fail 503, /bad 400, /auth 401, /slow 204 after 0.4 s, /hang 204 after 20 s (for timeouts and cancellation).
Each record also has "in_flight": how many requests the server was handling when this one arrived, and
"client_port" (one port per connection, so kept-alive connections show as repeated ports).
Prints "PORT <n>"; runs until stdin closes."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SPOOL = sys.argv[1]
ANSWERS = {"ok": 204, "created": 201, "gone": 410, "busy": 429, "later": 503, "fail": 503, "bad": 400,
           "auth": 401, "slow": 204, "hang": 204}
DELAYS = {"slow": 0.4, "hang": 20}
lock = threading.Lock()
in_flight = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        global in_flight
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode("utf-8")
        name = self.path.strip("/").split("/")[0]
        with lock:
            in_flight += 1
            with open(SPOOL, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "body": body, "in_flight": in_flight,
                                    "client_port": self.client_address[1], "t": time.monotonic(),
                                    "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
        try:
            time.sleep(DELAYS.get(name, 0))
        finally:
            with lock:
                in_flight -= 1
        status = ANSWERS.get(name, 404)
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "30")
        if name == "later":
            self.send_header("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")
        text = b"" if status == 204 else b'{"status": %d}' % status
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    do_POST = do_PUT = handle_any

    def log_message(self, *args):
        pass


ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
