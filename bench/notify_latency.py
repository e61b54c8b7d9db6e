#!/usr/bin/env python3
"""Alarm-to-receiver latency of chairwatchd's notifications (docs/notifications.md, "Measured").

  notify_latency.py serve WEBHOOK_PORT MLLP_PORT OUT.jsonl   # a webhook and an ACM endpoint
  notify_latency.py summary OUT.jsonl                         # p50/p99 per receiver and priority

`serve` answers every webhook POST with 200 and every ORU^R40 with an AA, and writes one line per
arrival: the arrival time minus the transition time the message carries (the webhook body's
latest `at`; OBX-14 of the ACM message). Both clocks are the host's, so run it on the daemon's
host. Only the standard library: no signature check, no HL7 validation (tests/notify/ does that).
"""
import asyncio
import datetime
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def iso(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def record(out, row):
    with LOCK:
        out.write(json.dumps(row) + "\n")
        out.flush()


def serve(web_port, mllp_port, path):
    out = open(path, "a")

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            now = time.time()
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            ts = body["transitions"]
            record(out, {"receiver": "webhook", "lat": now - max(iso(t["at"]) for t in ts),
                         "high": any(t["priority"] == "high" for t in ts), "n": len(ts)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    threading.Thread(target=ThreadingHTTPServer(("127.0.0.1", web_port), Hook).serve_forever,
                     daemon=True).start()

    async def client(reader, writer):
        buf = b""
        while True:
            data = await reader.read(65536)
            if not data:
                break
            buf += data
            while b"\x1c\r" in buf:
                frame, buf = buf.split(b"\x1c\r", 1)
                now = time.time()
                segs = [s.split("|") for s in frame.lstrip(b"\x0b").decode().split("\r") if s]
                msh, obx = segs[0], [s for s in segs if s[0] == "OBX"][0]
                at = datetime.datetime.strptime(obx[14][:18], "%Y%m%d%H%M%S.%f").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                record(out, {"receiver": "acm", "lat": now - at, "high": obx[8].startswith("PH")})
                ack = "MSH|^~\\&|AM|H|CW|C|%s||ACK^R40^ACK|A%s|P|2.6\rMSA|AA|%s\r" % (
                    time.strftime("%Y%m%d%H%M%S"), msh[9], msh[9])
                writer.write(b"\x0b" + ack.encode() + b"\x1c\r")
                await writer.drain()

    async def main():
        server = await asyncio.start_server(client, "127.0.0.1", mllp_port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def summary(path):
    rows = [json.loads(line) for line in open(path)]

    def pct(v, p):
        v = sorted(v)
        return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

    for receiver in ("webhook", "acm"):
        for high in (True, False):
            v = [r["lat"] * 1000 for r in rows if r["receiver"] == receiver and r["high"] == high]
            if v:
                print("%-7s %-5s %5d  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms" % (
                    receiver, "HIGH" if high else "other", len(v), pct(v, 50), pct(v, 99),
                    max(v)))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "summary":
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)
