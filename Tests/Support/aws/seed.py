#!/usr/bin/env python3
"""Builds a blue/green test scenario in moto with boto3, or dumps what is there.

Seed:  python3 seed.py --endpoint http://127.0.0.1:PORT [--region eu-west-1] --spec spec.json [--reset]
       python3 seed.py --endpoint URL --spec -            (the spec on stdin)
Dump:  python3 seed.py --endpoint URL [--region R] --dump
Seed prints one JSON document (what it built, see OUTPUT); dump prints the current state
(see DUMP).  Exit status 0 on success, 1 (with a message on stderr) on a bad spec or an AWS
error.  --reset first POSTs moto's /moto-api/reset (wipes every service and region).
Dummy credentials are used whatever the environment says; point --endpoint at moto_server
directly or at faultproxy.py in front of it.  Importable: seed(spec, endpoint, region) and
dump(endpoint, region) return the same dicts.

SPEC (JSON; every key optional)
{
  "vpc": true,                      # or {"cidr": "10.0.0.0/16"}; false = none.  Default: a VPC
                                    # is made when anything needs one.  It gets two subnets
                                    # (10.0.1.0/24 in <region>a, 10.0.2.0/24 in <region>b) and
                                    # a security group "cutover-test".
  "target_groups": {                # per-group overrides; a group named only here is created too
    "NAME": {"target_type": "instance"|"ip", "port": 80, "protocol": "HTTP",
             "tags": {"k": "v"}, "health_check": {CreateTargetGroup kwargs, e.g. "HealthCheckPath"}}
  },
  "albs": [
    {"name": "web", "tags": {"k": "v"},
     "listener": LISTENER,          # one listener ...
     "listeners": [LISTENER, ...],  # ... or several (both may be given; "listener" comes first)
     "rules": [RULE, ...]}          # rules for the ALB's first listener
  ],
  "instances": [
    {"name": "fe-1", "tags": {"k": "v"}, "register": ["TG-NAME", ...],
     "state": "running"|"stopped"|"terminated",   # stopped/terminated after registration
     "subnet": 0|1, "instance_type": "t3.micro", "image": "ami-..."}  # image: moto default AMI
  ],
  "ecs": ECS or [ECS, ...],
  "rds": [{"id": "db1", "engine": "aurora-postgresql"}]
}
LISTENER = {"port": 80, "protocol": "HTTP", "default": ACTION, "rules": [RULE, ...]}
RULE     = {"priority": 10, "path": "/feeds/*" | [...], "host": "a.example.com" | [...],
            "conditions": [raw ELBv2 conditions]   # instead of path/host
            ... plus the ACTION keys}
ACTION   = forward:   {"blue": "TG", "green": "TG", "green_weight": 0, "blue_weight": 100,
                       "stickiness": {"enabled": false, "duration": 3600},
                       "style": "forward_config" | "target_group_arn" | "both"}
             style forward_config (default): [{"Type": "forward", "ForwardConfig": {"TargetGroups":
               [{blue, Weight blue_weight}, ({green, Weight green_weight})],
               "TargetGroupStickinessConfig": {"Enabled": false}}}]
               green is in the action only when both "green" and "green_weight" are given;
               a named green without green_weight is still created (and tagged) but not routed.
             style target_group_arn: [{"Type": "forward", "TargetGroupArn": blue}] (legacy form)
             style both: TargetGroupArn plus a one-group ForwardConfig (what AWS returns).
           fixed:     {"fixed_response": {"status": "503", "body": "maintenance",
                                          "content_type": "text/plain"}}
ECS = {"cluster": "spectate-staging", "service": "event-management",
       "family": "spectate-staging-event-management", "container": "event-management",
       "port": 8080, "image": "repo/events:1.0", "desired": 2, "target_group": "stg-events-blue",
       "launch_type": "FARGATE", "cpu": "256", "memory": "512",
       "environment": {"K": "V"}, "tags": {"k": "v"}, "container_extra": {containerDefinition keys}}
  The task definition is awsvpc/FARGATE with cpu/memory, an executionRoleArn, one container
  (image, essential, portMappings [containerPort=hostPort=port/tcp], environment, an awslogs
  logConfiguration, healthCheck).  The service uses the VPC's subnets and security group
  (moto 5.2.1 answers HTTP 500 to an awsvpc CreateService without securityGroups) and a
  loadBalancers entry {targetGroupArn, containerName, containerPort}.

Target groups: created once, in the VPC, HTTP:80 unless overridden, health check /health,
interval 10 s, timeout 5 s, healthy 3, unhealthy 2, matcher 200-299.  Target type "ip" for a
group named by an ECS service or paired (blue/green) with one, else "instance".

OUTPUT
{"region": "eu-west-1",
 "vpc": {"id", "cidr", "subnets": [ids], "security_group"},
 "target_groups": {"NAME": {"arn", "target_type", "port"}},
 "albs": {"web": {"arn", "dns_name", "listener_arn" (first listener),
                  "listeners": [{"arn", "port", "protocol", "default": ACTION_OUT,
                                 "rules": [{"arn", "priority", "path", "host", ACTION_OUT...}]}]}},
 "rules": {"RULE-ARN": {"alb", "listener_arn", "priority", "path", "host"}},
 "instances": {"fe-1": {"id", "private_ip", "state", "subnet"}},
 "ecs": {"SERVICE": {"cluster", "cluster_arn", "service", "service_arn", "task_definition_arn",
                     "family", "container", "port", "desired", "target_group", "target_group_arn"}},
 "rds": {"ID": {"arn", "endpoint", "reader_endpoint", "port"}}}
ACTION_OUT = {"type": "forward"|"fixed-response", "blue", "green", "blue_arn", "green_arn",
              "weights": {"TG": weight}, "actions": [the exact Actions list sent]}
 ("path"/"host" are lists of the values, or null.)

DUMP
{"load_balancers": [{"name", "arn", "dns_name", "listeners": [{"arn", "port", "protocol",
    "default_actions": [as DescribeListeners], "rules": [{"arn", "priority", "is_default",
    "conditions", "actions": [as DescribeRules]}]}]}],
 "target_groups": [{"name", "arn", "target_type", "protocol", "port", "vpc_id",
    "load_balancer_arns", "health_check": {...}, "tags": {k: v},
    "targets": [{"id", "port", "state", "reason"}]}],
 "instances": [{"id", "name", "state", "private_ip", "tags"}],
 "ecs": [{"cluster", "service", "arn", "status", "desired", "running", "pending",
          "task_definition", "load_balancers", "rollout_state", "tags"}]}
"""

import argparse
import json
import os
import sys
import urllib.request

import boto3
import botocore.exceptions
from botocore.config import Config

CREDS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
         "aws_session_token": "testing"}
HEALTH_CHECK = {
    "HealthCheckProtocol": "HTTP",
    "HealthCheckPath": "/health",
    "HealthCheckIntervalSeconds": 10,
    "HealthCheckTimeoutSeconds": 5,
    "HealthyThresholdCount": 3,
    "UnhealthyThresholdCount": 2,
    "Matcher": {"HttpCode": "200-299"},
}
DEFAULT_AMI = "ami-04681a1dbd79675a5"  # amzn2-ami-hvm-2.0.20180810-x86_64-gp2, in moto's default AMIs


class SpecError(ValueError):
    pass


def _env():
    for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                 ("AWS_SESSION_TOKEN", "testing"), ("AWS_SECURITY_TOKEN", "testing"),
                 ("AWS_EC2_METADATA_DISABLED", "true")):
        os.environ[k] = v
    os.environ.pop("AWS_PROFILE", None)


def client(name, endpoint, region):
    _env()
    return boto3.session.Session(region_name=region).client(
        name, endpoint_url=endpoint, region_name=region,
        config=Config(retries={"mode": "standard", "max_attempts": 5}), **CREDS)


def _tags(d, key="Key", value="Value"):
    return [{key: str(k), value: str(v)} for k, v in (d or {}).items()]


def _as_list(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _paginate(c, op, key, **kw):
    if c.can_paginate(op):
        out = []
        for page in c.get_paginator(op).paginate(**kw):
            out.extend(page.get(key, []))
        return out
    return getattr(c, op)(**kw).get(key, [])


# --------------------------------------------------------------------------- seed

class Seeder:
    def __init__(self, spec, endpoint, region):
        if not isinstance(spec, dict):
            raise SpecError("the spec must be a JSON object")
        self.spec, self.endpoint, self.region = spec, endpoint, region
        self.ec2 = client("ec2", endpoint, region)
        self.elb = client("elbv2", endpoint, region)
        self.out = {"region": region, "vpc": None, "target_groups": {}, "albs": {}, "rules": {},
                    "instances": {}, "ecs": {}, "rds": {}}
        self.tg_specs = dict(spec.get("target_groups") or {})
        self.ecs_specs = spec.get("ecs") or []
        if isinstance(self.ecs_specs, dict):
            self.ecs_specs = [self.ecs_specs]

    # -- helpers

    def _listeners_of(self, alb):
        listeners = []
        if alb.get("listener"):
            listeners.append(dict(alb["listener"]))
        listeners.extend(dict(x) for x in alb.get("listeners") or [])
        if not listeners:
            raise SpecError("ALB %r has no listener" % alb.get("name"))
        if alb.get("rules"):
            listeners[0]["rules"] = list(listeners[0].get("rules") or []) + list(alb["rules"])
        return listeners

    def _all_actions(self):
        for alb in self.spec.get("albs") or []:
            for lst in self._listeners_of(alb):
                if lst.get("default"):
                    yield lst["default"]
                for rule in lst.get("rules") or []:
                    yield rule

    def _target_types(self):
        """name -> target type, for every group the spec names."""
        types = {}
        ip = {e["target_group"] for e in self.ecs_specs if e.get("target_group")}
        pairs = []
        for act in self._all_actions():
            names = [n for n in (act.get("blue"), act.get("green")) if n]
            pairs.append(names)
            for n in names:
                types.setdefault(n, "instance")
        for inst in self.spec.get("instances") or []:
            for n in inst.get("register") or []:
                types.setdefault(n, "instance")
        for n in ip:
            types[n] = "ip"
        for names in pairs:  # a blue/green pair shares the target type
            if any(n in ip for n in names):
                for n in names:
                    types[n] = "ip"
        for n, o in self.tg_specs.items():
            types[n] = (o or {}).get("target_type", types.get(n, "instance"))
        return types

    def _image(self):
        """moto's default amzn2 AMI (moto 5.2.1 accepts any ami-* id in RunInstances, but a real
        one keeps DescribeImages consistent).  Listing all images takes moto ~3 s, so look it up by id."""
        try:
            found = self.ec2.describe_images(ImageIds=[DEFAULT_AMI]).get("Images", [])
        except botocore.exceptions.ClientError:
            found = []
        return found[0]["ImageId"] if found else DEFAULT_AMI

    # -- steps

    def vpc(self):
        want = self.spec.get("vpc", None)
        needed = bool(self.spec.get("albs") or self.spec.get("instances") or self.ecs_specs
                      or self.tg_specs)
        if want is False or (want is None and not needed):
            if self.spec.get("albs") or self.ecs_specs or self.tg_specs:
                raise SpecError("albs/ecs/target_groups need a VPC ('vpc' must not be false)")
            return
        cidr = want.get("cidr", "10.0.0.0/16") if isinstance(want, dict) else "10.0.0.0/16"
        base = cidr.split(".")
        vpc_id = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        subnets = []
        for i, az in enumerate("ab"):
            block = "%s.%s.%d.0/24" % (base[0], base[1], i + 1)
            subnets.append(self.ec2.create_subnet(VpcId=vpc_id, CidrBlock=block,
                                                  AvailabilityZone=self.region + az)["Subnet"]["SubnetId"])
        sg = self.ec2.create_security_group(GroupName="cutover-test", Description="cutover tests",
                                            VpcId=vpc_id)["GroupId"]
        self.out["vpc"] = {"id": vpc_id, "cidr": cidr, "subnets": subnets, "security_group": sg}

    def target_groups(self):
        for name, ttype in self._target_types().items():
            o = self.tg_specs.get(name) or {}
            kw = dict(Name=name, Protocol=o.get("protocol", "HTTP"), Port=int(o.get("port", 80)),
                      VpcId=self.out["vpc"]["id"], TargetType=ttype, **HEALTH_CHECK)
            kw.update(o.get("health_check") or {})
            if o.get("tags"):
                kw["Tags"] = _tags(o["tags"])
            tg = self.elb.create_target_group(**kw)["TargetGroups"][0]
            self.out["target_groups"][name] = {"arn": tg["TargetGroupArn"], "target_type": ttype,
                                               "port": tg["Port"]}

    def tg_arn(self, name):
        try:
            return self.out["target_groups"][name]["arn"]
        except KeyError:
            raise SpecError("unknown target group %r" % name)

    def action(self, a):
        """(Actions list, ACTION_OUT) for an ACTION spec."""
        if "fixed_response" in a:
            fr = a["fixed_response"] or {}
            cfg = {"StatusCode": str(fr.get("status", "503")),
                   "ContentType": fr.get("content_type", "text/plain")}
            if "body" in fr:
                cfg["MessageBody"] = fr["body"]
            actions = [{"Type": "fixed-response", "FixedResponseConfig": cfg}]
            return actions, {"type": "fixed-response", "blue": None, "green": None, "blue_arn": None,
                             "green_arn": None, "weights": {}, "actions": actions}
        blue = a.get("blue")
        if not blue:
            raise SpecError("forward action without 'blue': %r" % (a,))
        green = a.get("green")
        style = a.get("style", "forward_config")
        blue_arn = self.tg_arn(blue)
        green_arn = self.tg_arn(green) if green else None
        routed_green = green is not None and a.get("green_weight") is not None
        weights = {blue: int(a.get("blue_weight", 100))}
        if style == "target_group_arn":
            if routed_green:
                raise SpecError("style target_group_arn cannot carry a green weight")
            actions = [{"Type": "forward", "TargetGroupArn": blue_arn}]
        elif style in ("forward_config", "both"):
            groups = [{"TargetGroupArn": blue_arn, "Weight": weights[blue]}]
            if routed_green:
                weights[green] = int(a["green_weight"])
                groups.append({"TargetGroupArn": green_arn, "Weight": weights[green]})
            st = a.get("stickiness") or {}
            sticky = {"Enabled": bool(st.get("enabled", False))}
            if sticky["Enabled"]:
                sticky["DurationSeconds"] = int(st.get("duration", 3600))
            act = {"Type": "forward"}
            if style == "both":
                if routed_green:
                    raise SpecError("style both cannot carry a green weight")
                act["TargetGroupArn"] = blue_arn
            act["ForwardConfig"] = {"TargetGroups": groups, "TargetGroupStickinessConfig": sticky}
            actions = [act]
        else:
            raise SpecError("unknown action style %r" % style)
        return actions, {"type": "forward", "blue": blue, "green": green, "blue_arn": blue_arn,
                         "green_arn": green_arn, "weights": weights, "actions": actions}

    def albs(self):
        vpc = self.out["vpc"]
        for alb in self.spec.get("albs") or []:
            name = alb.get("name")
            if not name:
                raise SpecError("ALB without a name")
            kw = dict(Name=name, Subnets=vpc["subnets"], SecurityGroups=[vpc["security_group"]],
                      Scheme="internet-facing", Type="application")
            if alb.get("tags"):
                kw["Tags"] = _tags(alb["tags"])
            lb = self.elb.create_load_balancer(**kw)["LoadBalancers"][0]
            entry = {"arn": lb["LoadBalancerArn"], "dns_name": lb.get("DNSName"), "listener_arn": None,
                     "listeners": []}
            self.out["albs"][name] = entry
            for lst in self._listeners_of(alb):
                if not lst.get("default"):
                    raise SpecError("listener on ALB %r has no 'default' action" % name)
                actions, aout = self.action(lst["default"])
                port = int(lst.get("port", 80))
                proto = lst.get("protocol", "HTTP")
                larn = self.elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol=proto,
                                                Port=port, DefaultActions=actions)["Listeners"][0]["ListenerArn"]
                lout = {"arn": larn, "port": port, "protocol": proto, "default": aout, "rules": []}
                entry["listeners"].append(lout)
                entry["listener_arn"] = entry["listener_arn"] or larn
                for rule in lst.get("rules") or []:
                    if "priority" not in rule:
                        raise SpecError("rule without a priority on ALB %r" % name)
                    paths, hosts = _as_list(rule.get("path")), _as_list(rule.get("host"))
                    conditions = rule.get("conditions")
                    if conditions is None:
                        conditions = []
                        if paths:
                            conditions.append({"Field": "path-pattern",
                                               "PathPatternConfig": {"Values": paths}})
                        if hosts:
                            conditions.append({"Field": "host-header",
                                               "HostHeaderConfig": {"Values": hosts}})
                    if not conditions:
                        raise SpecError("rule %s on ALB %r has no condition" % (rule["priority"], name))
                    ractions, rout = self.action(rule)
                    rarn = self.elb.create_rule(ListenerArn=larn, Priority=int(rule["priority"]),
                                                Conditions=conditions, Actions=ractions)["Rules"][0]["RuleArn"]
                    r = dict(arn=rarn, priority=int(rule["priority"]), path=paths, host=hosts, **rout)
                    lout["rules"].append(r)
                    self.out["rules"][rarn] = {"alb": name, "listener_arn": larn,
                                               "priority": int(rule["priority"]), "path": paths,
                                               "host": hosts}

    def instances(self):
        specs = self.spec.get("instances") or []
        if not specs:
            return
        image = None
        subnets = self.out["vpc"]["subnets"] if self.out["vpc"] else [None]
        for n, inst in enumerate(specs):
            name = inst.get("name") or "instance-%d" % (n + 1)
            tags = {"Name": name}
            tags.update(inst.get("tags") or {})
            if inst.get("image"):
                ami = inst["image"]
            else:
                image = image or self._image()
                ami = image
            kw = dict(ImageId=ami, MinCount=1, MaxCount=1, InstanceType=inst.get("instance_type", "t3.micro"),
                      TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(tags)}])
            subnet = subnets[int(inst.get("subnet", n)) % len(subnets)]
            if subnet:
                kw["SubnetId"] = subnet
            i = self.ec2.run_instances(**kw)["Instances"][0]
            iid = i["InstanceId"]
            for tg in inst.get("register") or []:
                self.elb.register_targets(TargetGroupArn=self.tg_arn(tg), Targets=[{"Id": iid}])
            state = inst.get("state", "running")
            if state == "stopped":
                self.ec2.stop_instances(InstanceIds=[iid])
            elif state == "terminated":
                self.ec2.terminate_instances(InstanceIds=[iid])
            elif state != "running":
                raise SpecError("instance %r: state must be running, stopped or terminated" % name)
            self.out["instances"][name] = {"id": iid, "private_ip": i.get("PrivateIpAddress"),
                                           "state": state, "subnet": i.get("SubnetId")}

    def ecs(self):
        if not self.ecs_specs:
            return
        ecs = client("ecs", self.endpoint, self.region)
        vpc = self.out["vpc"]
        clusters = {}
        for e in self.ecs_specs:
            for k in ("cluster", "service"):
                if not e.get(k):
                    raise SpecError("ecs entry needs %r" % k)
            cluster = e["cluster"]
            if cluster not in clusters:
                clusters[cluster] = ecs.create_cluster(clusterName=cluster)["cluster"]["clusterArn"]
            service = e["service"]
            family = e.get("family") or "%s-%s" % (cluster, service)
            container = e.get("container") or service
            port = int(e.get("port", 8080))
            env = e.get("environment", {"APP_ENV": "test", "SERVICE": service})
            cdef = {
                "name": container,
                "image": e.get("image", "repo/%s:1.0" % service),
                "essential": True,
                "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
                "environment": [{"name": str(k), "value": str(v)} for k, v in env.items()],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": "/ecs/%s" % family, "awslogs-region": self.region,
                    "awslogs-stream-prefix": container}},
                "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:%d/health || exit 1" % port],
                                "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 10},
            }
            cdef.update(e.get("container_extra") or {})
            td = ecs.register_task_definition(
                family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                cpu=str(e.get("cpu", "256")), memory=str(e.get("memory", "512")),
                executionRoleArn="arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                containerDefinitions=[cdef])["taskDefinition"]
            kw = dict(cluster=cluster, serviceName=service, taskDefinition=td["taskDefinitionArn"],
                      desiredCount=int(e.get("desired", 1)), launchType=e.get("launch_type", "FARGATE"),
                      networkConfiguration={"awsvpcConfiguration": {
                          "subnets": vpc["subnets"], "securityGroups": [vpc["security_group"]],
                          "assignPublicIp": "DISABLED"}},
                      deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
                      propagateTags="SERVICE")
            tg_arn = None
            if e.get("target_group"):
                tg_arn = self.tg_arn(e["target_group"])
                kw["loadBalancers"] = [{"targetGroupArn": tg_arn, "containerName": container,
                                        "containerPort": port}]
                kw["healthCheckGracePeriodSeconds"] = 30
            if e.get("tags"):
                kw["tags"] = _tags(e["tags"], "key", "value")
            svc = ecs.create_service(**kw)["service"]
            self.out["ecs"][service] = {
                "cluster": cluster, "cluster_arn": clusters[cluster], "service": service,
                "service_arn": svc["serviceArn"], "task_definition_arn": td["taskDefinitionArn"],
                "family": family, "container": container, "port": port, "desired": kw["desiredCount"],
                "target_group": e.get("target_group"), "target_group_arn": tg_arn}

    def rds(self):
        specs = self.spec.get("rds") or []
        if not specs:
            return
        rds = client("rds", self.endpoint, self.region)
        for r in specs:
            c = rds.create_db_cluster(DBClusterIdentifier=r["id"], Engine=r.get("engine", "aurora-postgresql"),
                                      MasterUsername=r.get("user", "cutover"),
                                      MasterUserPassword=r.get("password", "cutover-test-pw"))["DBCluster"]
            self.out["rds"][r["id"]] = {"arn": c["DBClusterArn"], "endpoint": c.get("Endpoint"),
                                        "reader_endpoint": c.get("ReaderEndpoint"), "port": c.get("Port")}

    def run(self):
        self.vpc()
        if self.out["vpc"]:
            self.target_groups()
        self.albs()
        self.instances()
        self.ecs()
        self.rds()
        return self.out


def seed(spec, endpoint, region="eu-west-1"):
    return Seeder(spec, endpoint, region).run()


def reset(endpoint):
    req = urllib.request.Request(endpoint.rstrip("/") + "/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()


# --------------------------------------------------------------------------- dump

def dump(endpoint, region="eu-west-1"):
    elb = client("elbv2", endpoint, region)
    ec2 = client("ec2", endpoint, region)
    ecs = client("ecs", endpoint, region)
    out = {"load_balancers": [], "target_groups": [], "instances": [], "ecs": []}
    for lb in _paginate(elb, "describe_load_balancers", "LoadBalancers"):
        lbo = {"name": lb["LoadBalancerName"], "arn": lb["LoadBalancerArn"], "dns_name": lb.get("DNSName"),
               "listeners": []}
        for lst in _paginate(elb, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]):
            rules = _paginate(elb, "describe_rules", "Rules", ListenerArn=lst["ListenerArn"])
            rules.sort(key=lambda r: (r["Priority"] == "default", int(r["Priority"]) if r["Priority"].isdigit() else 0))
            lbo["listeners"].append({
                "arn": lst["ListenerArn"], "port": lst.get("Port"), "protocol": lst.get("Protocol"),
                "default_actions": lst.get("DefaultActions", []),
                "rules": [{"arn": r["RuleArn"], "priority": r["Priority"], "is_default": r.get("IsDefault"),
                           "conditions": r.get("Conditions", []), "actions": r.get("Actions", [])}
                          for r in rules]})
        lbo["listeners"].sort(key=lambda x: x["port"] or 0)
        out["load_balancers"].append(lbo)
    tgs = _paginate(elb, "describe_target_groups", "TargetGroups")
    tags = {}
    for i in range(0, len(tgs), 20):
        arns = [t["TargetGroupArn"] for t in tgs[i:i + 20]]
        for d in elb.describe_tags(ResourceArns=arns)["TagDescriptions"]:
            tags[d["ResourceArn"]] = {t["Key"]: t.get("Value") for t in d.get("Tags", [])}
    for t in tgs:
        health = elb.describe_target_health(TargetGroupArn=t["TargetGroupArn"])["TargetHealthDescriptions"]
        out["target_groups"].append({
            "name": t["TargetGroupName"], "arn": t["TargetGroupArn"], "target_type": t.get("TargetType"),
            "protocol": t.get("Protocol"), "port": t.get("Port"), "vpc_id": t.get("VpcId"),
            "load_balancer_arns": sorted(set(t.get("LoadBalancerArns", []))),
            "health_check": {k: t[k] for k in t if k.startswith("HealthCheck") or k in
                             ("HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher")},
            "tags": tags.get(t["TargetGroupArn"], {}),
            "targets": [{"id": h["Target"]["Id"], "port": h["Target"].get("Port"),
                         "state": h["TargetHealth"].get("State"), "reason": h["TargetHealth"].get("Reason")}
                        for h in health]})
    for res in _paginate(ec2, "describe_instances", "Reservations"):
        for i in res.get("Instances", []):
            itags = {t["Key"]: t["Value"] for t in i.get("Tags", [])}
            out["instances"].append({"id": i["InstanceId"], "name": itags.get("Name"),
                                     "state": i["State"]["Name"], "private_ip": i.get("PrivateIpAddress"),
                                     "tags": itags})
    for carn in _paginate(ecs, "list_clusters", "clusterArns"):
        arns = _paginate(ecs, "list_services", "serviceArns", cluster=carn)
        for i in range(0, len(arns), 10):
            for s in ecs.describe_services(cluster=carn, services=arns[i:i + 10], include=["TAGS"])["services"]:
                deps = s.get("deployments") or [{}]
                out["ecs"].append({"cluster": carn.rsplit("/", 1)[-1], "service": s["serviceName"],
                                   "arn": s["serviceArn"], "status": s.get("status"),
                                   "desired": s.get("desiredCount"), "running": s.get("runningCount"),
                                   "pending": s.get("pendingCount"), "task_definition": s.get("taskDefinition"),
                                   "load_balancers": s.get("loadBalancers", []),
                                   "rollout_state": deps[0].get("rolloutState"),
                                   "tags": {t["key"]: t.get("value") for t in s.get("tags") or []}})
    return out


# --------------------------------------------------------------------------- CLI

def main(argv=None):
    p = argparse.ArgumentParser(description="Seed a blue/green scenario into moto, or dump its state.")
    p.add_argument("--endpoint", required=True, help="http://127.0.0.1:PORT (moto_server or faultproxy)")
    p.add_argument("--region", default="eu-west-1")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--spec", help="spec JSON file, or - for stdin")
    g.add_argument("--dump", action="store_true", help="print listeners/rules/target groups/health as JSON")
    p.add_argument("--reset", action="store_true", help="POST /moto-api/reset before seeding")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.dump:
            result = dump(args.endpoint, args.region)
        else:
            if args.spec == "-":
                spec = json.load(sys.stdin)
            else:
                with open(args.spec) as f:
                    spec = json.load(f)
            if args.reset:
                reset(args.endpoint)
            result = seed(spec, args.endpoint, args.region)
    except (SpecError, ValueError, OSError) as exc:
        sys.stderr.write("seed: %s\n" % exc)
        return 1
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        sys.stderr.write("seed: AWS error: %s\n" % exc)
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
