#!/usr/bin/env python3
"""A webhook receiver for the notification tests: Python's standard http.server.

Verifies X-Chairwatch-Signature (HMAC-SHA256 of the body, keyed with the secret file), records
each request as one JSON line, and answers 200 - or 401 for a bad signature, 503 for the first
--fail-first requests, after --sleep seconds when asked. With --cert/--key it speaks HTTPS.

  webhook_receiver.py --port P --record FILE [--secret-file F] [--fail-first N] [--sleep S]
                      [--cert C --key K]
"""
import argparse
import hashlib
import hmac
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--secret-file")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--sleep", type=float, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    secret = open(args.secret_file, "rb").read() if args.secret_file else None
    lock = threading.Lock()
    state = {"count": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state["count"] += 1
                n = state["count"]
            signature = self.headers.get("X-Chairwatch-Signature")
            signature_ok = None
            if secret is not None:
                want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
                signature_ok = signature is not None and hmac.compare_digest(signature, want)
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if signature_ok is False:
                status = 401
            elif n <= args.fail_first:
                status = 503
            else:
                status = 200
            if args.sleep:
                time.sleep(args.sleep)
            record = {"n": n, "path": self.path, "status": status,
                      "signature_ok": signature_ok,
                      "headers": {k.lower(): v for k, v in self.headers.items()},
                      "body": parsed}
            with lock, open(args.record, "a") as f:
                f.write(json.dumps(record) + "\n")
            answer = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
