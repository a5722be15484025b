#!/usr/bin/env python3
"""Parses a Prometheus text exposition from stdin with prometheus_client's parser (an implementation
independent of swift-prometheus) and prints it as JSON: {family: {"type": t, "samples": [[name, labels, value]]}}.
Exits 1 with the parser's message when the text does not parse."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        families = {f.name: {"type": f.type, "samples": [[s.name, s.labels, s.value] for s in f.samples]}
                    for f in text_string_to_metric_families(text)}
    except Exception as exc:  # the parser raises ValueError and friends with the offending line
        print("parse error: %s" % exc, file=sys.stderr)
        return 1
    json.dump(families, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
