#!/usr/bin/env python3
"""Stands in for the two credential endpoints Jenkins agents on AWS use, on loopback.

Start:  python3 metadata.py --port 0 [--role NAME] [--container-token TOKEN]
Prints ``READY http://127.0.0.1:PORT``.

IMDSv2 (EC2 instance metadata), as AWS documents it:
  PUT /latest/api/token  with X-aws-ec2-metadata-token-ttl-seconds -> a session token
  GET /latest/meta-data/iam/security-credentials/        -> the role name (token required)
  GET /latest/meta-data/iam/security-credentials/<role>  -> the credentials JSON (token required)
  Any GET without a valid X-aws-ec2-metadata-token is 401, as with IMDSv2 enforced.
ECS container credentials:
  GET /container/creds  -> the credentials JSON; 401 unless Authorization == --container-token
Credentials: AccessKeyId IMDS-KEY / CONTAINER-KEY, SecretAccessKey IMDS-SECRET / CONTAINER-SECRET,
Token IMDS-TOKEN-<n> / CONTAINER-TOKEN-<n> where n counts the credentials handed out by that endpoint
(1, 2, ...): every fetch gets new credentials, as from a real role, so a client that does not cache
is seen. Expiration one hour ahead.
"""
import argparse
import datetime
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKENS = set()
ISSUED = {"IMDS": 0, "CONTAINER": 0}
ISSUED_LOCK = threading.Lock()


def credentials(prefix):
    with ISSUED_LOCK:
        ISSUED[prefix] += 1
        serial = ISSUED[prefix]
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    return {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": prefix + "-KEY",
            "SecretAccessKey": prefix + "-SECRET", "Token": "%s-TOKEN-%d" % (prefix, serial),
            "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            token = secrets.token_hex(16)
            TOKENS.add(token)
            return self.send(200, token)
        self.send(400, "bad request")

    def do_GET(self):
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != self.server.container_token:
                return self.send(401, "unauthorized")
            return self.send(200, json.dumps(credentials("CONTAINER")), "application/json")
        if self.headers.get("X-aws-ec2-metadata-token") not in TOKENS:
            return self.send(401, "")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.send(200, self.server.role)
        if self.path == base + self.server.role:
            return self.send(200, json.dumps(credentials("IMDS")), "application/json")
        self.send(404, "not found")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--role", default="jenkins-agent")
    parser.add_argument("--container-token", default="container-secret")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.role = args.role
    server.container_token = args.container_token
    sys.stdout.write("READY http://127.0.0.1:%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
