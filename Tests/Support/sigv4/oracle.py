#!/usr/bin/env python3
"""SigV4 oracle: botocore signs N seeded random requests; CutoverSigV4Tests must agree.

Usage: oracle.py N SEED  ->  N JSON lines on stdout, one case each.

Each case holds the request exactly as the Swift signer receives it (method,
wire-form url, headers in order, body, epoch date, flags, credentials, region,
service) and botocore's results: the canonical request, the string to sign,
the Authorization header and every header that signing set.

The url is always in wire form (what goes on the wire, percent-encoded once),
because that is what a Swift `URL` holds and what botocore's own serializers
hand to SigV4Auth: queries are encoded as botocore's percent_encode_sequence
does, paths as its rest serializers do, with a few sub-delims left raw.
"""
import base64
import datetime
import hashlib
import json
import random
import sys
from unittest import mock
from urllib.parse import quote

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

METHODS = ["GET", "POST", "PUT", "DELETE"]
REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1", "us-gov-west-1", "cn-north-1"]
SERVICES = ["elasticloadbalancing", "ecs", "rds", "ec2", "sts"]
# (scheme, authority as written in the url)
ENDPOINTS = [
    ("https", "elasticloadbalancing.us-east-1.amazonaws.com"),
    ("https", "ECS.eu-west-1.AmazonAWS.com"),  # Host derived lowercase
    ("https", "rds.ap-northeast-1.amazonaws.com:443"),  # default port dropped
    ("https", "ec2.us-gov-west-1.amazonaws.com:8443"),  # other port kept
    ("http", "localhost:4566"),
    ("http", "127.0.0.1:80"),
    ("http", "[::1]:9000"),
    ("https", "sts.cn-north-1.amazonaws.com.cn"),
]
DATES = [
    1440938160,  # 2015-08-30T12:36:00Z, the AWS docs example
    946684800,  # 2000-01-01T00:00:00Z
    946684799,  # 1999-12-31T23:59:59Z
    1709251199,  # 2024-02-29T23:59:59Z, leap day
    2208988800,  # 2040-01-01T00:00:00Z, past 2038
]
# Logical path segments; each is percent-encoded before going in the url.
SEGMENTS = ["a", "api", "a b", "é", "日本", "+", "a+b", "~user", "x.y", "-_.~",
            "100%", "a:b", "!$&'()*,;=@", "?#[]", "Ω/slash", "%2F"]
# Segments put in the url as they are (already wire form).
RAW_SEGMENTS = [".", "..", "", "%2F", "%c3%a9", "%7E", "a+b", "a=b", "it's", "(1)", "A%20B"]
QUERY_KEYS = ["Action", "Version", "a", "b", "B", "z", "Filter.1.Name", "Filter.1.Value.1",
              "日本", "key with space", "x~y", "a-b", "a_b", "Marker", "é"]
QUERY_VALUES = ["", "1", "DescribeInstances", "2016-11-15", "a b", "a+b", "a/b", "é", "日本",
                "x=y", "~-_.", "*", "%", "&", "tag:Name"]
HEADER_NAMES = ["Content-Type", "content-type", "X-Custom", "x-custom", "X-Amz-Target",
                "X-Amz-Meta-Note", "Accept", "Content-Encoding", "X-AMZ-Foo",
                # never signed by botocore:
                "User-Agent", "Expect", "Connection", "X-Amzn-Trace-Id", "Transfer-Encoding",
                "Keep-Alive", "TE", "Upgrade", "Trailer"]
HEADER_VALUES = ["application/x-www-form-urlencoded; charset=utf-8", "application/json",
                 "  leading", "trailing  ", "  both  ends ", "runs   of    spaces", "tab\there",
                 "tab \t mixed", "", "AmazonEC2ContainerServiceV20141113.ListClusters", "a,b",
                 "100-continue", "keep-alive", "Root=1-5759e988-bd862e3fe1be46a994272793", "UPPER lower"]


def wire_path(rng):
    if rng.random() < 0.15:
        return rng.choice(["", "/"])
    parts = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.3:
            parts.append(rng.choice(RAW_SEGMENTS))
        else:
            seg = rng.choice(SEGMENTS)
            # Sub-delims are legal unencoded in a path: sometimes leave them raw.
            safe = rng.choice(["", "+!$&'()*,;=:@"])
            parts.append(quote(seg, safe=safe))
    path = "/" + "/".join(parts)
    if rng.random() < 0.2:
        path += "/"
    return path


def wire_query(rng):
    roll = rng.random()
    if roll < 0.25:
        return None
    if roll < 0.3:
        return ""  # a bare "?"
    pairs = []
    for _ in range(rng.randint(1, 6)):
        key = quote(rng.choice(QUERY_KEYS), safe="-_.~")
        kind = rng.random()
        if kind < 0.1:
            pairs.append(key)  # no '='
        elif kind < 0.2:
            pairs.append(key + "=")
        else:
            pairs.append(key + "=" + quote(rng.choice(QUERY_VALUES), safe="-_.~"))
        if rng.random() < 0.2:
            pairs.append(pairs[-1].split("=")[0] + "=" + quote(rng.choice(QUERY_VALUES), safe="-_.~"))
    rng.shuffle(pairs)
    return "&".join(pairs)


def headers(rng, authority):
    out = []
    if rng.random() < 0.5:
        out.append((rng.choice(["Host", "host", "HOST"]), rng.choice([authority.lower(), " " + authority + " "])))
    for _ in range(rng.randint(0, 6)):
        out.append((rng.choice(HEADER_NAMES), rng.choice(HEADER_VALUES)))
    roll = rng.random()
    if roll < 0.05:
        out.append(("Date", "Mon, 01 Jan 2001 00:00:00 GMT"))  # botocore replaces it
    elif roll < 0.1:
        out.append(("X-Amz-Date", "20010101T000000Z"))  # replaced
    elif roll < 0.15:
        out.append(("Authorization", "stale"))  # dropped
    elif roll < 0.2:
        out.append(("X-Amz-Security-Token", "stale-token"))  # replaced only when a token is set
    elif roll < 0.25:
        out.append(("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"))  # used as the payload hash
    rng.shuffle(out)
    return out


def body(rng):
    roll = rng.random()
    if roll < 0.35:
        return b""
    if roll < 0.55:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    if roll < 0.8:
        return b"Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=my%20lb"
    return json.dumps({"cluster": "prod", "name": "日本", "n": rng.randint(0, 9)}, ensure_ascii=False).encode()


def secret(rng, n):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
    return "".join(rng.choice(alphabet) for _ in range(n))


class RecordingSigV4Auth(SigV4Auth):
    """SigV4Auth that keeps the intermediate strings it computed."""

    def canonical_request(self, request):
        self.recorded_canonical_request = super().canonical_request(request)
        return self.recorded_canonical_request

    def string_to_sign(self, request, canonical_request):
        self.recorded_string_to_sign = super().string_to_sign(request, canonical_request)
        return self.recorded_string_to_sign


def make_case(rng, index):
    method = rng.choice(METHODS)
    scheme, authority = rng.choice(ENDPOINTS)
    url = f"{scheme}://{authority}{wire_path(rng)}"
    query = wire_query(rng)
    if query is not None:
        url += "?" + query
    hdrs = headers(rng, authority)
    data = body(rng)
    date = rng.choice(DATES) if rng.random() < 0.6 else rng.randrange(946684800, 2208988800)
    token = None
    if rng.random() < 0.4:
        token = "IQoJb3JpZ2luX2VjE" + secret(rng, rng.randint(20, 120)) + "=="
    creds = {"access_key_id": "AKIA" + secret(rng, 16).upper().replace("/", "X").replace("+", "Y"),
             "secret_access_key": secret(rng, 40), "session_token": token}
    region, service = rng.choice(REGIONS), rng.choice(SERVICES)
    include_sha = rng.random() < 0.25

    request = AWSRequest(method=method, url=url, data=data)
    for name, value in hdrs:
        request.headers[name] = value  # HTTPHeaders appends: duplicates kept in order
    if include_sha:
        # What S3SigV4Auth does, and what includeContentSHA256 promises.
        del request.headers["X-Amz-Content-SHA256"]
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(data).hexdigest()
    auth = RecordingSigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"], token),
                              service, region)
    fixed = datetime.datetime.fromtimestamp(date, datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=fixed):
        auth.add_auth(request)

    had_date = any(n.lower() == "date" for n, _ in hdrs)
    set_names = ["Authorization", "Date" if had_date else "X-Amz-Date"]
    if token:
        set_names.append("X-Amz-Security-Token")
    if include_sha:
        set_names.append("X-Amz-Content-SHA256")
    added = [[name, value] for name in set_names for value in request.headers.get_all(name)]
    return {
        "id": index,
        "method": method,
        "url": url,
        "headers": [[n, v] for n, v in hdrs],
        "body_base64": base64.b64encode(data).decode(),
        "date": date,
        "include_content_sha256": include_sha,
        "credentials": creds,
        "region": region,
        "service": service,
        "expected": {
            "canonical_request": auth.recorded_canonical_request,
            "string_to_sign": auth.recorded_string_to_sign,
            "authorization": request.headers["Authorization"],
            "added_headers": added,
        },
    }


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    for index in range(count):
        print(json.dumps(make_case(rng, index), ensure_ascii=False))


if __name__ == "__main__":
    main()
