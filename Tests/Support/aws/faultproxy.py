#!/usr/bin/env python3
"""Fault-injecting HTTP reverse proxy for AWS API calls (standard library only).

Start:  python3 faultproxy.py --upstream http://127.0.0.1:MOTO_PORT --port 0 [--host 127.0.0.1]
Prints one line ``READY http://127.0.0.1:PORT`` on stdout once it accepts connections.

It sits between cutover (or boto3) and moto_server.  Every request is forwarded to the
upstream over HTTP/1.1 (method, path+query, headers with ``Host`` rewritten to the
upstream's, body) and the upstream's answer is relayed with a correct ``Content-Length``.
Client connections are kept alive (HTTP/1.1); hop-by-hop headers are not relayed.

Each request is classified:
  protocol  "query" when the form body has ``Action=`` (ELBv2, EC2, RDS),
            "json"  when the ``X-Amz-Target`` header is present (ECS, JSON 1.1),
            null    otherwise;
  action    the ``Action`` value, or the part of ``X-Amz-Target`` after the last '.';
  service   "elasticloadbalancing" / "ec2" / "rds" / "ecs" / ... taken from the SigV4
            credential scope in ``Authorization`` (fallback: the query ``Version``).

Control endpoints (never forwarded, never logged), JSON bodies:
  POST /__proxy/faults   {"rules": [RULE, ...]} replaces the rule list (the counters restart).
  GET  /__proxy/faults   the rules with their counters ("seen", "faulted").
  POST /__proxy/reset    clears the rules and the log.
  GET  /__proxy/log      JSON list of every proxied request, in arrival order:
        {"t": start epoch float, "ms": duration, "method", "path", "protocol", "service",
         "action", "status": int or null (drop), "fault": type or null,
         "body": request body text (query: URL-decoded form text; json: the JSON text)}
        An entry is appended before the response is written, so a client that has its
        answer always finds its request in the log.

RULE = {"match": {...}, "fault": {...}, "count": N or null, "skip": M}
  match   all given fields must match (all optional):
            "action"        exact action name (or a list of names)
            "protocol"      "query" | "json"
            "service"       e.g. "elasticloadbalancing", "ecs"
            "method"        e.g. "POST"
            "path"          substring of the request path+query
            "body_contains" substring of the body text (URL-decoded for query requests)
  skip    the first M matching requests pass through untouched (default 0)
  count   after the skipped ones, fault the next N matching requests, then the rule is
          spent (null/absent = forever)
  Rules are tried in order.  A spent rule is ignored; the first live rule that matches
  decides: either the request is one of its skipped ones (forwarded untouched) or it is
  faulted.  A request no live rule matches is forwarded.
fault:
  {"type": "throttle"}                 400 + the protocol's throttling error:
        query: <ErrorResponse xmlns=...><Error><Type>Sender</Type><Code>Throttling</Code>
               <Message>Rate exceeded</Message></Error><RequestId>uuid</RequestId></ErrorResponse>
               (text/xml; EC2 uses its own <Response><Errors><Error>… shape and the code
               RequestLimitExceeded, as real EC2 does)
        json:  {"__type":"ThrottlingException","message":"Rate exceeded"}
               (application/x-amz-json-1.1)
  {"type": "status", "status": 500}    500/502/503/504 with an InternalFailure error body
  {"type": "drop"}                     reads the request, then closes the connection with no
                                       response (FIN); add "rst": true to reset it instead
  {"type": "delay", "ms": N}           sleeps N ms, then forwards normally
  {"type": "fail", "status": 400, "code": "ValidationError", "message": "..."}
                                       a non-retryable error in the protocol's format
  "throttle", "status" and "fail" also accept "code"/"message" overrides.
"""

import argparse
import http.client
import io
import json
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote_plus, urlsplit
from xml.sax.saxutils import escape

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade", "content-length",
}

# Query-protocol error namespaces, keyed by SigV4 service name.
QUERY_NAMESPACES = {
    "elasticloadbalancing": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    "rds": "http://rds.amazonaws.com/doc/2014-10-31/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "autoscaling": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
}
# Query "Version" parameter -> service, used when there is no Authorization header.
VERSION_SERVICES = {
    "2015-12-01": "elasticloadbalancing",
    "2016-11-15": "ec2",
    "2014-10-31": "rds",
    "2011-06-15": "sts",
    "2010-05-08": "iam",
    "2011-01-01": "autoscaling",
}
FAULT_TYPES = {"throttle", "status", "drop", "delay", "fail"}
MATCH_FIELDS = {"action", "protocol", "service", "method", "path", "body_contains"}


class RuleError(ValueError):
    pass


def validate_rules(rules):
    if not isinstance(rules, list):
        raise RuleError("'rules' must be a list")
    out = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise RuleError("rule %d is not an object" % i)
        match = rule.get("match") or {}
        fault = rule.get("fault")
        if not isinstance(match, dict) or set(match) - MATCH_FIELDS:
            raise RuleError("rule %d: unknown match fields %s" % (i, sorted(set(match) - MATCH_FIELDS)))
        if not isinstance(fault, dict) or fault.get("type") not in FAULT_TYPES:
            raise RuleError("rule %d: fault.type must be one of %s" % (i, sorted(FAULT_TYPES)))
        if fault["type"] == "status" and int(fault.get("status", 500)) < 400:
            raise RuleError("rule %d: status fault needs a 4xx/5xx status" % i)
        count = rule.get("count")
        skip = int(rule.get("skip") or 0)
        if count is not None and (not isinstance(count, int) or count < 0):
            raise RuleError("rule %d: count must be a non-negative integer or null" % i)
        out.append({"match": match, "fault": fault, "count": count, "skip": skip,
                    "seen": 0, "faulted": 0})
    return out


def classify(headers, body, path=""):
    """Returns (protocol, action, service, body_text)."""
    target = headers.get("X-Amz-Target")
    service = None
    auth = headers.get("Authorization") or ""
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            service = scope[3]
    text = body.decode("utf-8", "replace")
    if target:
        if service is None and target.startswith("AmazonEC2ContainerService"):
            service = "ecs"
        return "json", target.rsplit(".", 1)[-1], service, text
    ctype = (headers.get("Content-Type") or "").lower()
    if body and ("form-urlencoded" in ctype or not ctype or b"Action=" in body):
        try:
            params = dict(parse_qsl(text, keep_blank_values=True))
        except ValueError:
            params = {}
        if "Action" in params:
            if service is None:
                service = VERSION_SERVICES.get(params.get("Version", ""))
            return "query", params["Action"], service, unquote_plus(text)
    query = urlsplit(path).query
    if "Action=" in query:  # query protocol sent as GET
        params = dict(parse_qsl(query, keep_blank_values=True))
        if "Action" in params:
            if service is None:
                service = VERSION_SERVICES.get(params.get("Version", ""))
            return "query", params["Action"], service, unquote_plus(text or query)
    return None, None, service, text


def rule_matches(match, req):
    for key, want in match.items():
        if key == "body_contains":
            if str(want) not in req["body"]:
                return False
        elif key == "path":
            if str(want) not in req["path"]:
                return False
        elif key == "method":
            if str(want).upper() != req["method"]:
                return False
        else:
            have = req.get(key)
            if isinstance(want, list):
                if have not in want:
                    return False
            elif have != want:
                return False
    return True


class State:
    def __init__(self, upstream):
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit("--upstream must be http://HOST:PORT")
        self.up_host = parts.hostname
        self.up_port = parts.port or 80
        self.up_hostheader = parts.netloc
        self.lock = threading.Lock()
        self.rules = []
        self.log = []

    def pick_fault(self, req):
        """Returns the fault dict to apply, or None to forward."""
        with self.lock:
            for rule in self.rules:
                if rule["count"] is not None and rule["faulted"] >= rule["count"]:
                    continue  # spent
                if not rule_matches(rule["match"], req):
                    continue
                rule["seen"] += 1
                if rule["seen"] <= rule["skip"]:
                    return None
                rule["faulted"] += 1
                return rule["fault"]
        return None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)


def error_body(protocol, service, status, code, message):
    """Returns (content_type, body bytes, extra headers) for an AWS error in the request's protocol."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return "application/x-amz-json-1.1", body, [("x-amzn-RequestId", request_id),
                                                     ("x-amzn-ErrorType", code)]
    if service == "ec2":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code>'
                '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>'
                % (escape(code), escape(message), request_id)).encode()
        return "text/xml;charset=UTF-8", body, [("x-amzn-RequestId", request_id)]
    ns = QUERY_NAMESPACES.get(service, QUERY_NAMESPACES["elasticloadbalancing"])
    kind = "Sender" if status < 500 else "Receiver"
    body = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message>'
            '</Error><RequestId>%s</RequestId></ErrorResponse>'
            % (ns, kind, escape(code), escape(message), request_id)).encode()
    return "text/xml", body, [("x-amzn-RequestId", request_id)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body go out in two writes: without TCP_NODELAY, Nagle plus the client's delayed ACK
    # adds ~40 ms to every sequential request on a kept-alive connection.
    disable_nagle_algorithm = True
    server_version = "faultproxy"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("faultproxy: %s\n" % (fmt % args))

    # ------------------------------------------------------------------ plumbing

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_plain(self, status, content_type, body, headers=()):
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, status, obj):
        self.send_plain(status, "application/json", json.dumps(obj, indent=1).encode() + b"\n")

    # ------------------------------------------------------------------ dispatch

    def handle_any(self):
        try:
            body = self.read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        path = self.path
        if path.startswith("/__proxy/"):
            return self.control(path, body)
        self.proxy(path, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = handle_any

    def control(self, path, body):
        state = self.server.state
        route = urlsplit(path).path.rstrip("/")
        try:
            if route == "/__proxy/faults" and self.command == "POST":
                doc = json.loads(body or b"{}")
                rules = validate_rules(doc.get("rules", []) if isinstance(doc, dict) else doc)
                with state.lock:
                    state.rules = rules
                return self.send_json(200, {"rules": len(rules)})
            if route == "/__proxy/faults" and self.command == "GET":
                with state.lock:
                    rules = json.loads(json.dumps(state.rules))
                return self.send_json(200, {"rules": rules})
            if route == "/__proxy/reset" and self.command == "POST":
                with state.lock:
                    state.rules = []
                    state.log = []
                return self.send_json(200, {"ok": True})
            if route == "/__proxy/log" and self.command == "GET":
                with state.lock:
                    log = list(state.log)
                return self.send_json(200, log)
            if route == "/__proxy/health":
                return self.send_json(200, {"ok": True})
        except (ValueError, RuleError) as exc:
            return self.send_json(400, {"error": str(exc)})
        return self.send_json(404, {"error": "no such control endpoint: %s %s" % (self.command, route)})

    def proxy(self, path, body):
        state = self.server.state
        start = time.time()
        protocol, action, service, text = classify(self.headers, body, path)
        req = {"method": self.command, "path": path, "protocol": protocol, "action": action,
               "service": service, "body": text}
        entry = {"t": start, "ms": None, "method": self.command, "path": path, "protocol": protocol,
                 "service": service, "action": action, "status": None, "fault": None, "body": text}
        fault = state.pick_fault(req)
        ftype = fault["type"] if fault else None
        entry["fault"] = ftype

        def finish(status):
            entry["status"] = status
            entry["ms"] = round((time.time() - start) * 1000.0, 3)
            state.record(entry)

        if ftype == "drop":
            finish(None)
            self.drop(bool(fault.get("rst")))
            return
        if ftype in ("throttle", "status", "fail"):
            if ftype == "throttle":
                status = int(fault.get("status", 400))
                if protocol == "json":
                    code = fault.get("code", "ThrottlingException")
                elif service == "ec2":
                    code = fault.get("code", "RequestLimitExceeded")
                else:
                    code = fault.get("code", "Throttling")
                message = fault.get("message", "Rate exceeded")
            elif ftype == "status":
                status = int(fault.get("status", 500))
                code = fault.get("code", "InternalFailure")
                message = fault.get("message", "We encountered an internal error. Please try again.")
            else:
                status = int(fault.get("status", 400))
                code = fault.get("code", "ValidationError")
                message = fault.get("message", "Injected failure")
            ctype, payload, headers = error_body(protocol, service, status, code, message)
            finish(status)
            self.send_plain(status, ctype, payload, headers)
            return
        if ftype == "delay":
            time.sleep(max(0.0, float(fault.get("ms", 0))) / 1000.0)

        try:
            status, reason, headers, payload = self.forward(path, body)
        except (OSError, http.client.HTTPException) as exc:
            ctype, payload, headers = error_body(protocol, service, 502, "InternalFailure",
                                                 "faultproxy: upstream error: %s" % exc)
            finish(502)
            self.send_plain(502, ctype, payload, headers)
            return
        finish(status)
        self.send_response_only(status, reason)
        for k, v in headers:
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        if self.command == "HEAD":
            # no body: relay the upstream's length
            length = dict((k.lower(), v) for k, v in headers).get("content-length")
            if length is not None:
                self.send_header("Content-Length", length)
        else:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304) and not 100 <= status < 200:
            self.wfile.write(payload)
        self.wfile.flush()

    def forward(self, path, body):
        state = self.server.state
        conn = http.client.HTTPConnection(state.up_host, state.up_port, timeout=self.server.upstream_timeout)
        try:
            conn.putrequest(self.command, path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", state.up_hostheader)
            for k, v in self.headers.items():
                if k.lower() in HOP_BY_HOP or k.lower() == "host" or k.lower() == "expect":
                    continue
                conn.putheader(k, v)
            if body or self.command in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, resp.reason, resp.getheaders(), payload
        finally:
            conn.close()

    def drop(self, rst):
        self.close_connection = True
        sock = self.connection
        try:
            if rst:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # close every reference so the descriptor really closes now (-> RST)
                self.rfile.close()
                self.wfile.close()
                sock.close()
                self.rfile, self.wfile = io.BytesIO(), io.BytesIO()  # what the handler closes next
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def parse_args(argv):
    p = argparse.ArgumentParser(description="Fault-injecting reverse proxy for AWS API calls (tests only).")
    p.add_argument("--upstream", required=True, help="http://HOST:PORT of moto_server")
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    p.add_argument("--upstream-timeout", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--verbose", action="store_true", help="log each request on stderr")
    args = p.parse_args(argv)
    if args.host == "localhost":
        args.host = "127.0.0.1"
    if args.host not in ("127.0.0.1", "::1") and not args.host.startswith("127."):
        p.error("--host must be a loopback address")
    return args


def main(argv=None):
    # A parent may start us with SIGTERM blocked (test runners block signals in their threads).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    args = parse_args(sys.argv[1:] if argv is None else argv)

    class Srv(Server):
        address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET

    server = Srv((args.host, args.port), Handler)
    server.state = State(args.upstream)
    server.verbose = args.verbose
    server.upstream_timeout = args.upstream_timeout
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    host = "[%s]" % args.host if ":" in args.host else args.host
    sys.stdout.write("READY http://%s:%d\n" % (host, server.server_address[1]))
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
