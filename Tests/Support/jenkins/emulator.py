#!/usr/bin/env python3
"""Jenkins REST API emulator for the cutover test-suite (standard library only).

Start:  python3 emulator.py --port 0 [--host 127.0.0.1] [--user NAME:TOKEN]...
                            [--no-csrf] [--anonymous-read]
                            [--crumb-required-with-token | --no-crumb-required-with-token]
Prints one line ``READY http://127.0.0.1:PORT`` on stdout once it accepts connections.

It emulates the parts of Jenkins 2.462.3 (+ cloudbees-folder, workflow-job) that
python-jenkins, jenkins-job-builder and cutover use: basic auth with API tokens,
CSRF crumbs bound to a web session, folders/jobs (config.xml), the build queue,
builds with progressive console output.  Test-only control endpoints live under
``/_emulator/`` (no auth, no crumb).  See README.md next to this file.
"""

import argparse
import base64
import hashlib
import html
import ipaddress
import json
import re
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

JENKINS_VERSION = "2.462.3"

FOLDER_CLASS = "com.cloudbees.hudson.plugins.folder.Folder"
WORKFLOW_JOB = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
FREESTYLE = "hudson.model.FreeStyleProject"

# XML root element -> Jenkins class (XStream aliases of the common item types).
ROOT_ALIASES = {
    "flow-definition": WORKFLOW_JOB,
    "project": FREESTYLE,
    "maven2-moduleset": "hudson.maven.MavenModuleSet",
    "matrix-project": "hudson.matrix.MatrixProject",
}
RUN_CLASSES = {
    WORKFLOW_JOB: "org.jenkinsci.plugins.workflow.job.WorkflowRun",
    FREESTYLE: "hudson.model.FreeStyleBuild",
    "hudson.maven.MavenModuleSet": "hudson.maven.MavenModuleSetBuild",
    "hudson.matrix.MatrixProject": "hudson.matrix.MatrixBuild",
}

EMPTY_FOLDER_XML = """<?xml version='1.1' encoding='UTF-8'?>
<com.cloudbees.hudson.plugins.folder.Folder plugin="cloudbees-folder@6.955.v81e2a_35c08d3">
  <actions/>
  <description></description>
  <properties/>
  <folderViews class="com.cloudbees.hudson.plugins.folder.views.DefaultFolderViewHolder">
    <views>
      <hudson.model.AllView>
        <owner class="com.cloudbees.hudson.plugins.folder.Folder" reference="../../../.."/>
        <name>All</name>
        <filterExecutors>false</filterExecutors>
        <filterQueue>false</filterQueue>
        <properties class="hudson.model.View$PropertyList"/>
      </hudson.model.AllView>
    </views>
    <tabBar class="hudson.views.DefaultViewsTabBar"/>
  </folderViews>
  <healthMetrics/>
  <icon class="com.cloudbees.hudson.plugins.folder.icons.StockFolderIcon"/>
</com.cloudbees.hudson.plugins.folder.Folder>
"""
EMPTY_PIPELINE_XML = """<?xml version='1.1' encoding='UTF-8'?>
<flow-definition plugin="workflow-job@1436.vfa_244484591f">
  <keepDependencies>false</keepDependencies>
  <properties/>
  <triggers/>
  <disabled>false</disabled>
</flow-definition>
"""
EMPTY_FREESTYLE_XML = """<?xml version='1.1' encoding='UTF-8'?>
<project>
  <keepDependencies>false</keepDependencies>
  <properties/>
  <scm class="hudson.scm.NullSCM"/>
  <canRoam>true</canRoam>
  <disabled>false</disabled>
  <blockBuildWhenDownstreamBuilding>false</blockBuildWhenDownstreamBuilding>
  <blockBuildWhenUpstreamBuilding>false</blockBuildWhenUpstreamBuilding>
  <triggers/>
  <concurrentBuild>false</concurrentBuild>
  <builders/>
  <publishers/>
  <buildWrappers/>
</project>
"""
CREATE_MODES = {
    FOLDER_CLASS: EMPTY_FOLDER_XML,
    WORKFLOW_JOB: EMPTY_PIPELINE_XML,
    FREESTYLE: EMPTY_FREESTYLE_XML,
}
ALL_VIEW_XML = """<?xml version='1.1' encoding='UTF-8'?>
<hudson.model.AllView>
  <owner class="hudson" reference="../../.."/>
  <name>all</name>
  <filterExecutors>false</filterExecutors>
  <filterQueue>false</filterQueue>
  <properties class="hudson.model.View$PropertyList"/>
</hudson.model.AllView>
"""
PLUGINS = [
    ("cloudbees-folder", "Folders", "6.955.v81e2a_35c08d3"),
    ("workflow-job", "Pipeline: Job", "1436.vfa_244484591f"),
    ("workflow-cps", "Pipeline: Groovy", "3990.vd281dd77a_388"),
    ("workflow-aggregator", "Pipeline", "600.vb_57cdd26fdd7"),
    ("credentials", "Credentials Plugin", "1381.v2c3a_12074da_b_"),
]

UNSAFE_NAME_CHARS = "?*/\\%!@#$^&|<>[]:;"
RESULT_COLORS = {"SUCCESS": "blue", "FAILURE": "red", "UNSTABLE": "yellow",
                 "ABORTED": "aborted", "NOT_BUILT": "notbuilt"}
VALID_RESULTS = set(RESULT_COLORS)
PIPELINE_STEPS = ["[Pipeline] Start of Pipeline", "[Pipeline] node", "[Pipeline] {",
                  "[Pipeline] echo", "[Pipeline] }", "[Pipeline] // node",
                  "[Pipeline] End of Pipeline"]

CT_JSON = "application/json;charset=utf-8"
CT_XML = "application/xml;charset=utf-8"
CT_TEXT = "text/plain;charset=utf-8"
CT_HTML = "text/html;charset=utf-8"


class HttpError(Exception):
    """Aborts request handling with a Jenkins/Jetty style error response."""

    def __init__(self, status, message, headers=None, body=None, content_type=CT_HTML):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers or [])
        self.body = body
        self.content_type = content_type


class Failure(HttpError):
    """hudson.model.Failure: 400 plus an X-Error header carrying the message."""

    def __init__(self, message):
        super().__init__(400, message, headers=[("X-Error", message)])


# --------------------------------------------------------------------------- XML helpers

def parse_config(data):
    """Validates a config.xml; returns (root tag, element) or raises HttpError 500."""
    if re.search(rb"<!DOCTYPE", data[:4096], re.IGNORECASE):
        raise HttpError(500, "java.io.IOException: Unable to read: DOCTYPE is disallowed")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise HttpError(500, "java.io.IOException: Failed to persist config.xml: "
                             "com.thoughtworks.xstream.io.StreamException: " + str(exc))
    tag = root.tag
    if tag not in ROOT_ALIASES and tag != FOLDER_CLASS and "." not in tag:
        raise HttpError(500, "java.io.IOException: Unable to read: "
                             "com.thoughtworks.xstream.mapper.CannotResolveClassException: " + tag)
    return tag, root


def class_for_tag(tag):
    return ROOT_ALIASES.get(tag, tag)


def child_text(root, name):
    el = root.find(name)
    return None if el is None else (el.text or "")


def parameter_definitions(root):
    """Parameter definitions of a job config (hudson.model.ParametersDefinitionProperty)."""
    defs = []
    for prop in root.iter():
        if not prop.tag.endswith("ParametersDefinitionProperty"):
            continue
        container = prop.find("parameterDefinitions")
        if container is None:
            continue
        for d in container:
            kind = d.tag.rsplit(".", 1)[-1]
            name = child_text(d, "name")
            if not name:
                continue
            default = child_text(d, "defaultValue")
            choices = None
            if kind == "ChoiceParameterDefinition":
                ch = d.find("choices")
                choices = [s.text or "" for s in ch.iter("string")] if ch is not None else []
                if not choices and ch is not None and (ch.text or "").strip():
                    choices = (ch.text or "").strip().splitlines()
                default = choices[0] if choices else ""
            defs.append({"class": d.tag, "kind": kind, "name": name, "default": default,
                         "choices": choices, "trim": child_text(d, "trim") == "true",
                         "description": child_text(d, "description") or ""})
    return defs


# --------------------------------------------------------------------------- tree parameter

def parse_tree(text):
    """Parses Jenkins' ``tree`` query: ``a,b[c,d[e]]{0,10}``.

    Returns {name: (subtree or None, (start, end) or None)}."""
    pos = 0

    def parse_range(body):
        body = body.strip()
        if "," in body:
            lo, hi = body.split(",", 1)
            return (int(lo) if lo.strip() else None, int(hi) if hi.strip() else None)
        n = int(body)
        return (n, n + 1)

    def parse_list():
        nonlocal pos
        fields = {}
        while True:
            start = pos
            while pos < len(text) and text[pos] not in ",[]{}":
                pos += 1
            name = text[start:pos].strip()
            sub = rng = None
            if pos < len(text) and text[pos] == "[":
                pos += 1
                sub = parse_list()
                if pos >= len(text) or text[pos] != "]":
                    raise ValueError("missing ]")
                pos += 1
            if pos < len(text) and text[pos] == "{":
                end = text.index("}", pos)
                rng = parse_range(text[pos + 1:end])
                pos = end + 1
            if name:
                fields[name] = (sub, rng)
            elif sub is not None:
                raise ValueError("nameless subtree")
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return fields

    result = parse_list()
    if pos != len(text):
        raise ValueError("unexpected %r at %d" % (text[pos], pos))
    return result


class Model:
    """Something exported by the remote API (has _class and properties)."""
    summary_keys = ("_class",)
    hidden_keys = ()      # only exported when explicitly requested with tree=
    inline = False        # nested occurrences are exported fully (like @Exported(inline=true))

    def props(self, ctx):
        raise NotImplementedError


def export(value, ctx, spec=None, nested=False):
    """Serialises model objects the way Jenkins' Api does (depth=0 or tree=)."""
    if isinstance(value, Model):
        props = value.props(ctx)
        if spec is None:
            if nested and not value.inline:
                keys = [k for k in value.summary_keys if k in props]
            else:
                keys = [k for k in props if k not in value.hidden_keys]
            return {k: export(props[k], ctx, None, True) for k in keys}
        return filter_fields(props, ctx, spec)
    if isinstance(value, dict):
        if spec is None:
            return {k: export(v, ctx, None, True) for k, v in value.items() if not k.startswith("__")}
        return filter_fields(value, ctx, spec)
    if isinstance(value, (list, tuple)):
        return [export(v, ctx, spec, True) for v in value]
    return value


def filter_fields(props, ctx, spec):
    out = {}
    if "_class" in props:
        out["_class"] = props["_class"]
    for name, (sub, rng) in spec.items():
        if name == "_class" or name not in props:
            continue
        v = props[name]
        if rng is not None and isinstance(v, (list, tuple)):
            v = v[rng[0]:rng[1]]
        # A leaf naming an object yields only its _class (what Jenkins does).
        out[name] = export(v, ctx, sub if sub is not None else {}, True)
    return out


# --------------------------------------------------------------------------- model

class Ctx:
    def __init__(self, root_url):
        self.root_url = root_url


class ItemGroup:
    """Children live in a case-insensitive sorted map, like Jenkins' CopyOnWriteMap.Tree
    with CASE_INSENSITIVE_ORDER: listings are sorted, lookups ignore case."""

    def child(self, name):
        return self.children.get(name.lower())

    def child_list(self):
        return [self.children[k] for k in sorted(self.children)]


class Root(ItemGroup, Model):
    kind = "root"

    def __init__(self):
        self.children = {}
        self.parent = None
        self.name = ""

    @property
    def full_name(self):
        return ""

    def url_path(self):
        return ""

    def props(self, ctx):
        view = AllView(self)
        return {
            "_class": "hudson.model.Hudson",
            "assignedLabels": [{"name": "built-in"}],
            "mode": "NORMAL",
            "nodeDescription": "the Jenkins controller's built-in node",
            "nodeName": "",
            "numExecutors": 2,
            "description": None,
            "jobs": self.child_list(),
            "overallLoad": {},
            "primaryView": view,
            "quietDownReason": None,
            "quietingDown": False,
            "slaveAgentPort": -1,
            "unlabeledLoad": {"_class": "jenkins.model.UnlabeledLoadStatistics"},
            "url": ctx.root_url,
            "useCrumbs": ctx.state.csrf,
            "useSecurity": True,
            "views": [view],
        }


class AllView(Model):
    summary_keys = ("_class", "name", "url")

    def __init__(self, owner):
        self.owner = owner

    def props(self, ctx):
        return {"_class": "hudson.model.AllView", "description": None,
                "jobs": self.owner.child_list(), "name": "all",
                "property": [], "url": ctx.root_url}


class Item(ItemGroup, Model):
    hidden_keys = ("allBuilds",)

    def __init__(self, name, parent, config, tag):
        self.name = name
        self.parent = parent
        self.config = config          # raw bytes exactly as posted
        self.tag = tag
        self.children = {}
        self.builds = {}
        self.next_build_number = 1
        self.deleted = False

    @property
    def kind(self):
        return "folder" if self.tag == FOLDER_CLASS else "job"

    @property
    def jenkins_class(self):
        return class_for_tag(self.tag)

    @property
    def summary_keys(self):
        if self.kind == "folder":
            return ("_class", "name", "url")
        return ("_class", "name", "url", "color")

    @property
    def full_name(self):
        if self.parent is None or self.parent.kind == "root":
            return self.name
        return self.parent.full_name + "/" + self.name

    def full_display_name(self):
        names = []
        item = self
        while isinstance(item, Item):
            names.append(item.name)
            item = item.parent
        return " » ".join(reversed(names))

    def url_path(self):
        return self.parent.url_path() + "job/" + quote(self.name, safe="") + "/"

    def xml(self):
        try:
            return ET.fromstring(self.config)
        except ET.ParseError:
            return ET.Element(self.tag)

    def description(self):
        return child_text(self.xml(), "description")

    def disabled(self):
        return child_text(self.xml(), "disabled") == "true"

    def sorted_builds(self):
        return [self.builds[n] for n in sorted(self.builds, reverse=True)]

    def color(self):
        if self.disabled():
            return "disabled"
        builds = self.sorted_builds()
        completed = [b for b in builds if not b.building]
        base = RESULT_COLORS.get(completed[0].result, "notbuilt") if completed else "notbuilt"
        if any(b.building for b in builds):
            return base + "_anime"
        return base

    def props(self, ctx):
        url = ctx.root_url + self.url_path()
        common = {
            "_class": self.jenkins_class,
            "actions": [],
            "description": self.description(),
            "displayName": self.name,
            "displayNameOrNull": None,
            "fullDisplayName": self.full_display_name(),
            "fullName": self.full_name,
            "name": self.name,
            "url": url,
        }
        if self.kind == "folder":
            common.update({
                "healthReport": [],
                "jobs": self.child_list(),
                "primaryView": {"_class": "hudson.model.AllView", "name": "All", "url": url},
                "views": [{"_class": "hudson.model.AllView", "name": "All", "url": url}],
            })
            return common
        builds = self.sorted_builds()

        def pick(pred):
            for b in builds:
                if pred(b):
                    return b
            return None
        completed = lambda b: not b.building  # noqa: E731
        queued = ctx.state.waiting_items_for(self)
        defs = parameter_definitions(self.xml())
        properties = []
        if defs:
            properties.append({
                "_class": "hudson.model.ParametersDefinitionProperty",
                "parameterDefinitions": [param_definition_json(d) for d in defs],
            })
        last_success = pick(lambda b: b.result == "SUCCESS")
        common.update({
            "buildable": not self.disabled(),
            "builds": builds[:100],
            "allBuilds": builds,
            "color": self.color(),
            "disabled": self.disabled(),
            "firstBuild": builds[-1] if builds else None,
            "healthReport": [],
            "inQueue": bool(queued),
            "keepDependencies": False,
            "lastBuild": builds[0] if builds else None,
            "lastCompletedBuild": pick(completed),
            "lastFailedBuild": pick(lambda b: b.result == "FAILURE"),
            "lastStableBuild": last_success,
            "lastSuccessfulBuild": pick(lambda b: b.result in ("SUCCESS", "UNSTABLE")),
            "lastUnstableBuild": pick(lambda b: b.result == "UNSTABLE"),
            "lastUnsuccessfulBuild": pick(lambda b: completed(b) and b.result != "SUCCESS"),
            "nextBuildNumber": self.next_build_number,
            "property": properties,
            "queueItem": queued[0] if queued else None,
            "concurrentBuild": b"DisableConcurrentBuildsJobProperty" not in self.config,
            "resumeBlocked": False,
        })
        return common


def param_definition_json(d):
    kind = d["kind"]
    value_class = {"BooleanParameterDefinition": "hudson.model.BooleanParameterValue",
                   "TextParameterDefinition": "hudson.model.TextParameterValue",
                   "PasswordParameterDefinition": "hudson.model.PasswordParameterValue"
                   }.get(kind, "hudson.model.StringParameterValue")
    default = {"_class": value_class, "name": d["name"]}
    if kind == "BooleanParameterDefinition":
        default["value"] = (d["default"] or "").strip() == "true"
    elif kind != "PasswordParameterDefinition":
        default["value"] = d["default"] or ""
    out = {"_class": d["class"], "defaultParameterValue": default,
           "description": d["description"], "name": d["name"],
           "type": kind}
    if d["choices"] is not None:
        out["choices"] = d["choices"]
    return out


class Build(Model):
    summary_keys = ("_class", "number", "url")

    def __init__(self, job, number, params, user, queue_id):
        self.job = job
        self.number = number
        self.params = params            # list of parameter-value dicts (JSON form)
        self.user = user
        self.queue_id = queue_id
        self.timestamp = int(time.time() * 1000)
        self.duration = 0
        self.result = None
        self.building = True
        self.log = bytearray()
        self.abort = threading.Event()
        self.aborted_by = None
        # An `input` step the build is paused at (pipeline-input-step), or None. `decision` is set to
        # "proceed" or "abort" by the input routes and wakes the build.
        self.pending_input = None

    def url_path(self):
        return self.job.url_path() + "%d/" % self.number

    def props(self, ctx):
        actions = []
        if self.params is not None:
            actions.append({"_class": "hudson.model.ParametersAction", "parameters": self.params})
        actions.append({"_class": "hudson.model.CauseAction", "causes": [user_cause(self.user)]})
        builds = self.job.builds
        prev = max((n for n in builds if n < self.number), default=None)
        nxt = min((n for n in builds if n > self.number), default=None)
        return {
            "_class": RUN_CLASSES.get(self.job.jenkins_class, "hudson.model.FreeStyleBuild"),
            "actions": actions,
            "artifacts": [],
            "building": self.building,
            "description": None,
            "displayName": "#%d" % self.number,
            "duration": self.duration,
            "estimatedDuration": -1,
            "executor": None,
            "fullDisplayName": "%s #%d" % (self.job.full_display_name(), self.number),
            "id": str(self.number),
            "keepLog": False,
            "number": self.number,
            "queueId": self.queue_id,
            "result": self.result,
            "timestamp": self.timestamp,
            "url": ctx.root_url + self.url_path(),
            "changeSets": [],
            "culprits": [],
            "inProgress": self.building,
            "nextBuild": builds.get(nxt) if nxt else None,
            "previousBuild": builds.get(prev) if prev else None,
        }


def user_cause(user):
    user = user or "anonymous"
    return {"_class": "hudson.model.Cause$UserIdCause",
            "shortDescription": "Started by user %s" % user,
            "userId": user, "userName": user}


class QueueItem(Model):
    inline = True

    def __init__(self, qid, job, params, user, delay):
        self.id = qid
        self.job = job
        self.params = params
        self.user = user
        self.delay = delay
        self.in_queue_since = int(time.time() * 1000)
        self.cancelled = False
        self.build = None
        self.wake = threading.Event()

    @property
    def waiting(self):
        return not self.cancelled and self.build is None

    def params_text(self):
        out = ""
        for p in self.params or []:
            short = p["_class"].rsplit(".", 1)[-1]
            value = p.get("value", "****")
            if isinstance(value, bool):
                value = "true" if value else "false"
            out += "\n(%s) %s='%s'" % (short, p["name"], value)
        return out

    def props(self, ctx):
        actions = []
        if self.params is not None:
            actions.append({"_class": "hudson.model.ParametersAction", "parameters": self.params})
        actions.append({"_class": "hudson.model.CauseAction", "causes": [user_cause(self.user)]})
        out = {
            "_class": "hudson.model.Queue$WaitingItem" if self.waiting else "hudson.model.Queue$LeftItem",
            "actions": actions,
            "blocked": False,
            "buildable": False,
            "id": self.id,
            "inQueueSince": self.in_queue_since,
            "params": self.params_text(),
            "stuck": False,
            "task": self.job,
            "url": "queue/item/%d/" % self.id,
            "why": "Waiting for next available executor" if self.waiting else None,
            "cancelled": self.cancelled,
        }
        if self.waiting:
            out["timestamp"] = self.in_queue_since + int(self.delay * 1000)
        else:
            out["executable"] = None if self.cancelled else self.build
        return out


class QueueModel(Model):
    def __init__(self, items):
        self.items = items

    def props(self, ctx):
        return {"_class": "hudson.model.Queue", "discoverableItems": [], "items": self.items}


class Session:
    def __init__(self, user):
        self.id = secrets.token_hex(16)
        self.user = user
        self.crumb = secrets.token_hex(32)


# --------------------------------------------------------------------------- state

class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.root = Root()
        self.users = dict(args.users)
        self.csrf = not args.no_csrf
        self.anonymous_read = args.anonymous_read
        self.crumb_required_with_token = args.crumb_required_with_token
        self.cookie_name = "JSESSIONID." + secrets.token_hex(4)
        self.sessions = {}
        self.queue = {}
        self.next_queue_id = 1
        self.requests = []
        self.faults = []
        self.next_results = {}
        self.queue_delay = 0.2
        self.line_interval = 0.1

    # items ----------------------------------------------------------------
    def all_items(self, node=None):
        node = node or self.root
        for child in node.child_list():
            yield child
            if child.kind == "folder":
                yield from self.all_items(child)

    def lookup(self, full_name):
        node = self.root
        for part in [p for p in full_name.split("/") if p]:
            if node.kind not in ("root", "folder") or node.child(part) is None:
                return None
            node = node.child(part)
        return node if node is not self.root else None

    def add_item(self, parent, name, config, tag):
        item = Item(name, parent, config, tag)
        parent.children[name.lower()] = item
        return item

    def delete_item(self, item):
        for sub in [item] + list(self.all_items(item) if item.kind == "folder" else []):
            sub.deleted = True
            for q in self.queue.values():
                if q.job is sub and q.waiting:
                    q.cancelled = True
                    q.wake.set()
        item.parent.children.pop(item.name.lower(), None)

    # queue ----------------------------------------------------------------
    def waiting_items_for(self, job):
        return [q for q in self.queue.values() if q.job is job and q.waiting]

    def pop_next_result(self, full_name):
        for key in (full_name, ""):
            pending = self.next_results.get(key)
            if pending:
                return pending.pop(0)
        return None


# --------------------------------------------------------------------------- builds

def run_queue_item(state, qi):
    qi.wake.wait(qi.delay)   # the quiet period; cancellation wakes us early
    with state.lock:
        if qi.cancelled or qi.job.deleted:
            qi.cancelled = True
            return
        job = qi.job
        build = Build(job, job.next_build_number, qi.params, qi.user, qi.id)
        job.next_build_number += 1
        job.builds[build.number] = build
        qi.build = build
        outcome = state.pop_next_result(job.full_name) or {}
        interval = state.line_interval
    result = outcome.get("result") or "SUCCESS"
    duration = outcome.get("duration")
    started = time.time()

    def emit(line):
        with state.lock:
            build.log.extend((line + "\n").encode("utf-8"))

    steps = list(PIPELINE_STEPS)
    if duration is not None:
        interval = max(float(duration), 0.0) / (len(steps) + 1)
    emit("Started by user %s" % (qi.user or "anonymous"))
    for p in qi.params or []:
        value = p.get("value", "********")
        if isinstance(value, bool):
            value = "true" if value else "false"
        emit("%s=%s" % (p["name"], value))
    aborted = False
    for step in steps:
        if build.abort.wait(interval):
            aborted = True
            break
        emit(step)
        if step == "[Pipeline] echo":
            emit("Emulated build of %s #%d" % (job.full_name, build.number))
    hold = outcome.get("input")
    if not aborted and hold:
        aborted = wait_at_input(state, build, hold, emit)
    if not aborted and build.abort.wait(interval):
        aborted = True
    if aborted:
        emit("Aborted by %s" % (build.aborted_by or "anonymous"))
        result = "ABORTED"
    elif result == "FAILURE":
        emit("ERROR: emulated failure (set via /_emulator/next-result)")
    elif result == "UNSTABLE":
        emit("WARNING: emulated unstable result (set via /_emulator/next-result)")
    elif result == "ABORTED":
        emit("Aborted by %s" % (qi.user or "anonymous"))
    emit("Finished: %s" % result)
    with state.lock:
        build.result = result
        if duration is not None and not aborted:
            build.duration = int(float(duration) * 1000)
        else:
            build.duration = max(1, int((time.time() - started) * 1000))
        build.building = False


def input_id(message):
    """The id pipeline-input-step gives an input without one: the MD5 hex of its message, capitalised
    (InputStep: `capitalize(Util.getDigestOf(message))`; InputStepTest sees Ef95dd50… for
    "Is the build okay?")."""
    digest = hashlib.md5(message.encode("utf-8")).hexdigest()
    return digest[0].upper() + digest[1:]


def wait_at_input(state, build, hold, emit):
    """Pauses the build at an input step until it is proceeded or aborted (or the build is stopped).
    Returns True when the build was aborted."""
    message = hold.get("message") or "Proceed?"
    pending = {"id": hold.get("id") or input_id(message), "message": message, "ok": hold.get("ok"),
               "decision": None, "wake": threading.Event()}
    with state.lock:
        build.pending_input = pending
    emit("[Pipeline] input")
    emit(message)
    emit("%s or Abort" % (pending["ok"] or "Proceed"))
    while not pending["wake"].wait(0.05):
        if build.abort.is_set():
            break
    with state.lock:
        build.pending_input = None
        decision = pending["decision"]
    if decision == "proceed":
        emit("Approved by %s" % (pending.get("by") or "anonymous"))
        return False
    return True


# --------------------------------------------------------------------------- HTTP

def error_page(status, message, uri):
    m = html.escape(message, quote=False)
    return ("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
            "<title>Error %d %s</title>\n</head>\n<body><h2>HTTP ERROR %d %s</h2>\n<table>\n"
            "<tr><th>URI:</th><td>%s</td></tr>\n<tr><th>STATUS:</th><td>%d</td></tr>\n"
            "<tr><th>MESSAGE:</th><td>%s</td></tr>\n<tr><th>SERVLET:</th><td>Stapler</td></tr>\n"
            "</table>\n\n</body>\n</html>\n" % (status, m, status, m, html.escape(uri), status, m)
            ).encode("utf-8")


def auth_required_page(path):
    target = quote(path, safe="")
    return ("<html><head><meta http-equiv='refresh' content='1;url=/login?from=%s'/>"
            "<script id='redirect' data-redirect-url='/login?from=%s' src='/static/6c0f5d1c/scripts/redirect.js'>"
            "</script></head><body style='background-color:white; color:white;'>\n"
            "Authentication required\n<!--\n-->\n\n</body></html>" % (target, target)).encode("utf-8")


def simple_page(title):
    return ("<!DOCTYPE html><html><head><title>%s [Jenkins]</title></head>"
            "<body><h1>%s</h1></body></html>" % (html.escape(title), html.escape(title))).encode("utf-8")


def check_good_name(name):
    """jenkins.model.Jenkins.checkGoodName."""
    if name is None or name == "":
        raise Failure("No name is specified")
    if name.strip() in (".", ".."):
        raise Failure("'%s' is not an allowed name" % name.strip())
    for ch in name:
        if ord(ch) < 32 or 127 <= ord(ch) < 160:
            raise Failure("No control code is allowed: %s" % name.encode("unicode_escape").decode())
        if ch in UNSAFE_NAME_CHARS:
            raise Failure("'%s' is an unsafe character" % ch)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Jetty(10.0.20)"
    sys_version = ""
    timeout = 120

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("emulator: " + (fmt % args) + "\n")

    # -- plumbing -------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    @property
    def state(self):
        return self.server.state

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def respond(self, status, body=b"", content_type=CT_HTML, headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self._status = status
        self.log_request_entry()   # before the client can see the response
        self.send_response(status)
        self.send_header("X-Jenkins", JENKINS_VERSION)
        self.send_header("X-Hudson", "1.395")
        self.send_header("X-Jenkins-Session", self.server.instance_session)
        if body or status not in (201, 302, 303):
            self.send_header("Content-Type", content_type)
        for k, v in headers:
            # Header values must be ISO-8859-1; Jetty replaces what cannot be encoded.
            self.send_header(k, str(v).encode("latin-1", "replace").decode("latin-1"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def respond_json(self, obj, status=200, headers=()):
        indent = 2 if self.query.get("pretty") == "true" else None
        self.respond(status, json.dumps(obj, indent=indent, ensure_ascii=False), CT_JSON, headers)

    def redirect(self, location, status=302):
        self.respond(status, b"", headers=[("Location", location)])

    def root_url(self):
        host = self.headers.get("Host") or self.server.default_host
        return "http://%s/" % host

    def param(self, name):
        """Servlet getParameter: query string first, then an urlencoded form body."""
        for k, v in self.query_pairs + self.form_pairs:
            if k == name:
                return v
        return None

    def log_request_entry(self):
        if self._loggable and not self._logged:
            self._logged = True
            with self.state.lock:
                self.state.requests.append({
                    "method": self.command, "path": self.path, "status": self._status,
                    "has_crumb": self.has_crumb, "user": self.user})

    def dispatch(self):
        self._status = 0
        self._loggable = self._logged = False
        self.user = None
        self.has_crumb = False
        split = urlsplit(self.path)
        self.raw_path = split.path
        self.query_pairs = parse_qsl(split.query, keep_blank_values=True)
        self.query = dict(self.query_pairs)
        try:
            self.body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        ctype = (self.headers.get("Content-Type") or "").lower()
        self.form_pairs = []
        if ctype.startswith("application/x-www-form-urlencoded") and self.body:
            self.form_pairs = parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        self.segments = [unquote(s) for s in self.raw_path.split("/") if s]
        self._loggable = self.segments[:1] != ["_emulator"]
        if self.segments[:1] == ["_emulator"]:
            try:
                self.control(self.segments[1:])
            except HttpError as exc:
                self.respond_json({"error": exc.message}, exc.status)
            except Exception as exc:  # pragma: no cover - debugging aid
                self.respond_json({"error": repr(exc), "trace": traceback.format_exc()}, 500)
            return
        try:
            if self.apply_faults():
                self.handle_jenkins()
        except HttpError as exc:
            self.send_error_response(exc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            trace = traceback.format_exc()
            sys.stderr.write(trace)
            self.respond(500, error_page(500, "Emulator error: " + trace, self.raw_path))
        finally:
            self.log_request_entry()

    def send_error_response(self, exc):
        body = exc.body if exc.body is not None else error_page(exc.status, exc.message, self.raw_path)
        self.respond(exc.status, body, exc.content_type, exc.headers)

    def apply_faults(self):
        """Returns False when a fault answered (or dropped) the request."""
        fault = None
        with self.state.lock:
            for f in self.state.faults:
                if f["count"] != 0 and f["paths"] in self.path:
                    if f["count"] > 0:
                        f["count"] -= 1
                    fault = dict(f)
                    break
            self.state.faults = [f for f in self.state.faults if f["count"] != 0]
        if fault is None:
            return True
        if fault["delay_ms"]:
            time.sleep(fault["delay_ms"] / 1000.0)
        if fault["close"]:
            self._status = 0
            self.log_request_entry()
            self.close_connection = True
            return False
        if fault["status"]:
            reason = self.responses.get(fault["status"], ("Error",))[0]
            headers = [("Retry-After", str(fault["retry_after"]))] if fault.get("retry_after") is not None else []
            self.respond(fault["status"], error_page(fault["status"], fault.get("message") or reason,
                                                     self.raw_path), CT_HTML, headers)
            return False
        return True

    # -- security ---------------------------------------------------------
    def authenticate(self):
        header = self.headers.get("Authorization") or ""
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            user, _, token = decoded.partition(":")
            expected = self.state.users.get(user)
            if expected is None or not secrets.compare_digest(expected.encode(), token.encode()):
                msg = "Invalid password/token for user: %s" % user
                raise HttpError(401, msg, headers=[("WWW-Authenticate", 'Basic realm="Jenkins"')])
            self.user = user
            return
        self.user = None

    def require_read(self):
        if self.user is None and not (self.state.anonymous_read and self.command in ("GET", "HEAD")):
            raise HttpError(403, "Authentication required", body=auth_required_page(self.raw_path),
                            headers=[("X-You-Are-Authenticated-As", "anonymous"),
                                     ("X-You-Are-In-Group-Disabled", "JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose"),
                                     ("X-Required-Permission", "hudson.model.Hudson.Read"),
                                     ("X-Permission-Implied-By", "hudson.security.Permission.GenericRead"),
                                     ("X-Permission-Implied-By", "hudson.model.Hudson.Administer")])

    def session(self):
        cookie = self.headers.get("Cookie") or ""
        for part in cookie.split(";"):
            k, _, v = part.strip().partition("=")
            if k == self.state.cookie_name:
                return self.state.sessions.get(v)
        return None

    def check_crumb(self):
        crumb = self.headers.get("Jenkins-Crumb") or self.param("Jenkins-Crumb")
        self.has_crumb = crumb is not None
        if self.command != "POST" or not self.state.csrf:
            return
        if self.user is not None and self.headers.get("Authorization") and not self.state.crumb_required_with_token:
            return  # API-token requests are CSRF-exempt in current Jenkins
        with self.state.lock:
            sess = self.session()
            ok = (crumb is not None and sess is not None and sess.user == self.user
                  and secrets.compare_digest(sess.crumb.encode(), crumb.encode()))
        if not ok:
            raise HttpError(403, "No valid crumb was included in the request")

    # -- Jenkins routes -----------------------------------------------------
    def handle_jenkins(self):
        self.authenticate()
        seg = self.segments
        if seg[:1] == ["whoAmI"]:          # UnprotectedRootAction
            return self.who_am_i(seg[1:])
        self.require_read()
        self.check_crumb()
        st = self.state
        if not seg:
            return self.respond(200, simple_page("Dashboard"))
        if seg == ["api", "json"]:
            return self.api_json(st.root)
        if seg == ["me", "api", "json"]:
            return self.me()
        if seg == ["crumbIssuer", "api", "json"]:
            return self.crumb_issuer()
        if seg[0] == "queue":
            return self.queue_routes(seg[1:])
        if seg[:1] == ["pluginManager"] and seg[1:] == ["api", "json"]:
            return self.respond_json(self.plugins())
        if seg[0] == "view":
            return self.view_routes(st.root, seg[1:])
        if seg == ["createItem"]:
            return self.create_item(st.root)
        if seg[0] != "job":
            raise HttpError(404, "Not Found")
        with st.lock:
            node = st.root
            i = 0
            while i < len(seg) and seg[i] == "job":
                if i + 1 >= len(seg) or node.kind not in ("root", "folder"):
                    raise HttpError(404, "Not Found")
                child = node.child(seg[i + 1])
                if child is None:
                    raise HttpError(404, "Not Found")
                node = child
                i += 2
        return self.item_routes(node, seg[i:])

    def who_am_i(self, rest):
        if rest == ["api", "json"]:
            name = self.user or "anonymous"
            return self.respond_json({
                "_class": "hudson.security.WhoAmI", "anonymous": self.user is None,
                "authenticated": True, "authorities": ["authenticated"] if self.user else ["anonymous"],
                "details": None, "name": name,
                "toString": "UsernamePasswordAuthenticationToken [Principal=%s, Authenticated=true]" % name})
        if rest == []:
            return self.respond(200, simple_page("Who Am I?"))
        raise HttpError(404, "Not Found")

    def me(self):
        if self.user is None:
            raise HttpError(404, "Not Found")
        return self.respond_json({
            "_class": "hudson.model.User", "absoluteUrl": self.root_url() + "user/" + quote(self.user),
            "description": None, "fullName": self.user, "id": self.user, "property": []})

    def crumb_issuer(self):
        if not self.state.csrf:
            raise HttpError(404, "Not Found")
        headers = []
        with self.state.lock:
            sess = self.session()
            if sess is None or sess.user != self.user:
                sess = Session(self.user)
                self.state.sessions[sess.id] = sess
                headers.append(("Set-Cookie", "%s=%s; Path=/; HttpOnly" % (self.state.cookie_name, sess.id)))
            crumb = sess.crumb
        return self.respond_json({"_class": "hudson.security.csrf.DefaultCrumbIssuer",
                                  "crumb": crumb, "crumbRequestField": "Jenkins-Crumb"}, headers=headers)

    def plugins(self):
        return {"_class": "hudson.LocalPluginManager", "plugins": [
            {"active": True, "backupVersion": None, "bundled": False, "deleted": False,
             "dependencies": [], "downgradable": False, "enabled": True, "hasUpdate": False,
             "longName": long_name, "pinned": False, "requiredCoreVersion": "2.440.3",
             "shortName": short, "supportsDynamicLoad": "MAYBE",
             "url": "https://plugins.jenkins.io/%s" % short, "version": version}
            for short, long_name, version in PLUGINS]}

    def api_json(self, model):
        tree = self.query.get("tree")
        spec = None
        if tree is not None:
            try:
                spec = parse_tree(tree)
            except (ValueError, IndexError) as exc:
                raise HttpError(400, "Malformed tree expression: %s" % exc)
        with self.state.lock:
            ctx = Ctx(self.root_url())
            ctx.state = self.state
            data = export(model, ctx, spec)
        return self.respond_json(data)

    def require_post(self):
        if self.command != "POST":
            raise HttpError(405, "POST is required for this operation",
                            headers=[("Allow", "POST")])

    def view_routes(self, owner, rest):
        if not rest or rest[0] not in ("all", "All"):
            raise HttpError(404, "Not Found")
        rest = rest[1:]
        if rest == []:
            return self.respond(200, simple_page("all"))
        if rest == ["api", "json"]:
            return self.api_json(AllView(owner))
        if rest == ["config.xml"]:
            if self.command == "POST":
                raise HttpError(500, "java.io.IOException: Cannot reconfigure the 'all' view")
            return self.respond(200, ALL_VIEW_XML, CT_XML)
        raise HttpError(404, "Not Found")

    # -- items ------------------------------------------------------------
    def create_item(self, parent):
        self.require_post()
        st = self.state
        ctype = self.headers.get("Content-Type")
        mode = self.param("mode")
        if ctype is None and mode != "copy":
            raise Failure("No Content-Type header set")
        is_xml = ctype is not None and ctype.lower().startswith(("application/xml", "text/xml"))
        name = self.param("name")
        if name is None:
            raise Failure("Query parameter 'name' is required")
        check_good_name(name)
        name = name.strip()
        with st.lock:
            if parent.kind not in ("root", "folder") or getattr(parent, "deleted", False):
                raise HttpError(404, "Not Found")
            if parent.child(name) is not None:
                raise Failure("A job already exists with the name '%s'" % name)
            if mode == "copy":
                src_name = self.param("from") or ""
                src = parent.child(src_name) or st.lookup(src_name)
                if src is None:
                    raise Failure("No such job: %s" % src_name)
                item = st.add_item(parent, name, src.config, src.tag)
            elif is_xml:
                tag, _ = parse_config(self.body)
                st.add_item(parent, name, self.body, tag)
                return self.respond(200, b"")
            else:
                if mode is None:
                    raise Failure("No mode given")
                template = CREATE_MODES.get(mode)
                if template is None:
                    raise Failure("No item type '%s' is known" % mode)
                data = template.encode("utf-8")
                item = st.add_item(parent, name, data, parse_config(data)[0])
            location = self.root_url() + item.url_path() + "configure"
        return self.redirect(location)

    def item_routes(self, item, rest):
        st = self.state
        if rest == []:
            return self.respond(200, simple_page(item.full_display_name()))
        action = rest[0]
        if rest == ["api", "json"]:
            return self.api_json(item)
        if rest == ["config.xml"]:
            if self.command == "POST":
                tag, _ = parse_config(self.body)
                with st.lock:
                    if tag != item.tag:
                        raise HttpError(500, "java.io.IOException: Expecting class %s but got class %s instead"
                                        % (item.jenkins_class, class_for_tag(tag)))
                    item.config = self.body
                return self.respond(200, b"")
            with st.lock:
                data = bytes(item.config)
            return self.respond(200, data, CT_XML)
        if rest == ["configure"]:
            return self.respond(200, simple_page(item.full_display_name() + " Config"))
        if rest == ["doDelete"]:
            self.require_post()
            with st.lock:
                parent = item.parent
                st.delete_item(item)
                location = self.root_url() + parent.url_path()
            return self.redirect(location)
        if rest == ["createItem"]:
            if item.kind != "folder":
                raise HttpError(404, "Not Found")
            return self.create_item(item)
        if action == "view" and item.kind == "folder":
            return self.view_routes(item, rest[1:])
        if item.kind == "folder":
            raise HttpError(404, "Not Found")
        if rest in (["build"], ["buildWithParameters"]):
            return self.trigger(item, action)
        if rest in (["enable"], ["disable"]):
            self.require_post()
            with st.lock:
                item.config = set_disabled(item.config, action == "disable")
                if action == "disable":
                    for q in st.waiting_items_for(item):
                        q.cancelled = True
                        q.wake.set()
                location = self.root_url() + item.url_path()
            return self.redirect(location)
        with st.lock:
            build = resolve_build(item, action)
        if build is None:
            raise HttpError(404, "Not Found")
        return self.build_routes(build, rest[1:])

    def trigger(self, job, action):
        self.require_post()
        st = self.state
        with st.lock:
            if job.disabled():
                raise HttpError(409, "java.io.IOException: %s is not buildable%s"
                                % (job.full_name, "!" if action == "buildWithParameters" else ""))
            defs = parameter_definitions(job.xml())
            if action == "buildWithParameters":
                if not defs:
                    raise HttpError(500, "java.lang.IllegalStateException: This build is not parameterized!")
                params = [self.param_value(d, self.param_values(d["name"])) for d in defs]
            elif defs:
                params = self.form_parameters(defs)
            else:
                params = None
            for q in st.waiting_items_for(job):
                if q.params == params:
                    # Queue.schedule2 folds duplicates into the existing item.
                    location = self.root_url() + "queue/item/%d/" % q.id
                    return self.redirect(location, 303 if action == "buildWithParameters" else 201)
            qi = QueueItem(st.next_queue_id, job, params, self.user, st.queue_delay)
            st.next_queue_id += 1
            st.queue[qi.id] = qi
            location = self.root_url() + "queue/item/%d/" % qi.id
        threading.Thread(target=run_queue_item, args=(st, qi), daemon=True,
                         name="queue-item-%d" % qi.id).start()
        return self.redirect(location, 201)

    def param_values(self, name):
        return [v for k, v in self.query_pairs + self.form_pairs if k == name]

    def param_value(self, d, values):
        kind = d["kind"]
        out_class = {"BooleanParameterDefinition": "hudson.model.BooleanParameterValue",
                     "TextParameterDefinition": "hudson.model.TextParameterValue",
                     "PasswordParameterDefinition": "hudson.model.PasswordParameterValue"
                     }.get(kind, "hudson.model.StringParameterValue")
        raw = values[0] if values else d["default"]
        raw = "" if raw is None else raw
        out = {"_class": out_class, "name": d["name"]}
        if kind == "BooleanParameterDefinition":
            out["value"] = raw.strip().lower() == "true"
        elif kind == "ChoiceParameterDefinition":
            if values and raw not in (d["choices"] or []):
                raise HttpError(500, "java.lang.IllegalArgumentException: Illegal choice for parameter %s: %s"
                                % (d["name"], raw))
            out["value"] = raw
        elif kind == "PasswordParameterDefinition":
            out["__secret"] = raw   # never exported, like PasswordParameterValue
        else:
            out["value"] = raw.strip() if d["trim"] else raw
        return out

    def form_parameters(self, defs):
        """``POST build`` on a parameterized job: needs form field json={"parameter":[...]}."""
        submitted = self.param("json")
        if submitted is None:
            raise HttpError(400, "Nothing is submitted")
        try:
            form = json.loads(submitted)
        except ValueError:
            raise HttpError(400, "Failed to parse JSON:" + submitted)
        entries = form.get("parameter", []) if isinstance(form, dict) else []
        if isinstance(entries, dict):
            entries = [entries]
        by_name = {d["name"]: d for d in defs}
        params = []
        for e in entries:
            d = by_name.get(e.get("name"))
            if d is None:
                raise HttpError(500, "java.lang.IllegalArgumentException: No such parameter definition: %s"
                                % e.get("name"))
            params.append(self.param_value(d, [str(e.get("value", ""))]))
        return params

    # -- builds -----------------------------------------------------------
    def build_routes(self, build, rest):
        st = self.state
        if rest == []:
            return self.respond(200, simple_page("%s #%d" % (build.job.full_display_name(), build.number)))
        if rest == ["api", "json"]:
            return self.api_json(build)
        if rest == ["consoleText"]:
            with st.lock:
                text = bytes(build.log)
            return self.respond(200, text, CT_TEXT)
        if rest == ["logText", "progressiveText"]:
            start_raw = self.param("start")
            try:
                start = int(start_raw) if start_raw not in (None, "") else 0
            except ValueError:
                raise HttpError(500, "java.lang.NumberFormatException: For input string: \"%s\"" % start_raw)
            with st.lock:
                text = bytes(build.log)
                building = build.building
            if start > len(text) or start < 0:
                start = 0   # LargeText: "text rolled over"
            headers = [("X-Text-Size", str(len(text)))]
            if building:
                headers.append(("X-More-Data", "true"))
            return self.respond(200, text[start:], CT_TEXT, headers)
        if rest[:1] in (["wfapi"], ["input"]):
            return self.input_routes(build, rest)
        if rest == ["stop"]:
            self.require_post()
            with st.lock:
                if build.building:
                    build.aborted_by = self.user
                    build.abort.set()
                location = self.root_url() + build.url_path()
            return self.redirect(location)
        if rest == ["doDelete"]:
            self.require_post()
            with st.lock:
                if build.building:
                    raise HttpError(400, "Unable to delete a build that is in progress")
                build.job.builds.pop(build.number, None)
                location = self.root_url() + build.job.url_path()
            return self.redirect(location)
        raise HttpError(404, "Not Found")

    # -- input steps (pipeline-input-step, and pipeline-stage-view's wfapi) ----
    def input_routes(self, build, rest):
        """`wfapi/pendingInputActions` lists the input a build waits at in PendingInputActionsExt's
        shape; `wfapi/inputSubmit?inputId=`, `input/ID/proceedEmpty` and `input/ID/abort` decide it."""
        st = self.state
        with st.lock:
            pending = build.pending_input
            base = "/" + build.url_path()
        if rest == ["wfapi", "pendingInputActions"]:
            if pending is None:
                return self.respond_json([])
            action = {"id": pending["id"], "message": pending["message"], "inputs": [],
                      "proceedUrl": base + "wfapi/inputSubmit?inputId=" + quote(pending["id"], safe=""),
                      "abortUrl": base + "input/" + quote(pending["id"], safe="") + "/abort",
                      "redirectApprovalUrl": base + "input/"}
            if pending["ok"]:
                action["proceedText"] = pending["ok"]
            return self.respond_json([action])
        if rest == ["input"] or rest == ["input", ""]:
            if pending is None:
                raise HttpError(404, "Not Found")
            return self.respond(200, simple_page(pending["message"]))
        if rest == ["wfapi", "inputSubmit"]:
            return self.decide(build, pending, self.param("inputId"), "proceed")
        if len(rest) == 3 and rest[0] == "input" and rest[2] in ("proceedEmpty", "abort"):
            return self.decide(build, pending, unquote(rest[1]), "proceed" if rest[2] == "proceedEmpty" else "abort")
        raise HttpError(404, "Not Found")

    def decide(self, build, pending, wanted, decision):
        self.require_post()
        if pending is None or wanted != pending["id"]:
            raise HttpError(404, "Not Found")
        with self.state.lock:
            pending["decision"] = decision
            pending["by"] = self.user
            pending["wake"].set()
        return self.redirect(self.root_url() + build.url_path())

    # -- queue ------------------------------------------------------------
    def queue_routes(self, rest):
        st = self.state
        if rest == ["api", "json"]:
            with st.lock:
                items = [q for q in st.queue.values() if q.waiting]
            return self.api_json(QueueModel(items))
        if rest == ["cancelItem"]:
            self.require_post()
            raw = self.param("id")
            try:
                qid = int(raw)
            except (TypeError, ValueError):
                raise HttpError(400, "Missing or invalid parameter: id")
            with st.lock:
                q = st.queue.get(qid)
                if q is None:
                    raise HttpError(404, "Provided id (%d) not found" % qid)
                if not q.waiting:
                    raise HttpError(500, "Could not cancel run for id %d" % qid)
                q.cancelled = True
                q.wake.set()
            return self.respond(204, b"")
        if len(rest) >= 2 and rest[0] == "item":
            try:
                qid = int(rest[1])
            except ValueError:
                raise HttpError(404, "Not Found")
            with st.lock:
                q = st.queue.get(qid)
            if q is None:
                raise HttpError(404, "Not Found")
            if rest[2:] == ["api", "json"]:
                return self.api_json(q)
            if rest[2:] == []:
                return self.respond(200, simple_page("Queue item %d" % qid))
        raise HttpError(404, "Not Found")

    # -- control ----------------------------------------------------------
    def control_json(self):
        if not self.body:
            return {}
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as exc:
            raise HttpError(400, "invalid JSON: %s" % exc)

    def control(self, rest):
        st = self.state
        cmd = "/".join(rest)
        post = self.command == "POST"
        if cmd == "requests" and not post:
            with st.lock:
                return self.respond_json(list(st.requests))
        if cmd == "items" and not post:
            with st.lock:
                items = {i.full_name: {"kind": i.kind, "config": i.config.decode("utf-8", "replace")}
                         for i in st.all_items()}
            return self.respond_json(items)
        if cmd == "faults" and not post:
            with st.lock:
                return self.respond_json(list(st.faults))
        if cmd == "config" and not post:
            with st.lock:
                return self.respond_json({"queue_delay": st.queue_delay, "line_interval": st.line_interval})
        if not post:
            raise HttpError(404 if cmd not in ("reset", "faults", "seed", "next-result", "expire-crumbs",
                                               "config", "wipe", "release-queue") else 405, "unknown control endpoint")
        data = self.control_json()
        if cmd == "reset":
            with st.lock:
                st.requests.clear()
                st.faults.clear()
                st.next_results.clear()
            return self.respond_json({"ok": True})
        if cmd == "release-queue":
            with st.lock:
                released = [q.id for q in st.queue.values() if q.waiting]
                for q in st.queue.values():
                    if q.waiting:
                        q.wake.set()
            return self.respond_json({"ok": True, "released": released})
        if cmd == "expire-crumbs":
            with st.lock:
                st.sessions.clear()
            return self.respond_json({"ok": True})
        if cmd == "faults":
            rules = data if isinstance(data, list) else [data]
            parsed = []
            for r in rules:
                if not isinstance(r, dict):
                    raise HttpError(400, "fault must be an object")
                try:
                    parsed.append({"status": int(r.get("status", 0) or 0),
                                   "count": int(r.get("count", 1)),
                                   "paths": str(r.get("paths") or ""),
                                   "delay_ms": int(r.get("delay_ms", 0) or 0),
                                   "close": bool(r.get("close", False)),
                                   "message": r.get("message"),
                                   "retry_after": r.get("retry_after")})
                except (TypeError, ValueError) as exc:
                    raise HttpError(400, "bad fault: %s" % exc)
            with st.lock:
                st.faults.extend(parsed)
            return self.respond_json({"ok": True, "faults": parsed})
        if cmd == "next-result":
            result = str(data.get("result") or "SUCCESS").upper()
            if result not in VALID_RESULTS:
                raise HttpError(400, "result must be one of %s" % sorted(VALID_RESULTS))
            entry = {"result": result, "duration": data.get("duration")}
            if data.get("input") is not None:
                if not isinstance(data["input"], dict):
                    raise HttpError(400, "input must be an object {message, ok, id}")
                entry["input"] = {k: data["input"].get(k) for k in ("message", "ok", "id")}
            if entry["duration"] is not None:
                try:
                    entry["duration"] = float(entry["duration"])
                except (TypeError, ValueError):
                    raise HttpError(400, "duration must be a number of seconds")
            with st.lock:
                st.next_results.setdefault(str(data.get("job") or "").strip("/"), []).append(entry)
            return self.respond_json({"ok": True})
        if cmd == "config":
            with st.lock:
                for key in ("queue_delay", "line_interval"):
                    if key in data:
                        try:
                            setattr(st, key, max(0.0, float(data[key])))
                        except (TypeError, ValueError):
                            raise HttpError(400, "%s must be a number" % key)
                return self.respond_json({"queue_delay": st.queue_delay, "line_interval": st.line_interval})
        if cmd == "seed":
            if not isinstance(data, dict):
                raise HttpError(400, "seed expects {fullName: config_xml}")
            with st.lock:
                for full_name in sorted(data, key=lambda n: n.count("/")):
                    self.seed_item(full_name.strip("/"), data[full_name])
            return self.respond_json({"ok": True, "items": sorted(data)})
        if cmd == "wipe":
            with st.lock:
                for item in st.root.child_list():
                    st.delete_item(item)
            return self.respond_json({"ok": True})
        raise HttpError(404, "unknown control endpoint")

    def seed_item(self, full_name, config):
        st = self.state
        parts = full_name.split("/")
        node = st.root
        for i, part in enumerate(parts):
            try:
                check_good_name(part)
            except HttpError as exc:
                raise HttpError(400, "%s: %s" % (full_name, exc.message))
            last = i == len(parts) - 1
            child = node.child(part)
            if last:
                data = config.encode("utf-8") if isinstance(config, str) else bytes(config)
                try:
                    tag, _ = parse_config(data)
                except HttpError as exc:
                    raise HttpError(400, "%s: %s" % (full_name, exc.message))
                if child is not None and child.tag == tag:
                    child.config = data
                else:
                    if child is not None:
                        st.delete_item(child)
                    st.add_item(node, part, data, tag)
            else:
                if child is None:
                    child = st.add_item(node, part, EMPTY_FOLDER_XML.encode("utf-8"), FOLDER_CLASS)
                elif child.kind != "folder":
                    raise HttpError(400, "%s: %s is not a folder" % (full_name, child.full_name))
                node = child


def resolve_build(job, ref):
    builds = job.sorted_builds()
    permalinks = {
        "lastBuild": lambda b: True,
        "lastCompletedBuild": lambda b: not b.building,
        "lastSuccessfulBuild": lambda b: b.result in ("SUCCESS", "UNSTABLE"),
        "lastStableBuild": lambda b: b.result == "SUCCESS",
        "lastFailedBuild": lambda b: b.result == "FAILURE",
        "lastUnstableBuild": lambda b: b.result == "UNSTABLE",
        "lastUnsuccessfulBuild": lambda b: not b.building and b.result != "SUCCESS",
    }
    if ref in permalinks:
        return next((b for b in builds if permalinks[ref](b)), None)
    if ref.isdigit():
        return job.builds.get(int(ref))
    return None


def set_disabled(config, disabled):
    value = b"true" if disabled else b"false"
    if re.search(rb"<disabled>\s*(true|false)\s*</disabled>", config):
        return re.sub(rb"<disabled>\s*(true|false)\s*</disabled>", b"<disabled>" + value + b"</disabled>",
                      config, count=1)
    m = re.search(rb"</[^>]+>\s*$", config)
    if m is None:
        return config
    return config[:m.start()] + b"  <disabled>" + value + b"</disabled>\n" + config[m.start():]


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description="Jenkins REST API emulator (test support)")
    p.add_argument("--port", type=int, default=0, help="TCP port, 0 picks a free one")
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    p.add_argument("--user", action="append", default=[], metavar="NAME:TOKEN",
                   help="user and API token (repeatable); default admin:admin-token")
    p.add_argument("--no-csrf", action="store_true", help="disable the crumb issuer / CSRF protection")
    p.add_argument("--anonymous-read", action="store_true", help="allow unauthenticated GET requests")
    p.add_argument("--crumb-required-with-token", action=argparse.BooleanOptionalAction, default=True,
                   help="require a crumb on POSTs even with API-token auth (default: on; real "
                        "Jenkins exempts token-authenticated requests)")
    p.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = p.parse_args(argv)
    users = []
    for spec in args.user or ["admin:admin-token"]:
        name, sep, token = spec.partition(":")
        if not sep or not name:
            p.error("--user expects NAME:TOKEN, got %r" % spec)
        users.append((name, token))
    args.users = users
    host = args.host
    if host == "localhost":
        host = "127.0.0.1"
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        p.error("--host must be a loopback IP address")
    if not addr.is_loopback:
        p.error("--host must be a loopback address (got %s)" % host)
    args.host = host
    args.ipv6 = addr.version == 6
    return args


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Server6(Server):
    address_family = socket.AF_INET6


def main(argv=None):
    # A parent may start us with SIGTERM blocked (the mask is inherited across exec; test runners block
    # signals in their threads), which would make the emulator unkillable except by SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    args = parse_args(sys.argv[1:] if argv is None else argv)
    cls = Server6 if args.ipv6 else Server
    server = cls((args.host, args.port), Handler)
    port = server.server_address[1]
    host_for_url = "[%s]" % args.host if args.ipv6 else args.host
    server.state = State(args)
    server.verbose = args.verbose
    server.default_host = "%s:%d" % (host_for_url, port)
    server.instance_session = secrets.token_hex(4)
    sys.stdout.write("READY http://%s:%d\n" % (host_for_url, port))
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
