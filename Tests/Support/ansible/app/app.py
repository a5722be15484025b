#!/usr/bin/env python3
"""The stand-in service that cutover's Ansible playbooks deploy in tests (Python 3 standard library only).

Usage: app.py CONFIG.json

CONFIG is the JSON object the playbooks write (`cutover.json` in the release directory):

    {"service": "frontend" | "feed-normalizer" | ..., "release": "r1", "color": "green" | "blue",
     "port": 8080,
     "database_reader_endpoint": "...",                          (frontend)
     "sport": "tennis", "feed_providers": ["https://..."],
     "event_management_endpoint": "https://..."}                 (feed-normalizer)

It serves HTTP on 127.0.0.1:PORT only:
    GET /health  -> 200 {"status": "ok", "service", "release", "color"[, "sport"]}
    GET anything -> 200 text/plain naming the service
    other methods -> 405
A missing, unreadable or invalid config, or a port it cannot bind, exits non-zero with one line on stderr.
SIGTERM and SIGINT stop it with status 0.
"""

import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUIRED = {
    "frontend": {"database_reader_endpoint": str},
    "feed-normalizer": {"sport": str, "feed_providers": list, "event_management_endpoint": str},
}


class ConfigError(Exception):
    pass


def load_config(path):
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror}")
    except ValueError as e:
        raise ConfigError(f"{path} is not valid JSON: {e}")
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: the top level must be an object")
    for key in ("service", "release", "color"):
        if not isinstance(config.get(key), str) or not config[key]:
            raise ConfigError(f"{path}: '{key}' must be a non-empty string")
    port = config.get("port")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(f"{path}: 'port' must be an integer from 1 to 65535")
    for key, kind in REQUIRED.get(config["service"], {}).items():
        if not isinstance(config.get(key), kind):
            raise ConfigError(f"{path}: '{key}' must be a {'list' if kind is list else 'string'}"
                              f" for {config['service']}")
    if isinstance(config.get("feed_providers"), list) and \
            not all(isinstance(p, str) for p in config["feed_providers"]):
        raise ConfigError(f"{path}: 'feed_providers' must be a list of strings")
    return config


def make_handler(config):
    health = {"status": "ok", "service": config["service"], "release": config["release"],
              "color": config["color"]}
    if "sport" in config:
        health["sport"] = config["sport"]
    health_body = json.dumps(health).encode("utf-8")
    name = config["service"] + (f" ({config['sport']})" if "sport" in config else "")
    text_body = f"{name} release {config['release']} ({config['color']})\n".encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        server_version = "cutover-test-app"
        protocol_version = "HTTP/1.1"

        def _send(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            if self.path.split("?", 1)[0] == "/health":
                self._send(200, health_body, "application/json")
            else:
                self._send(200, text_body, "text/plain; charset=utf-8")

        do_HEAD = do_GET

        def _not_allowed(self):
            self._send(405, b"method not allowed\n", "text/plain; charset=utf-8")

        do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed

        def log_message(self, format, *args):  # quiet: the log file only gets start and stop lines
            pass

    return Handler


def main(argv):
    if len(argv) != 2:
        print("usage: app.py CONFIG.json", file=sys.stderr)
        return 2
    try:
        config = load_config(argv[1])
    except ConfigError as e:
        print(f"app: config error: {e}", file=sys.stderr)
        return 2
    try:
        server = ThreadingHTTPServer(("127.0.0.1", config["port"]), make_handler(config))
    except OSError as e:
        print(f"app: cannot listen on 127.0.0.1:{config['port']}: {e.strerror}", file=sys.stderr)
        return 1
    server.daemon_threads = True

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"app: {config['service']} release {config['release']} listening on 127.0.0.1:{config['port']}",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
