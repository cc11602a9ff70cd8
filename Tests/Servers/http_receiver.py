#!/usr/bin/env python3
"""An HTTP server on loopback that keeps every request, for the fax API and the CAP endpoint.

Each request is stored as NNNNNN.json (method, path, headers, body base64, and for
multipart/form-data the parts decoded by Python's `email` package) before the answer is sent.

Answers: --statuses 503,429,… are used for the first requests in order, then --status (200).
--body is the JSON answer, "{n}" replaced by the request number. --delay S waits before
answering (timeouts). DIR/hang (read at each request, written by the test at any time) lists
values, one a line: a request with a multipart part whose text is one of them is stored and
never answered (a FAX service that hangs on one number). The chosen port is written to
DIR/port when ready.
"""
import argparse, base64, email, email.policy, hashlib, json, os, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from serverlib import exit_on_signals, write_atomic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--statuses", default="")
    ap.add_argument("--body", default='{"id": "job-{n}", "status": "queued"}')
    ap.add_argument("--delay", type=float, default=0.0)
    args = ap.parse_args()
    exit_on_signals()
    os.makedirs(args.dir, exist_ok=True)
    lock = threading.Lock()
    counter = [0]
    planned = [int(s) for s in args.statuses.split(",") if s]

    def parts_of(content_type, body):
        msg = email.message_from_bytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body, policy=email.policy.default)
        parts = []
        for part in msg.iter_parts():
            payload = part.get_payload(decode=True) or b""
            parts.append({
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "content_type": part.get_content_type() if part["content-type"] else None,
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
                "text": payload.decode("utf-8", "replace") if len(payload) < 200 else None,
            })
        return parts, [type(d).__name__ for d in msg.defects]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                counter[0] += 1
                n = counter[0]
                status = planned[n - 1] if n <= len(planned) else args.status
            record = {
                "n": n, "method": "POST", "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body_base64": base64.b64encode(body).decode(),
            }
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("multipart/form-data"):
                record["parts"], record["defects"] = parts_of(ctype, body)
            write_atomic(os.path.join(args.dir, "%06d.json" % n), json.dumps(record).encode())
            try:
                with open(os.path.join(args.dir, "hang")) as f:
                    hang = {line.strip() for line in f if line.strip()}
            except OSError:
                hang = set()
            if hang and any(p.get("text") in hang for p in record.get("parts", [])):
                while True:
                    time.sleep(3600)
            if args.delay:
                time.sleep(args.delay)
            answer = args.body.replace("{n}", str(n)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    write_atomic(os.path.join(args.dir, "port"), str(server.server_address[1]).encode())
    server.serve_forever()


if __name__ == "__main__":
    main()
