#!/usr/bin/env python3
"""Stands in for ECS placing a service's tasks into its target groups (moto does not).

Start:  python3 ecs_agent.py --endpoint http://127.0.0.1:MOTO_PORT [--region eu-west-1]
                             [--interval 0.2] [--once] [--verbose]
After its first full pass it prints one line ``READY <endpoint>`` on stdout and flushes;
then it repeats the pass every --interval seconds until SIGTERM/SIGINT (exit 0).  --once:
one pass, print READY, exit.  Point it at moto_server directly, not at faultproxy.py,
so its calls neither show up in the proxy's log nor hit injected faults.

One pass: for every service in every cluster (ListClusters, ListServices, DescribeServices),
for each loadBalancers entry with a targetGroupArn, the service should have exactly
desiredCount IP targets registered there: ``10.A.B.C`` with A.B derived from a hash of
"cluster/service" (stable across runs, A in 128..191 so they never collide with the seeded
VPC's 10.0.x.x instance addresses) and C = 10 + task index (B steps on every 200 tasks),
at the entry's containerPort.
INACTIVE (deleted) services count as desiredCount 0.  A target group's wanted set is the
union over the services naming it; targets outside it are deregistered.  Target groups no
service names are never touched (instance groups stay as they are).  moto reports
registered IP targets as "healthy" at once.

Also useful as a library: agent_pass(elb, ecs) -> {tg_arn: sorted [(ip, port)]}, and
task_ips(cluster, service, n).

moto caveat (5.2.1): a service's deployment rolloutState is decided once, at CreateService:
"COMPLETED" only if moto_server was started with the environment variable
MOTO_ECS_SERVICE_RUNNING=<n> with n >= desiredCount, else "IN_PROGRESS" forever (runningCount
= n, pendingCount = desired - n).  UpdateService(desiredCount=k) sets the service's
runningCount to k and pendingCount to 0 but leaves deployments[0] (its counts, taskDefinition
and rolloutState) as they were.  This agent does not change any of that.
"""

import argparse
import hashlib
import os
import signal
import sys
import threading
import time

import boto3
import botocore.exceptions
from botocore.config import Config

CREDS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
         "aws_session_token": "testing"}


def client(name, endpoint, region):
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    return boto3.session.Session(region_name=region).client(
        name, endpoint_url=endpoint, region_name=region,
        config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30),
        **CREDS)


def task_ips(cluster, service, n):
    """The n stable fake task IPs of a service."""
    h = hashlib.sha256(("%s/%s" % (cluster, service)).encode()).digest()
    a, b = 128 + h[0] % 64, h[1]
    return ["10.%d.%d.%d" % (a, (b + i // 200) % 256, 10 + i % 200) for i in range(n)]


def _paginate(c, op, key, **kw):
    out = []
    for page in c.get_paginator(op).paginate(**kw):
        out.extend(page.get(key, []))
    return out


def agent_pass(elb, ecs, log=None):
    """Brings every ECS-referenced target group to its wanted IP target set. Returns the sets."""
    wanted = {}
    for carn in _paginate(ecs, "list_clusters", "clusterArns"):
        cluster = carn.rsplit("/", 1)[-1]
        arns = _paginate(ecs, "list_services", "serviceArns", cluster=carn)
        for i in range(0, len(arns), 10):
            for svc in ecs.describe_services(cluster=carn, services=arns[i:i + 10])["services"]:
                active = svc.get("status") == "ACTIVE"
                n = int(svc.get("desiredCount") or 0) if active else 0
                ips = task_ips(cluster, svc["serviceName"], n)
                for lb in svc.get("loadBalancers") or []:
                    tg = lb.get("targetGroupArn")
                    if not tg:
                        continue
                    port = int(lb.get("containerPort") or 80)
                    wanted.setdefault(tg, set()).update((ip, port) for ip in ips)
    for tg, want in wanted.items():
        try:
            health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        except botocore.exceptions.ClientError as exc:
            if log:
                log("skip %s: %s" % (tg, exc))
            continue
        have = {(h["Target"]["Id"], int(h["Target"].get("Port") or 0)) for h in health}
        add = sorted(want - have)
        extra = sorted(have - want)
        if add:
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": ip, "Port": p} for ip, p in add])
        if extra:
            elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": ip, "Port": p} for ip, p in extra])
        if log and (add or extra):
            log("%s: +%s -%s" % (tg.rsplit("/", 2)[-2], add, extra))
    return {tg: sorted(w) for tg, w in wanted.items()}


def main(argv=None):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    p = argparse.ArgumentParser(description="Registers fake ECS task IPs into services' target groups in moto.")
    p.add_argument("--endpoint", required=True, help="http://127.0.0.1:PORT of moto_server")
    p.add_argument("--region", default="eu-west-1")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between passes (default 0.2)")
    p.add_argument("--once", action="store_true", help="one pass, then exit")
    p.add_argument("--verbose", action="store_true", help="log changes on stderr")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def log(msg):
        if args.verbose:
            sys.stderr.write("ecs_agent: %s\n" % msg)
            sys.stderr.flush()

    elb = client("elbv2", args.endpoint, args.region)
    ecs = client("ecs", args.endpoint, args.region)
    ready = False
    deadline = time.time() + 30
    while not stop.is_set():
        try:
            agent_pass(elb, ecs, log)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            sys.stderr.write("ecs_agent: pass failed: %s\n" % exc)
            sys.stderr.flush()
            if not ready and time.time() > deadline:
                return 1
            stop.wait(max(args.interval, 0.2))
            continue
        if not ready:
            sys.stdout.write("READY %s\n" % args.endpoint)
            sys.stdout.flush()
            ready = True
        if args.once:
            break
        stop.wait(args.interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
