"""Tests for the AWS test-support tools (faultproxy.py, seed.py, ecs_agent.py) against a real
moto_server, driven by real boto3/botocore clients.  Also pins the moto 5.2.1 behaviours that
cutover's tests are designed against (test_moto_fact_*), so a moto upgrade that changes them fails here.

Run: python3 -m pytest -q Tests/Support/aws
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import ecs_agent  # noqa: E402
import faultproxy  # noqa: E402
import seed  # noqa: E402

REGION = "eu-west-1"
CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
RUNNING = 2  # moto is started with MOTO_ECS_SERVICE_RUNNING=2
ELB_NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"


# --------------------------------------------------------------------------- processes

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    for f in (proc.stdout, proc.stderr):
        if f:
            f.close()


def read_ready(proc, timeout=15):
    """Waits for the READY line; returns its URL."""
    result = {}

    def reader():
        result["line"] = proc.stdout.readline()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout)
    line = result.get("line") or ""
    assert line.startswith("READY "), "no READY line (got %r, rc=%r)" % (line, proc.poll())
    return line.split(" ", 1)[1].strip()


def http_json(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


@pytest.fixture(scope="module")
def moto():
    port = free_port()
    env = dict(os.environ, MOTO_ECS_SERVICE_RUNNING=str(RUNNING))
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = "http://127.0.0.1:%d" % port
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/moto-api/reset", data=b"", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None, "moto_server exited"
                assert time.time() < deadline, "moto_server did not come up"
                time.sleep(0.1)
        aws("ec2", url).describe_vpcs()  # moto loads its EC2 backend (~2 s) on first use
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def proxy_proc(moto):
    proc = subprocess.Popen([sys.executable, str(HERE / "faultproxy.py"), "--upstream", moto, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = read_ready(proc)
        yield proc, url
    finally:
        stop(proc)


@pytest.fixture
def proxy(proxy_proc, moto):
    """A clean moto and a proxy with no rules and an empty log."""
    proc, url = proxy_proc
    assert proc.poll() is None
    urllib.request.urlopen(moto + "/moto-api/reset", data=b"", timeout=10).read()
    assert http_json("POST", url + "/__proxy/reset")[0] == 200
    yield url
    http_json("POST", url + "/__proxy/reset")


def aws(name, endpoint, attempts=3, **cfg):
    return boto3.client(name, endpoint_url=endpoint, **CREDS,
                        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}, **cfg))


def faults(url, *rules):
    status, body = http_json("POST", url + "/__proxy/faults", {"rules": list(rules)})
    assert status == 200, body
    return body


def log(url):
    status, body = http_json("GET", url + "/__proxy/log")
    assert status == 200
    return body


def make_listener(elb, ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % (i + 1),
                                 AvailabilityZone=REGION + az)["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    lb = elb.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    blue = elb.create_target_group(Name="blue", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    green = elb.create_target_group(Name="green", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                   DefaultActions=forward(blue, 100, green, 0))["Listeners"][0]["ListenerArn"]
    return {"vpc": vpc, "lb": lb, "blue": blue, "green": green, "listener": listener}


def forward(blue, wb, green=None, wg=None):
    groups = [{"TargetGroupArn": blue, "Weight": wb}]
    if green:
        groups.append({"TargetGroupArn": green, "Weight": wg})
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups,
                                                  "TargetGroupStickinessConfig": {"Enabled": False}}}]


# --------------------------------------------------------------------------- faultproxy

def test_passthrough_and_log(proxy):
    elb, ec2, ecs = aws("elbv2", proxy), aws("ec2", proxy), aws("ecs", proxy)
    env = make_listener(elb, ec2)
    got = elb.describe_listeners(ListenerArns=[env["listener"]])["Listeners"][0]
    assert got["DefaultActions"] == forward(env["blue"], 100, env["green"], 0)
    ecs.create_cluster(clusterName="c1")
    assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:%s:123456789012:cluster/c1" % REGION]

    entries = log(proxy)
    assert [e["action"] for e in entries] == [
        "CreateVpc", "CreateSubnet", "CreateSubnet", "CreateLoadBalancer", "CreateTargetGroup",
        "CreateTargetGroup", "CreateListener", "DescribeListeners", "CreateCluster", "ListClusters"]
    assert {e["protocol"] for e in entries[:8]} == {"query"}
    assert {e["protocol"] for e in entries[8:]} == {"json"}
    assert [e["service"] for e in entries[7:]] == ["elasticloadbalancing", "ecs", "ecs"]
    assert all(e["status"] == 200 and e["fault"] is None for e in entries)
    assert all(isinstance(e["t"], float) and e["ms"] >= 0 for e in entries)
    assert entries == sorted(entries, key=lambda e: e["t"])
    # query bodies are URL-decoded: ARNs appear verbatim
    assert "ListenerArns.member.1=%s" % env["listener"] in entries[7]["body"]
    assert json.loads(entries[8]["body"]) == {"clusterName": "c1"}


def test_keep_alive_and_content_length(proxy):
    u = urllib.parse.urlsplit(proxy)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.connect()
    sock = conn.sock
    auth = ("AWS4-HMAC-SHA256 Credential=testing/20240101/%s/elasticloadbalancing/aws4_request, "
            "SignedHeaders=host, Signature=0" % REGION)
    for _ in range(3):
        conn.request("POST", "/", body="Action=DescribeLoadBalancers&Version=2015-12-01",
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                              "Authorization": auth})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200
        assert int(resp.getheader("Content-Length")) == len(body)
        assert resp.getheader("Connection") is None  # moto says "close"; the proxy keeps the client open
        assert b"<DescribeLoadBalancersResponse" in body
        assert conn.sock is sock  # same connection every time
    conn.close()


def test_throttle_query_retried_and_parsed(proxy):
    elb, ec2 = aws("elbv2", proxy), aws("ec2", proxy)
    env = make_listener(elb, ec2)
    faults(proxy, {"match": {"action": "DescribeListeners"}, "fault": {"type": "throttle"}, "count": 2})
    resp = elb.describe_listeners(ListenerArns=[env["listener"]])
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert resp["Listeners"][0]["ListenerArn"] == env["listener"]
    tail = [(e["action"], e["status"], e["fault"]) for e in log(proxy)][-3:]
    assert tail == [("DescribeListeners", 400, "throttle")] * 2 + [("DescribeListeners", 200, None)]

    # without retries botocore surfaces it: code Throttling, type Sender, HTTP 400
    faults(proxy, {"match": {"action": "DescribeListeners"}, "fault": {"type": "throttle"}})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws("elbv2", proxy, attempts=1).describe_listeners(ListenerArns=[env["listener"]])
    err = info.value.response
    assert err["Error"] == {"Type": "Sender", "Code": "Throttling", "Message": "Rate exceeded"}
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(err["ResponseMetadata"]["RequestId"]) == 36


def test_throttle_error_xml_matches_elbv2_shape(proxy, moto):
    """The injected XML has the shape moto (and ELBv2) use for real errors."""
    def raw(url, action):
        body = "Action=%s&Version=2015-12-01&ListenerArns.member.1=arn%%3Aaws%%3Anope" % action
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.request("POST", "/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/%s/elasticloadbalancing/"
                             "aws4_request, SignedHeaders=host, Signature=0" % REGION})
        resp = conn.getresponse()
        out = resp.status, resp.getheader("Content-Type"), resp.read().decode()
        conn.close()
        return out

    faults(proxy, {"match": {"action": "DescribeListeners"}, "fault": {"type": "throttle"}})
    status, ctype, text = raw(proxy, "DescribeListeners")
    assert (status, ctype) == (400, "text/xml")
    assert text.startswith('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>Throttling</Code>'
                           '<Message>Rate exceeded</Message></Error><RequestId>' % ELB_NS)
    assert text.endswith("</RequestId></ErrorResponse>")
    # moto's own (real) ELBv2 error for comparison
    faults(proxy)
    status, ctype, text = raw(moto, "DescribeListeners")
    assert (status, ctype) == (400, "text/xml")
    assert text.startswith('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>' % ELB_NS)


def test_throttle_json_retried_and_parsed(proxy):
    ecs = aws("ecs", proxy)
    ecs.create_cluster(clusterName="c1")
    faults(proxy, {"match": {"action": "ListClusters", "protocol": "json"}, "fault": {"type": "throttle"}, "count": 1})
    resp = ecs.list_clusters()
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1 and len(resp["clusterArns"]) == 1
    faults(proxy, {"match": {"action": "ListClusters"}, "fault": {"type": "throttle"}})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws("ecs", proxy, attempts=1).list_clusters()
    assert info.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert isinstance(info.value, aws("ecs", proxy).exceptions.ClientError)


def test_status_5xx_retried(proxy):
    elb = aws("elbv2", proxy)
    faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "status", "status": 500}, "count": 2})
    resp = elb.describe_target_groups()
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert [e["status"] for e in log(proxy)] == [500, 500, 200]
    for status in (502, 503, 504):
        faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "status", "status": status}})
        with pytest.raises(botocore.exceptions.ClientError) as info:
            aws("elbv2", proxy, attempts=1).describe_target_groups()
        assert info.value.response["Error"]["Code"] == "InternalFailure"
        assert info.value.response["Error"]["Type"] == "Receiver"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    faults(proxy, {"match": {"action": "ListClusters"}, "fault": {"type": "status", "status": 503}})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        aws("ecs", proxy, attempts=1).list_clusters()
    assert info.value.response["Error"]["Code"] == "InternalFailure"


def test_fail_is_not_retried_and_body_contains(proxy):
    elb, ec2 = aws("elbv2", proxy), aws("ec2", proxy)
    env = make_listener(elb, ec2)
    faults(proxy, {"match": {"action": "ModifyListener", "body_contains": env["green"]},
                   "fault": {"type": "fail", "status": 400, "code": "ValidationError",
                             "message": "A <weird> & message"}})
    # not naming green: passes
    elb.modify_listener(ListenerArn=env["listener"], DefaultActions=forward(env["blue"], 100))
    with pytest.raises(botocore.exceptions.ClientError) as info:
        elb.modify_listener(ListenerArn=env["listener"], DefaultActions=forward(env["blue"], 50, env["green"], 50))
    assert info.value.response["Error"] == {"Type": "Sender", "Code": "ValidationError",
                                            "Message": "A <weird> & message"}
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    mods = [(e["status"], e["fault"]) for e in log(proxy) if e["action"] == "ModifyListener"]
    assert mods == [(200, None), (400, "fail")]
    got = elb.describe_listeners(ListenerArns=[env["listener"]])["Listeners"][0]["DefaultActions"]
    assert got == forward(env["blue"], 100)


def test_skip_and_count(proxy):
    elb = aws("elbv2", proxy, attempts=1)
    faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "fail", "code": "Nope"},
                   "skip": 1, "count": 2},
           {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "throttle"}, "count": 1})
    outcomes = []
    for _ in range(5):
        try:
            elb.describe_target_groups()
            outcomes.append("ok")
        except botocore.exceptions.ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    # first rule: 1 skipped, 2 faulted, then spent -> second rule gets one, then nothing matches
    assert outcomes == ["ok", "Nope", "Nope", "Throttling", "ok"]
    assert [e["fault"] for e in log(proxy)] == [None, "fail", "fail", "throttle", None]
    status, body = http_json("GET", proxy + "/__proxy/faults")
    assert [(r["seen"], r["faulted"]) for r in body["rules"]] == [(3, 2), (1, 1)]


def test_drop(proxy):
    faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "drop"}})
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        aws("elbv2", proxy, attempts=1).describe_target_groups()
    faults(proxy, {"match": {"action": "ListClusters"}, "fault": {"type": "drop", "rst": True}})
    with pytest.raises((botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError)):
        aws("ecs", proxy, attempts=1).list_clusters()
    entries = log(proxy)
    assert [(e["action"], e["status"], e["fault"]) for e in entries] == [
        ("DescribeTargetGroups", None, "drop"), ("ListClusters", None, "drop")]
    # botocore's standard mode retries a dropped connection
    faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "drop"}, "count": 1})
    resp = aws("elbv2", proxy).describe_target_groups()
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1
    # the proxy itself is fine afterwards
    faults(proxy)
    assert aws("elbv2", proxy, attempts=1).describe_target_groups()["TargetGroups"] == []


def test_drop_raw_socket_sees_eof(proxy):
    faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "drop"}})
    u = urllib.parse.urlsplit(proxy)
    body = b"Action=DescribeTargetGroups&Version=2015-12-01"
    with socket.create_connection((u.hostname, u.port), timeout=5) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        assert s.recv(100) == b""  # closed, nothing sent


def test_delay_and_concurrency(proxy):
    faults(proxy, {"match": {"action": "DescribeTargetGroups"}, "fault": {"type": "delay", "ms": 400}})
    elb = aws("elbv2", proxy, attempts=1, max_pool_connections=8)
    errors = []

    def call():
        try:
            elb.describe_target_groups()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    start = time.time()
    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    elapsed = time.time() - start
    assert not errors
    assert elapsed < 6 * 0.4 * 0.75, "requests were not handled concurrently (%.2fs)" % elapsed
    entries = log(proxy)
    assert len(entries) == 6
    assert all(e["fault"] == "delay" and e["status"] == 200 and e["ms"] >= 400 for e in entries)


def test_control_endpoint_errors(proxy):
    assert http_json("POST", proxy + "/__proxy/faults", {"rules": [{"fault": {"type": "explode"}}]})[0] == 400
    assert http_json("POST", proxy + "/__proxy/faults", {"rules": [{"match": {"colour": "x"},
                                                                    "fault": {"type": "drop"}}]})[0] == 400
    assert http_json("GET", proxy + "/__proxy/nope")[0] == 404
    assert log(proxy) == []  # control calls are not logged


def test_unit_classify():
    h = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/ec2/aws4_request, SignedHeaders=host",
         "Content-Type": "application/x-www-form-urlencoded"}
    assert faultproxy.classify(h, b"Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Ax")[:3] == \
        ("query", "DescribeInstances", "ec2")
    assert faultproxy.classify({"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.UpdateService"}, b"{}")[:3] == \
        ("json", "UpdateService", "ecs")
    assert faultproxy.classify({}, b"Action=DescribeDBClusters&Version=2014-10-31")[:3] == \
        ("query", "DescribeDBClusters", "rds")
    assert faultproxy.classify({}, b"")[:2] == (None, None)


# --------------------------------------------------------------------------- seed

SPEC = {
    "vpc": True,
    "target_groups": {"stg-frontend-green": {"tags": {"cutover:color": "green"}}},
    "albs": [
        {"name": "web",
         "listener": {"port": 80, "default": {"blue": "stg-frontend-blue", "green": "stg-frontend-green",
                                              "green_weight": 0}},
         "rules": [
             {"priority": 10, "path": "/feeds/football/*", "blue": "stg-fn-football-blue",
              "green": "stg-fn-football-green"},
             {"priority": 20, "path": ["/events/*", "/ev/*"], "blue": "stg-events-blue",
              "green": "stg-events-green", "green_weight": 0},
             {"priority": 99, "path": "/maintenance", "fixed_response": {"status": "503", "body": "down"}}]},
        {"name": "api",
         "listeners": [
             {"port": 80, "default": {"blue": "stg-api-blue", "green": "stg-api-green", "green_weight": 25}},
             {"port": 8080, "default": {"blue": "stg-api-blue", "style": "target_group_arn"},
              "rules": [{"priority": 5, "host": "api.example.com", "blue": "stg-api-blue", "style": "both"}]}]},
    ],
    "instances": [
        {"name": "fe-1", "tags": {"cutover:service": "frontend", "cutover:color": "blue", "Environment": "staging"},
         "register": ["stg-frontend-blue"]},
        {"name": "fe-2", "tags": {"cutover:service": "frontend", "cutover:color": "blue"},
         "register": ["stg-frontend-blue"], "state": "stopped"},
        {"name": "fe-3", "tags": {"cutover:service": "frontend", "cutover:color": "green"},
         "register": ["stg-frontend-green"]},
    ],
    "ecs": {"cluster": "spectate-staging", "service": "event-management",
            "family": "spectate-staging-event-management", "container": "event-management", "port": 8080,
            "image": "repo/events:1.0", "desired": 2, "target_group": "stg-events-blue",
            "environment": {"APP_ENV": "staging"}, "tags": {"cutover:color": "blue"}},
    "rds": [{"id": "db1"}],
}


def run_seed(endpoint, *args, stdin=None):
    proc = subprocess.run([sys.executable, str(HERE / "seed.py"), "--endpoint", endpoint, "--region", REGION, *args],
                          input=stdin, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_seed_matches_describe(proxy, moto, tmp_path):
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(SPEC))
    out = run_seed(moto, "--spec", str(spec_file))
    elb, ec2, ecs = aws("elbv2", moto), aws("ec2", moto), aws("ecs", moto)

    # target groups: in the VPC, HTTP:80, the non-default health check, ip for the ECS pair
    tgs = {t["TargetGroupName"]: t for t in elb.describe_target_groups()["TargetGroups"]}
    assert set(tgs) == set(out["target_groups"]) == {
        "stg-frontend-blue", "stg-frontend-green", "stg-fn-football-blue", "stg-fn-football-green",
        "stg-events-blue", "stg-events-green", "stg-api-blue", "stg-api-green"}
    for name, t in tgs.items():
        assert t["TargetGroupArn"] == out["target_groups"][name]["arn"]
        assert t["VpcId"] == out["vpc"]["id"]
        assert (t["Protocol"], t["Port"]) == ("HTTP", 80)
        assert t["TargetType"] == ("ip" if name.startswith("stg-events") else "instance")
        assert (t["HealthCheckPath"], t["HealthCheckIntervalSeconds"], t["HealthyThresholdCount"],
                t["Matcher"]["HttpCode"]) == ("/health", 10, 3, "200-299")
    tags = elb.describe_tags(ResourceArns=[out["target_groups"]["stg-frontend-green"]["arn"]])
    assert tags["TagDescriptions"][0]["Tags"] == [{"Key": "cutover:color", "Value": "green"}]

    # listeners and rules read back exactly as the output says
    web, api = out["albs"]["web"], out["albs"]["api"]
    assert len(api["listeners"]) == 2
    for alb in (web, api):
        for lst in alb["listeners"]:
            got = elb.describe_listeners(ListenerArns=[lst["arn"]])["Listeners"][0]
            assert got["LoadBalancerArn"] == alb["arn"] and got["Port"] == lst["port"]
            assert got["DefaultActions"] == lst["default"]["actions"]
            rules = {r["RuleArn"]: r for r in elb.describe_rules(ListenerArn=lst["arn"])["Rules"]}
            assert len(rules) == len(lst["rules"]) + 1  # + the default rule
            for r in lst["rules"]:
                got = rules[r["arn"]]
                assert got["Priority"] == str(r["priority"])
                assert got["Actions"] == r["actions"]
                assert out["rules"][r["arn"]]["priority"] == r["priority"]
    d = web["listeners"][0]["default"]
    assert d["weights"] == {"stg-frontend-blue": 100, "stg-frontend-green": 0}
    assert d["actions"] == forward(out["target_groups"]["stg-frontend-blue"]["arn"], 100,
                                   out["target_groups"]["stg-frontend-green"]["arn"], 0)
    football, events, fixed = web["listeners"][0]["rules"]
    assert football["path"] == ["/feeds/football/*"] and football["green"] == "stg-fn-football-green"
    assert football["actions"] == forward(football["blue_arn"], 100)  # green named but not routed
    assert events["path"] == ["/events/*", "/ev/*"]
    assert fixed["actions"] == [{"Type": "fixed-response", "FixedResponseConfig": {
        "StatusCode": "503", "ContentType": "text/plain", "MessageBody": "down"}}]
    assert api["listeners"][0]["default"]["weights"] == {"stg-api-blue": 100, "stg-api-green": 25}
    legacy = api["listeners"][1]
    assert legacy["default"]["actions"] == [{"Type": "forward", "TargetGroupArn": legacy["default"]["blue_arn"]}]
    assert legacy["rules"][0]["host"] == ["api.example.com"]
    assert set(legacy["rules"][0]["actions"][0]) == {"Type", "TargetGroupArn", "ForwardConfig"}

    # instances: tags, registration, states
    ids = {n: i["id"] for n, i in out["instances"].items()}
    res = ec2.describe_instances(Filters=[{"Name": "tag:cutover:service", "Values": ["frontend"]},
                                          {"Name": "instance-state-name", "Values": ["running"]}])
    running = {i["InstanceId"] for r in res["Reservations"] for i in r["Instances"]}
    assert running == {ids["fe-1"], ids["fe-3"]}
    health = elb.describe_target_health(TargetGroupArn=out["target_groups"]["stg-frontend-blue"]["arn"])
    states = {h["Target"]["Id"]: h["TargetHealth"]["State"] for h in health["TargetHealthDescriptions"]}
    assert states == {ids["fe-1"]: "healthy", ids["fe-2"]: "unused"}
    assert out["instances"]["fe-1"]["private_ip"].startswith("10.0.")

    # ECS
    e = out["ecs"]["event-management"]
    svc = ecs.describe_services(cluster=e["cluster"], services=[e["service"]], include=["TAGS"])["services"][0]
    assert svc["serviceArn"] == e["service_arn"] and svc["desiredCount"] == 2
    assert svc["loadBalancers"] == [{"targetGroupArn": out["target_groups"]["stg-events-blue"]["arn"],
                                     "containerName": "event-management", "containerPort": 8080}]
    assert svc["tags"] == [{"key": "cutover:color", "value": "blue"}]
    td = ecs.describe_task_definition(taskDefinition=e["task_definition_arn"])["taskDefinition"]
    assert (td["family"], td["networkMode"], td["cpu"], td["memory"]) == \
        ("spectate-staging-event-management", "awsvpc", "256", "512")
    c = td["containerDefinitions"][0]
    assert c["image"] == "repo/events:1.0" and c["environment"] == [{"name": "APP_ENV", "value": "staging"}]
    assert c["logConfiguration"]["logDriver"] == "awslogs"
    assert c["portMappings"][0]["containerPort"] == 8080
    assert out["rds"]["db1"]["endpoint"] and out["rds"]["db1"]["reader_endpoint"]

    # --dump agrees
    dump = run_seed(moto, "--dump")
    lbs = {lb["name"]: lb for lb in dump["load_balancers"]}
    assert lbs["web"]["listeners"][0]["default_actions"] == d["actions"]
    assert [r["priority"] for r in lbs["web"]["listeners"][0]["rules"]] == ["10", "20", "99", "default"]
    dtg = {t["name"]: t for t in dump["target_groups"]}
    assert dtg["stg-frontend-green"]["tags"] == {"cutover:color": "green"}
    assert {t["id"]: t["state"] for t in dtg["stg-frontend-blue"]["targets"]} == states
    assert dump["ecs"][0]["service"] == "event-management"


def test_seed_stdin_through_proxy_and_bad_spec(proxy):
    out = run_seed(proxy, "--spec", "-", stdin=json.dumps({
        "albs": [{"name": "solo", "listener": {"port": 80, "default": {"blue": "b", "green": "g", "green_weight": 7}}}]}))
    assert out["albs"]["solo"]["listeners"][0]["default"]["weights"] == {"b": 100, "g": 7}
    assert "CreateListener" in [e["action"] for e in log(proxy)]
    proc = subprocess.run([sys.executable, str(HERE / "seed.py"), "--endpoint", proxy, "--spec", "-"],
                          input=json.dumps({"albs": [{"name": "x", "listener": {"port": 80, "default": {}}}]}),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "seed:" in proc.stderr


# --------------------------------------------------------------------------- ecs_agent

def wait_for(fn, timeout=10):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(0.05)


def test_ecs_agent_tracks_desired_count(proxy, moto):
    out = seed.seed(SPEC, moto, REGION)
    elb, ecs = aws("elbv2", moto), aws("ecs", moto)
    e = out["ecs"]["event-management"]
    tg = e["target_group_arn"]
    instance_tg = out["target_groups"]["stg-frontend-blue"]["arn"]
    before = elb.describe_target_health(TargetGroupArn=instance_tg)["TargetHealthDescriptions"]

    def targets():
        h = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return sorted((x["Target"]["Id"], x["Target"]["Port"], x["TargetHealth"]["State"]) for x in h)

    ips = ecs_agent.task_ips(e["cluster"], e["service"], 3)
    assert ips == ecs_agent.task_ips(e["cluster"], e["service"], 3) and len(set(ips)) == 3
    proc = subprocess.Popen([sys.executable, str(HERE / "ecs_agent.py"), "--endpoint", moto, "--region", REGION,
                             "--interval", "0.05"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert read_ready(proc) == moto
        assert targets() == sorted((ip, 8080, "healthy") for ip in ips[:2])  # done before READY
        ecs.update_service(cluster=e["cluster"], service=e["service"], desiredCount=3)
        assert wait_for(lambda: len(targets()) == 3)
        ecs.update_service(cluster=e["cluster"], service=e["service"], desiredCount=1)
        assert wait_for(lambda: targets() == [(ips[0], 8080, "healthy")])
        ecs.delete_service(cluster=e["cluster"], service=e["service"], force=True)
        assert wait_for(lambda: targets() == [])
        # instance target groups are never touched
        assert elb.describe_target_health(TargetGroupArn=instance_tg)["TargetHealthDescriptions"] == before
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        stop(proc)


def test_task_ips_stable_and_distinct():
    # task IPs are in 10.128-191.x.x, start at .10 and never repeat
    ips = ecs_agent.task_ips("c", "s", 205)
    assert len(set(ips)) == 205
    assert all(ip.startswith("10.") and 128 <= int(ip.split(".")[1]) <= 191 for ip in ips)
    assert ips[0].endswith(".10") and ips[200].endswith(".10")


# --------------------------------------------------------------------------- moto facts

def test_moto_fact_rollout_state_follows_env(proxy, moto):
    """MOTO_ECS_SERVICE_RUNNING=2: desired <= 2 -> COMPLETED, above -> IN_PROGRESS (fixed at create)."""
    spec = {"ecs": [{"cluster": "c", "service": "two", "desired": 2, "target_group": "tg-two"},
                    {"cluster": "c", "service": "three", "desired": 3, "target_group": "tg-three"}]}
    seed.seed(spec, moto, REGION)
    ecs = aws("ecs", moto)
    svcs = {s["serviceName"]: s for s in ecs.describe_services(cluster="c", services=["two", "three"])["services"]}
    assert svcs["two"]["deployments"][0]["rolloutState"] == "COMPLETED"
    assert (svcs["two"]["runningCount"], svcs["two"]["pendingCount"]) == (2, 0)
    assert svcs["three"]["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert (svcs["three"]["runningCount"], svcs["three"]["pendingCount"]) == (2, 1)
    assert svcs["two"]["events"] == []
    # UpdateService: service counts follow desiredCount, deployments[0] does not
    s = ecs.update_service(cluster="c", service="three", desiredCount=5)["service"]
    assert (s["desiredCount"], s["runningCount"], s["pendingCount"]) == (5, 5, 0)
    assert s["deployments"][0]["desiredCount"] == 3 and s["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    # CreateService on an existing name silently replaces it (real AWS: InvalidParameterException)
    arn = svcs["two"]["serviceArn"]
    again = ecs.create_service(cluster="c", serviceName="two", desiredCount=1, clientToken="other",
                               taskDefinition=svcs["two"]["taskDefinition"])["service"]
    assert again["serviceArn"] == arn and again["desiredCount"] == 1 and again["loadBalancers"] == []
    # DeleteService needs desiredCount 0 or force
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ecs.delete_service(cluster="c", service="three")
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    assert ecs.delete_service(cluster="c", service="three", force=True)["service"]["status"] == "INACTIVE"
    gone = ecs.describe_services(cluster="c", services=["three", "nope"])
    assert [x["status"] for x in gone["services"]] == ["INACTIVE"]
    assert [f["reason"] for f in gone["failures"]] == ["MISSING"]


def test_moto_fact_elbv2(proxy, moto):
    elb, ec2 = aws("elbv2", moto), aws("ec2", moto)
    env = make_listener(elb, ec2)
    blue, green, listener = env["blue"], env["green"], env["listener"]
    # weighted forward reads back exactly: no top-level TargetGroupArn, no Order
    got = elb.describe_listeners(ListenerArns=[listener])["Listeners"][0]["DefaultActions"]
    assert got == forward(blue, 100, green, 0)
    # no validation of weights / VPC / both forms
    for weights in ((1000, 0), (-1, 0), (0, 0)):
        elb.modify_listener(ListenerArn=listener, DefaultActions=forward(blue, weights[0], green, weights[1]))
    both = [dict(forward(blue, 100, green, 0)[0], TargetGroupArn=blue)]
    assert elb.modify_listener(ListenerArn=listener, DefaultActions=both)["Listeners"][0]["DefaultActions"] == both
    # legacy single-target form is not expanded into a ForwardConfig
    legacy = [{"Type": "forward", "TargetGroupArn": blue}]
    assert elb.modify_listener(ListenerArn=listener, DefaultActions=legacy)["Listeners"][0]["DefaultActions"] == legacy
    elb.modify_listener(ListenerArn=listener, DefaultActions=forward(blue, 100, green, 0))
    # duplicates and deletes
    with pytest.raises(botocore.exceptions.ClientError) as info:
        elb.create_target_group(Name="blue", Protocol="HTTP", Port=80, VpcId=env["vpc"])
    assert info.value.response["Error"]["Code"] == "DuplicateTargetGroupName"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        elb.delete_target_group(TargetGroupArn=green)
    assert info.value.response["Error"]["Code"] == "ResourceInUse"
    elb.modify_listener(ListenerArn=listener, DefaultActions=forward(blue, 100))
    elb.delete_target_group(TargetGroupArn=green)


def test_moto_fact_ec2_and_rds(proxy, moto):
    ec2, rds = aws("ec2", moto), aws("rds", moto)
    c = rds.create_db_cluster(DBClusterIdentifier="db1", Engine="aurora-postgresql", MasterUsername="u",
                              MasterUserPassword="password123")["DBCluster"]
    got = rds.describe_db_clusters(DBClusterIdentifier="db1")["DBClusters"][0]
    assert got["Endpoint"] == c["Endpoint"] and ".cluster-" in got["Endpoint"]
    assert got["ReaderEndpoint"] == c["ReaderEndpoint"] and ".cluster-ro-" in got["ReaderEndpoint"]
    assert got["Port"] == 5432
    inst = ec2.run_instances(ImageId=seed.DEFAULT_AMI, MinCount=2, MaxCount=2, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "cutover:color", "Value": "green"}]}])["Instances"]
    ec2.stop_instances(InstanceIds=[inst[1]["InstanceId"]])

    def ids(*filters):
        res = ec2.describe_instances(Filters=list(filters))["Reservations"]
        return {i["InstanceId"] for r in res for i in r["Instances"]}

    tag = {"Name": "tag:cutover:color", "Values": ["green"]}
    assert ids(tag) == {i["InstanceId"] for i in inst}
    assert ids(tag, {"Name": "instance-state-name", "Values": ["running"]}) == {inst[0]["InstanceId"]}
    assert ids(tag, {"Name": "instance-state-name", "Values": ["stopped"]}) == {inst[1]["InstanceId"]}
