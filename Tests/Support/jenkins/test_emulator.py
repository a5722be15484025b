"""Fidelity tests for emulator.py, driven by real, unmodified clients.

python-jenkins and jenkins-job-builder talk to the emulator exactly as they would
talk to a real Jenkins; raw urllib/http.client tests pin protocol details.
Run: python3 -m pytest -q Tests/Support/jenkins
"""

import base64
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import jenkins
import pytest

HERE = Path(__file__).resolve().parent
EMULATOR = HERE / "emulator.py"
USER, TOKEN = "admin", "11f3c1a9d2b7e4f5a6b7c8d9e0f1a2b3c4"

PIPELINE_XML = """<?xml version='1.1' encoding='UTF-8'?>
<flow-definition plugin="workflow-job@1436.vfa_244484591f">
  <description>Release pipeline – café ✓</description>
  <keepDependencies>false</keepDependencies>
  <properties>
    <hudson.model.ParametersDefinitionProperty>
      <parameterDefinitions>
        <hudson.model.StringParameterDefinition>
          <name>VERSION</name>
          <defaultValue>0.0.1</defaultValue>
          <trim>true</trim>
        </hudson.model.StringParameterDefinition>
        <hudson.model.BooleanParameterDefinition>
          <name>DRY_RUN</name>
          <defaultValue>true</defaultValue>
        </hudson.model.BooleanParameterDefinition>
      </parameterDefinitions>
    </hudson.model.ParametersDefinitionProperty>
  </properties>
  <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">
    <script>echo "releasing ${params.VERSION}"</script>
    <sandbox>true</sandbox>
  </definition>
  <triggers/>
  <disabled>false</disabled>
</flow-definition>
"""
PLAIN_PIPELINE_XML = "<flow-definition><description>no params</description></flow-definition>"


# --------------------------------------------------------------------------- harness

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class Emulator:
    def __init__(self, proc, url):
        self.proc, self.url = proc, url
        self.port = int(url.rsplit(":", 1)[1])

    def http(self, method, path, body=None, headers=None, auth=(USER, TOKEN)):
        """Raw urllib request; never raises on HTTP errors, never follows redirects."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        req = urllib.request.Request(self.url + path, data=body, method=method)
        if auth is not None:
            cred = base64.b64encode(("%s:%s" % auth).encode()).decode()
            req.add_header("Authorization", "Basic " + cred)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with OPENER.open(req, timeout=10) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def control(self, path, data=None):
        method = "GET" if data is None else "POST"
        r = self.http(method, "/_emulator/" + path,
                      None if data is None else json.dumps(data), auth=None)
        assert r.status == 200, (path, r.status, r.body)
        return r.json()

    def requests(self):
        return self.control("requests")

    def items(self):
        return self.control("items")

    def crumb(self, auth=(USER, TOKEN)):
        """Fetches a crumb; returns headers (crumb + session cookie) for a POST."""
        r = self.http("GET", "/crumbIssuer/api/json", auth=auth)
        assert r.status == 200
        cookie = r.headers["Set-Cookie"].split(";")[0]
        return {"Jenkins-Crumb": r.json()["crumb"], "Cookie": cookie}

    def client(self, user=USER, token=TOKEN):
        return jenkins.Jenkins(self.url, username=user, password=token, timeout=10)


def start_emulator(*extra):
    proc = subprocess.Popen(
        [sys.executable, str(EMULATOR), "--port", "0", "--user", "%s:%s" % (USER, TOKEN),
         "--user", "viewer:viewer-token", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not re.fullmatch(r"READY http://127\.0\.0\.1:\d+", line):
        proc.kill()
        raise RuntimeError("emulator did not start: %r %s" % (line, proc.stderr.read()))
    return Emulator(proc, line.split(" ", 1)[1])


@pytest.fixture
def make_emulator():
    started = []

    def make(*extra, fast=True):
        emu = start_emulator(*extra)
        started.append(emu)
        if fast:
            emu.control("config", {"queue_delay": 0.1, "line_interval": 0.01})
        return emu

    yield make
    for emu in started:
        emu.proc.kill()
        emu.proc.wait(timeout=5)
        emu.proc.stdout.close()
        emu.proc.stderr.close()


@pytest.fixture
def emu(make_emulator):
    return make_emulator()


def wait_for(fn, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %ss" % timeout)
        time.sleep(interval)


def wait_for_build(client, name, queue_id):
    item = wait_for(lambda: (lambda q: q if q.get("executable") else None)(client.get_queue_item(queue_id)))
    number = item["executable"]["number"]
    info = wait_for(lambda: (lambda b: b if not b["building"] else None)(client.get_build_info(name, number)))
    return number, info


# --------------------------------------------------------------------------- startup

def test_ready_line_and_loopback_only(emu):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)
    bad = subprocess.run([sys.executable, str(EMULATOR), "--port", "0", "--host", "0.0.0.0"],
                         capture_output=True, text=True, timeout=10)
    assert bad.returncode != 0 and "loopback" in bad.stderr and bad.stdout == ""


# --------------------------------------------------------------------------- python-jenkins

def test_python_jenkins_whoami_and_version(emu):
    j = emu.client()
    assert j.get_whoami()["id"] == USER
    assert j.get_version() == "2.462.3"
    who = emu.http("GET", "/whoAmI/api/json").json()
    assert who["name"] == USER and who["authenticated"] is True and who["anonymous"] is False


def test_python_jenkins_get_version_first_call_is_anonymous(make_emulator):
    # python-jenkins' get_version() does not attach credentials until another call resolved
    # auth, so on a secured Jenkins (anonymous has no Overall/Read) it fails with a 403.
    emu = make_emulator()
    with pytest.raises(jenkins.BadHTTPException):
        emu.client().get_version()
    assert emu.requests()[-1] == {"method": "GET", "path": "/", "status": 403,
                                  "has_crumb": False, "user": None}
    open_emu = make_emulator("--anonymous-read")
    assert open_emu.client().get_version() == "2.462.3"


def test_python_jenkins_folders_jobs_config_roundtrip(emu):
    j = emu.client()
    j.create_folder("release")
    j.create_folder("release/ios")              # a folder inside a folder
    j.create_job("release/ios/deploy", PIPELINE_XML)
    j.create_job("top-level", PLAIN_PIPELINE_XML)

    assert j.job_exists("release/ios/deploy")
    assert not j.job_exists("release/ios/missing")
    assert j.get_job_name("release/ios/deploy") == "deploy"
    assert j.is_folder("release") and j.is_folder("release/ios")
    assert j.get_job_config("release/ios/deploy") == PIPELINE_XML
    assert emu.items()["release/ios/deploy"] == {"kind": "job", "config": PIPELINE_XML}
    assert emu.items()["release/ios"]["kind"] == "folder"

    info = j.get_job_info("release/ios/deploy")
    assert info["_class"] == "org.jenkinsci.plugins.workflow.job.WorkflowJob"
    assert info["fullName"] == "release/ios/deploy"
    assert info["name"] == "deploy"
    assert info["url"] == emu.url + "/job/release/job/ios/job/deploy/"
    assert info["description"] == "Release pipeline – café ✓"
    assert info["color"] == "notbuilt" and info["buildable"] is True
    assert info["builds"] == [] and info["lastBuild"] is None and info["nextBuildNumber"] == 1
    assert info["inQueue"] is False
    [prop] = info["property"]
    assert [d["name"] for d in prop["parameterDefinitions"]] == ["VERSION", "DRY_RUN"]

    folder = j.get_job_info("release")
    assert folder["_class"] == "com.cloudbees.hudson.plugins.folder.Folder"
    assert folder["jobs"] == [{"_class": "com.cloudbees.hudson.plugins.folder.Folder", "name": "ios",
                               "url": emu.url + "/job/release/job/ios/"}]

    changed = PIPELINE_XML.replace("<sandbox>true</sandbox>", "<sandbox>false</sandbox>")
    j.reconfig_job("release/ios/deploy", changed)
    assert j.get_job_config("release/ios/deploy") == changed

    all_jobs = j.get_all_jobs()
    assert sorted(job["fullname"] for job in all_jobs) == [
        "release", "release/ios", "release/ios/deploy", "top-level"]
    deploy = next(job for job in all_jobs if job["fullname"] == "release/ios/deploy")
    assert deploy["color"] == "notbuilt" and deploy["url"].endswith("/job/release/job/ios/job/deploy/")
    assert sorted(job["fullname"] for job in j.get_jobs(folder_depth=0)) == ["release", "top-level"]
    assert j.jobs_count() == 4


def test_python_jenkins_errors_for_existing_and_missing(emu):
    j = emu.client()
    j.create_folder("f")
    j.create_job("f/job", PLAIN_PIPELINE_XML)
    with pytest.raises(jenkins.JenkinsException, match="already exists"):
        j.create_job("f/job", PLAIN_PIPELINE_XML)
    with pytest.raises(jenkins.JenkinsException, match="Probably it already exists"):
        j.create_folder("f")
    with pytest.raises(jenkins.JenkinsException, match="folder for the job does not exist"):
        j.create_job("nope/job", PLAIN_PIPELINE_XML)
    with pytest.raises(jenkins.JenkinsException, match="does not exist"):
        j.get_job_info("f/other")


def test_python_jenkins_delete_job_and_folder(emu):
    j = emu.client()
    j.create_folder("f")
    j.create_folder("f/g")
    j.create_job("f/g/job", PLAIN_PIPELINE_XML)
    j.create_job("f/keep", PLAIN_PIPELINE_XML)
    j.delete_job("f/keep")
    assert not j.job_exists("f/keep")
    assert j.job_exists("f/g/job")
    j.delete_job("f")                           # folders are deleted recursively
    assert not j.job_exists("f") and not j.job_exists("f/g/job")
    assert emu.items() == {}
    posts = [r for r in emu.requests() if r["method"] == "POST"]
    assert [r["status"] for r in posts if r["path"].endswith("/doDelete")] == [302, 302]


def test_python_jenkins_build_queue_and_console(emu):
    j = emu.client()
    j.create_folder("rel")
    j.create_job("rel/deploy", PIPELINE_XML)
    emu.control("config", {"queue_delay": 60})         # stays waiting until released
    queue_id = j.build_job("rel/deploy", {"VERSION": " 2.0.0 ", "DRY_RUN": "false", "UNDECLARED": "x"})
    assert isinstance(queue_id, int)

    waiting = j.get_queue_item(queue_id)
    assert waiting["_class"] == "hudson.model.Queue$WaitingItem"
    assert waiting["id"] == queue_id and waiting["why"] and waiting["cancelled"] is False
    assert waiting["task"]["name"] == "deploy"
    # Jenkins keeps only declared parameters (trimmed when trim=true), typed by definition.
    assert waiting["actions"][0]["parameters"] == [
        {"_class": "hudson.model.StringParameterValue", "name": "VERSION", "value": "2.0.0"},
        {"_class": "hudson.model.BooleanParameterValue", "name": "DRY_RUN", "value": False}]
    assert [i["id"] for i in j.get_queue_info()] == [queue_id]
    assert j.get_job_info("rel/deploy")["inQueue"] is True
    assert j.get_job_info("rel/deploy")["queueItem"]["id"] == queue_id

    assert emu.control("release-queue", {})["released"] == [queue_id]
    number, info = wait_for_build(j, "rel/deploy", queue_id)
    left = j.get_queue_item(queue_id)
    assert left["_class"] == "hudson.model.Queue$LeftItem" and left["cancelled"] is False
    assert left["executable"]["url"] == emu.url + "/job/rel/job/deploy/%d/" % number
    assert number == 1
    assert info["_class"] == "org.jenkinsci.plugins.workflow.job.WorkflowRun"
    assert info["result"] == "SUCCESS" and info["building"] is False
    assert info["fullDisplayName"] == "rel » deploy #1"
    assert info["duration"] > 0 and info["timestamp"] > 0
    params = next(a for a in info["actions"] if a.get("_class") == "hudson.model.ParametersAction")
    assert {p["name"]: p["value"] for p in params["parameters"]} == {"VERSION": "2.0.0", "DRY_RUN": False}

    console = j.get_build_console_output("rel/deploy", number)
    lines = console.splitlines()
    assert lines[0] == "Started by user admin"
    assert "VERSION=2.0.0" in lines and "DRY_RUN=false" in lines
    assert any(line.startswith("[Pipeline] ") for line in lines)
    assert lines[-1] == "Finished: SUCCESS"

    job = j.get_job_info("rel/deploy")
    assert job["color"] == "blue" and job["lastBuild"]["number"] == 1
    assert job["lastCompletedBuild"]["number"] == 1 and job["nextBuildNumber"] == 2
    assert emu.http("GET", "/job/rel/job/deploy/lastBuild/api/json").json()["number"] == 1

    emu.control("config", {"queue_delay": 0.05})
    emu.control("next-result", {"job": "rel/deploy", "result": "FAILURE", "duration": 0.2})
    queue_id = j.build_job("rel/deploy", {"VERSION": "2.0.1"})
    number, info = wait_for_build(j, "rel/deploy", queue_id)
    assert number == 2 and info["result"] == "FAILURE" and info["duration"] == 200
    assert j.get_build_console_output("rel/deploy", 2).endswith("Finished: FAILURE\n")
    job = j.get_job_info("rel/deploy")
    assert job["color"] == "red" and job["lastSuccessfulBuild"]["number"] == 1
    assert job["lastFailedBuild"]["number"] == 2
    assert [b["number"] for b in job["builds"]] == [2, 1]


def test_python_jenkins_cancel_queue_and_stop_build(emu):
    j = emu.client()
    j.create_job("deploy", PIPELINE_XML)
    emu.control("config", {"queue_delay": 30})
    queue_id = j.build_job("deploy", {"VERSION": "1"})
    j.cancel_queue(queue_id)
    item = j.get_queue_item(queue_id)
    assert item["cancelled"] is True and item["executable"] is None
    assert item["_class"] == "hudson.model.Queue$LeftItem"
    assert j.get_queue_info() == []
    assert emu.http("POST", "/queue/cancelItem?id=%d" % queue_id,
                    headers=emu.crumb()).status == 500      # a left item is not cancellable
    assert emu.http("POST", "/queue/cancelItem?id=999", headers=emu.crumb()).status == 404
    with pytest.raises(jenkins.JenkinsException, match="does not exist"):
        j.get_queue_item(999)

    emu.control("config", {"queue_delay": 0.05})
    emu.control("next-result", {"job": "deploy", "result": "SUCCESS", "duration": 20})
    queue_id = j.build_job("deploy", {"VERSION": "2"})
    number = wait_for(lambda: (j.get_queue_item(queue_id).get("executable") or {}).get("number"))
    assert j.get_build_info("deploy", number)["building"] is True
    assert j.get_job_info("deploy")["color"] == "notbuilt_anime"
    j.stop_build("deploy", number)
    info = wait_for(lambda: (lambda b: b if not b["building"] else None)(j.get_build_info("deploy", number)),
                    timeout=5)
    assert info["result"] == "ABORTED"
    assert j.get_build_console_output("deploy", number).endswith("Finished: ABORTED\n")
    assert j.get_job_info("deploy")["nextBuildNumber"] == number + 1 == 2


def test_python_jenkins_wrong_token(emu):
    j = emu.client(token="not-the-token")
    with pytest.raises(jenkins.JenkinsException) as exc:
        j.get_whoami()
    message = str(exc.value)
    assert "[401]" in message and "Invalid password/token for user: admin" in message
    unknown = emu.client(user="mallory", token="x")
    with pytest.raises(jenkins.JenkinsException, match="Invalid password/token for user: mallory"):
        unknown.get_all_jobs()


def test_python_jenkins_csrf_crumbs_and_expiry(emu):
    j = emu.client()
    j.create_job("one", PLAIN_PIPELINE_XML)
    log = emu.requests()
    assert [r["path"] for r in log].count("/crumbIssuer/api/json") == 1   # crumb is cached
    post = next(r for r in log if r["method"] == "POST")
    assert post["has_crumb"] is True and post["status"] == 200 and post["user"] == USER

    emu.control("expire-crumbs", {})
    # python-jenkins caches the crumb for the life of the client and never refreshes it,
    # so after the crumb expired every POST from this client fails with 403.
    with pytest.raises(jenkins.JenkinsException) as exc:
        j.reconfig_job("one", PLAIN_PIPELINE_XML.replace("no params", "changed"))
    assert "[403]" in str(exc.value) and "No valid crumb was included in the request" in str(exc.value)
    assert emu.items()["one"]["config"] == PLAIN_PIPELINE_XML
    # A fresh client fetches a new crumb and works again.
    emu.client().reconfig_job("one", PLAIN_PIPELINE_XML.replace("no params", "changed"))
    assert "changed" in emu.items()["one"]["config"]


def test_crumb_bound_to_session_raw(emu):
    headers = emu.crumb()
    xml_headers = dict(headers, **{"Content-Type": "application/xml"})
    ok = emu.http("POST", "/createItem?name=a", PLAIN_PIPELINE_XML, xml_headers)
    assert ok.status == 200
    # The same crumb is issued again for the same session.
    again = emu.http("GET", "/crumbIssuer/api/json", headers={"Cookie": headers["Cookie"]})
    assert again.json()["crumb"] == headers["Jenkins-Crumb"] and "Set-Cookie" not in again.headers
    assert again.json()["crumbRequestField"] == "Jenkins-Crumb"
    assert again.json()["_class"] == "hudson.security.csrf.DefaultCrumbIssuer"
    assert re.fullmatch(r"JSESSIONID\.[0-9a-f]{8}=[^;]+", headers["Cookie"])

    for bad in ({}, {"Jenkins-Crumb": headers["Jenkins-Crumb"]},          # no crumb / no session
                {"Cookie": headers["Cookie"], "Jenkins-Crumb": "0" * 64}):  # wrong crumb
        r = emu.http("POST", "/createItem?name=b", PLAIN_PIPELINE_XML,
                     dict(bad, **{"Content-Type": "application/xml"}))
        assert r.status == 403 and b"No valid crumb was included in the request" in r.body
    # The session belongs to admin: another user cannot reuse it.
    r = emu.http("POST", "/createItem?name=b", PLAIN_PIPELINE_XML, xml_headers,
                 auth=("viewer", "viewer-token"))
    assert r.status == 403

    emu.control("expire-crumbs", {})
    stale = emu.http("POST", "/createItem?name=c", PLAIN_PIPELINE_XML, xml_headers)
    assert stale.status == 403 and b"No valid crumb was included in the request" in stale.body
    assert set(emu.items()) == {"a"}
    assert [r["has_crumb"] for r in emu.requests() if r["method"] == "POST"] == [True, False, True, True,
                                                                                 True, True]


def test_no_csrf_mode(make_emulator):
    emu = make_emulator("--no-csrf")
    assert emu.http("GET", "/crumbIssuer/api/json").status == 404
    j = emu.client()
    j.create_job("x", PLAIN_PIPELINE_XML)
    assert j.job_exists("x")
    posts = [r for r in emu.requests() if r["method"] == "POST"]
    assert [r["status"] for r in posts] == [200]
    # Without CSRF protection POSTs need no crumb and a bogus one is ignored.
    r = emu.http("POST", "/createItem?name=y", PLAIN_PIPELINE_XML, {"Content-Type": "application/xml"})
    assert r.status == 200
    r = emu.http("POST", "/createItem?name=z", PLAIN_PIPELINE_XML,
                 {"Content-Type": "application/xml", "Jenkins-Crumb": "bogus"})
    assert r.status == 200
    assert emu.http("GET", "/api/json").json()["useCrumbs"] is False


def test_token_requests_exempt_when_crumb_not_required_with_token(make_emulator):
    strict = make_emulator()
    lenient = make_emulator("--no-crumb-required-with-token")
    for emu, expected in ((strict, 403), (lenient, 200)):
        r = emu.http("POST", "/createItem?name=x", PLAIN_PIPELINE_XML, {"Content-Type": "application/xml"})
        assert r.status == expected


# --------------------------------------------------------------------------- jenkins-job-builder

JJB_YAML = """\
- job:
    name: jjb-test
    project-type: folder
- job:
    name: jjb-test/alpha
    project-type: pipeline
    parameters:
      - string:
          name: VERSION
          default: "1.0"
    dsl: |
      echo "alpha ${{params.VERSION}}"
- job:
    name: jjb-test/beta
    project-type: pipeline
    dsl: |
      echo "beta"
"""


def run_jjb(tmp_path, *args):
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run(["jenkins-jobs", "--conf", str(tmp_path / "jenkins_jobs.ini"), *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_jenkins_job_builder_update_cache_and_delete_old(emu, tmp_path):
    (tmp_path / "jenkins_jobs.ini").write_text(textwrap.dedent("""\
        [job_builder]
        ignore_cache=False
        [jenkins]
        url=%s
        user=%s
        password=%s
        query_plugins_info=False
        """ % (emu.url, USER, TOKEN)))
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(JJB_YAML)

    # What JJB generates offline, to compare with what reached the server.
    out = tmp_path / "out"
    run_jjb(tmp_path, "test", "--config-xml", "-o", str(out), str(jobs))

    log = run_jjb(tmp_path, "update", str(jobs))
    assert "Number of jobs updated: 3" in log
    items = emu.items()
    assert set(items) == {"jjb-test", "jjb-test/alpha", "jjb-test/beta"}
    assert items["jjb-test"]["kind"] == "folder"
    for name in ("jjb-test", "jjb-test/alpha", "jjb-test/beta"):
        assert items[name]["config"] == (out / name / "config.xml").read_text(encoding="utf-8")
    assert "<flow-definition" in items["jjb-test/alpha"]["config"]
    created = [r["path"] for r in emu.requests() if r["method"] == "POST"]
    assert created == ["/createItem?name=jjb-test", "/job/jjb-test/createItem?name=alpha",
                       "/job/jjb-test/createItem?name=beta"]
    j = emu.client()
    assert j.get_job_info("jjb-test/alpha")["description"].endswith("<!-- Managed by Jenkins Job Builder -->")

    # Unchanged second run: JJB's cache says nothing changed, so nothing is posted.
    emu.control("reset", {})
    log = run_jjb(tmp_path, "update", str(jobs))
    assert "Number of jobs updated: 0" in log
    assert [r for r in emu.requests() if r["method"] == "POST"] == []

    # Ignoring the cache, existing jobs are reconfigured (config.xml POST), not re-created.
    emu.control("reset", {})
    run_jjb(tmp_path, "--ignore-cache", "update", str(jobs))
    posts = [r["path"] for r in emu.requests() if r["method"] == "POST"]
    assert posts == ["/job/jjb-test/config.xml", "/job/jjb-test/job/alpha/config.xml",
                     "/job/jjb-test/job/beta/config.xml"]

    # Remove beta from the YAML and delete old managed jobs.
    unmanaged = "<flow-definition><description>hand made</description></flow-definition>"
    j.create_job("jjb-test/manual", unmanaged)
    jobs.write_text(JJB_YAML.split("- job:\n    name: jjb-test/beta")[0])
    log = run_jjb(tmp_path, "update", "--delete-old", str(jobs))
    assert "Number of jobs deleted: 1" in log
    assert set(emu.items()) == {"jjb-test", "jjb-test/alpha", "jjb-test/manual"}
    assert not j.job_exists("jjb-test/beta")
    deletes = [r["path"] for r in emu.requests() if r["path"].endswith("doDelete")]
    assert deletes == ["/job/jjb-test/job/beta/doDelete"]


# --------------------------------------------------------------------------- protocol details

def test_every_response_has_content_length_and_x_jenkins(emu):
    crumb = emu.crumb()
    xml = dict(crumb, **{"Content-Type": "application/xml"})
    emu.http("POST", "/createItem?name=job", PIPELINE_XML, xml)
    emu.control("config", {"queue_delay": 30})        # keep the first queue item waiting
    seen = {}
    cases = [
        ("GET", "/", None, {}, (USER, TOKEN)),
        ("GET", "/api/json", None, {}, (USER, TOKEN)),
        ("POST", "/createItem?name=new", PLAIN_PIPELINE_XML, xml, (USER, TOKEN)),          # 200, empty
        ("POST", "/createItem?name=job", PLAIN_PIPELINE_XML, xml, (USER, TOKEN)),          # 400
        ("POST", "/job/job/buildWithParameters?VERSION=1", None, crumb, (USER, TOKEN)),   # 201
        ("POST", "/job/job/buildWithParameters?VERSION=1", None, crumb, (USER, TOKEN)),   # 303 (dup)
        ("POST", "/job/new/doDelete", None, crumb, (USER, TOKEN)),                        # 302
        ("GET", "/job/nope/api/json", None, {}, (USER, TOKEN)),                           # 404
        ("GET", "/api/json", None, {}, ("admin", "wrong")),                               # 401
        ("GET", "/api/json", None, {}, None),                                             # 403
        ("GET", "/job/job/doDelete", None, {}, (USER, TOKEN)),                            # 405
        ("POST", "/createItem?name=bad", "<oops", xml, (USER, TOKEN)),                    # 500
    ]
    for method, path, body, headers, auth in cases:
        r = emu.http(method, path, body, headers, auth=auth)
        seen[r.status] = r
        assert r.headers["X-Jenkins"] == "2.462.3", (method, path)
        assert r.headers["Content-Length"] == str(len(r.body)), (method, path)
    assert sorted(seen) == [200, 201, 302, 303, 400, 401, 403, 404, 405, 500]
    assert seen[201].body == b"" and seen[302].body == b"" and seen[303].body == b""
    assert seen[201].headers["Location"] == emu.url + "/queue/item/1/"
    assert seen[303].headers["Location"] == emu.url + "/queue/item/1/"
    assert seen[302].headers["Location"] == emu.url + "/"
    assert b"Not Found" in seen[404].body
    # Control endpoints answer with the same framing.
    r = emu.http("GET", "/_emulator/items", auth=None)
    assert r.headers["Content-Length"] == str(len(r.body)) and r.headers["X-Jenkins"] == "2.462.3"


def test_keep_alive_framing_across_errors(emu):
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    good = "Basic " + base64.b64encode(("%s:%s" % (USER, TOKEN)).encode()).decode()
    bad = "Basic " + base64.b64encode(b"admin:nope").decode()
    sequence = [("GET", "/api/json", good, 200), ("GET", "/job/x/api/json", good, 404),
                ("GET", "/api/json", bad, 401), ("GET", "/api/json", None, 403),
                ("POST", "/createItem?name=x", good, 403), ("HEAD", "/api/json", good, 200),
                ("GET", "/whoAmI/api/json", good, 200)]
    for method, path, auth, expected in sequence:
        headers = {"Authorization": auth} if auth else {}
        conn.request(method, path, body=b"<x/>" if method == "POST" else None, headers=headers)
        r = conn.getresponse()
        body = r.read()
        assert r.status == expected, (method, path)
        assert r.version == 11 and not r.will_close
        if method == "HEAD":
            assert body == b"" and int(r.getheader("Content-Length")) > 0
    assert conn.sock is not None          # still the same connection
    conn.close()


def test_auth_statuses_and_anonymous_read(make_emulator):
    emu = make_emulator()
    r = emu.http("GET", "/api/json", auth=None)
    assert r.status == 403 and b"Authentication required" in r.body
    assert r.headers["X-You-Are-Authenticated-As"] == "anonymous"
    r = emu.http("GET", "/api/json", auth=("admin", "wrong"))
    assert r.status == 401 and b"Invalid password/token for user: admin" in r.body
    assert r.headers["WWW-Authenticate"] == 'Basic realm="Jenkins"'
    r = emu.http("GET", "/job/x/api/json", auth=("ghost", "x"))
    assert r.status == 401 and b"Invalid password/token for user: ghost" in r.body
    # whoAmI is an unprotected root action in Jenkins.
    who = emu.http("GET", "/whoAmI/api/json", auth=None).json()
    assert who["name"] == "anonymous" and who["anonymous"] is True
    assert emu.http("GET", "/whoAmI/api/json", auth=("viewer", "viewer-token")).json()["name"] == "viewer"

    open_emu = make_emulator("--anonymous-read")
    assert open_emu.http("GET", "/api/json", auth=None).status == 200
    assert open_emu.http("GET", "/crumbIssuer/api/json", auth=None).status == 200
    r = open_emu.http("POST", "/createItem?name=x", PLAIN_PIPELINE_XML,
                      {"Content-Type": "application/xml"}, auth=None)
    assert r.status == 403
    assert open_emu.http("GET", "/api/json", auth=("admin", "wrong")).status == 401


def test_create_item_validation(emu):
    crumb = emu.crumb()
    xml = dict(crumb, **{"Content-Type": "application/xml"})
    assert emu.http("POST", "/createItem?name=dup", PLAIN_PIPELINE_XML, xml).status == 200
    r = emu.http("POST", "/createItem?name=dup", PLAIN_PIPELINE_XML, xml)
    assert r.status == 400 and r.headers["X-Error"] == "A job already exists with the name 'dup'"
    assert b"A job already exists with the name" in r.body
    # Item names are case-insensitive in Jenkins (lookup and duplicate check).
    r = emu.http("POST", "/createItem?name=DUP", PLAIN_PIPELINE_XML, xml)
    assert r.status == 400 and r.headers["X-Error"] == "A job already exists with the name 'DUP'"
    assert emu.http("GET", "/job/DuP/api/json").json()["name"] == "dup"
    quoted = urllib.parse.quote("réalisé ✓")
    assert emu.http("POST", "/createItem?name=" + quoted, PLAIN_PIPELINE_XML, xml).status == 200
    r = emu.http("POST", "/createItem?name=" + quoted, PLAIN_PIPELINE_XML, xml)
    assert r.status == 400 and r.headers["X-Error"] == "A job already exists with the name 'réalisé ?'"
    assert "A job already exists with the name 'réalisé ✓'" in r.text
    assert emu.client().job_exists("réalisé ✓")
    assert emu.http("POST", "/job/" + quoted + "/doDelete", headers=crumb).status == 302
    for name, needle in (("a%2Fb", "'/' is an unsafe character"), ("a%3Fb", "'?' is an unsafe character"),
                         ("", "No name is specified"), ("..", "is not an allowed name")):
        r = emu.http("POST", "/createItem?name=" + name, PLAIN_PIPELINE_XML, xml)
        assert r.status == 400 and needle in r.headers["X-Error"], name
    r = emu.http("POST", "/job/missing/createItem?name=x", PLAIN_PIPELINE_XML, xml)
    assert r.status == 404
    r = emu.http("POST", "/createItem?name=broken", "<flow-definition><oops></flow-definition>", xml)
    assert r.status == 500 and b"config.xml" in r.body
    r = emu.http("POST", "/createItem?name=nomode", b"", crumb)      # urllib form content type, no mode
    assert r.status == 400 and r.headers["X-Error"] == "No mode given"
    # python-jenkins style folder creation: form body with mode, redirect to configure.
    r = emu.http("POST", "/createItem?name=fold", "name=fold&mode=com.cloudbees.hudson.plugins.folder.Folder",
                 dict(crumb, **{"Content-Type": "application/x-www-form-urlencoded"}))
    assert r.status == 302 and r.headers["Location"] == emu.url + "/job/fold/configure"
    assert emu.http("POST", "/job/dup/createItem?name=x", PLAIN_PIPELINE_XML, xml).status == 404
    # config.xml POST validation: malformed XML or a kind change is refused, config untouched.
    assert emu.http("POST", "/job/dup/config.xml", "<flow-definition>", xml).status == 500
    folder_xml = emu.items()["fold"]["config"]
    assert emu.http("POST", "/job/dup/config.xml", folder_xml, xml).status == 500
    assert emu.items()["dup"]["config"] == PLAIN_PIPELINE_XML
    assert set(emu.items()) == {"dup", "fold"}


def test_path_parsing_encoding_and_slashes(emu):
    emu.control("seed", {"Team Space/my job": PLAIN_PIPELINE_XML})
    items = emu.items()
    assert items["Team Space"]["kind"] == "folder" and items["Team Space/my job"]["kind"] == "job"
    for path in ("/job/Team%20Space/job/my%20job/config.xml", "/job/Team%20Space//job/my%20job/config.xml/",
                 "//job/Team%20Space/job/my%20job/config.xml"):
        r = emu.http("GET", path)
        assert r.status == 200 and r.text == PLAIN_PIPELINE_XML, path
        assert r.headers["Content-Type"].startswith("application/xml")
    info = emu.http("GET", "/job/Team%20Space/job/my%20job/api/json/").json()
    assert info["fullName"] == "Team Space/my job"
    assert info["url"] == emu.url + "/job/Team%20Space/job/my%20job/"
    assert emu.http("GET", "/job/Team%20Space/job/my%2Fjob/api/json").status == 404
    assert emu.http("GET", "/job/Team%20Space/job/my%20job/job/x/api/json").status == 404
    j = emu.client()
    assert j.job_exists("Team Space/my job")


def test_tree_parameter_filtering(emu):
    emu.control("seed", {"a/b/c": PLAIN_PIPELINE_XML, "top": PLAIN_PIPELINE_XML})
    r = emu.http("GET", "/api/json?tree=jobs[name]").json()
    assert r == {"_class": "hudson.model.Hudson", "jobs": [
        {"_class": "com.cloudbees.hudson.plugins.folder.Folder", "name": "a"},
        {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": "top"}]}
    r = emu.http("GET", "/api/json?tree=" + urllib.parse.quote("jobs[name,color,jobs[name,jobs]]")).json()
    a = r["jobs"][0]
    assert "color" not in a and r["jobs"][1]["color"] == "notbuilt"     # folders have no color
    assert a["jobs"] == [{"_class": "com.cloudbees.hudson.plugins.folder.Folder", "name": "b",
                          "jobs": [{"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob"}]}]
    default = emu.http("GET", "/api/json").json()
    assert default["jobs"][1] == {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": "top",
                                  "url": emu.url + "/job/top/", "color": "notbuilt"}
    assert default["views"][0]["name"] == "all"
    assert emu.http("GET", "/api/json?tree=jobs[name").status == 400

    emu.control("seed", {"p": PIPELINE_XML})
    j = emu.client()
    for version in ("1", "2", "3"):
        wait_for_build(j, "p", j.build_job("p", {"VERSION": version}))
    r = emu.http("GET", "/job/p/api/json?tree=builds[number]{0,2},lastBuild[number,result],name").json()
    assert r == {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": "p",
                 "builds": [{"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": 3},
                            {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": 2}],
                 "lastBuild": {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
                               "number": 3, "result": "SUCCESS"}}
    all_builds = emu.http("GET", "/job/p/api/json?tree=allBuilds[number]").json()["allBuilds"]
    assert [b["number"] for b in all_builds] == [3, 2, 1]
    assert "allBuilds" not in emu.http("GET", "/job/p/api/json").json()


def test_progressive_text_offsets_and_more_data(emu):
    emu.control("seed", {"p": PIPELINE_XML})
    emu.control("config", {"queue_delay": 0.05})
    emu.control("next-result", {"job": "p", "result": "SUCCESS", "duration": 1.6})
    r = emu.http("POST", "/job/p/buildWithParameters?VERSION=9", headers=emu.crumb())
    assert r.status == 201
    queue_path = urllib.parse.urlsplit(r.headers["Location"]).path
    wait_for(lambda: emu.http("GET", queue_path + "api/json").json().get("executable"))

    offset, pieces, saw_more = 0, [], 0
    while True:
        r = emu.http("GET", "/job/p/1/logText/progressiveText?start=%d" % offset)
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        size = int(r.headers["X-Text-Size"])
        assert size == offset + len(r.body)
        pieces.append(r.body)
        offset = size
        if r.headers.get("X-More-Data") != "true":
            break
        saw_more += 1
        time.sleep(0.05)
    assert saw_more >= 2                 # we really observed a running build
    full = emu.http("GET", "/job/p/1/consoleText").body
    assert b"".join(pieces) == full and full.endswith(b"Finished: SUCCESS\n")
    assert sum(1 for p in pieces if p) >= 3     # text arrived progressively
    done = emu.http("GET", "/job/p/1/logText/progressiveText?start=%d" % len(full))
    assert done.body == b"" and done.headers["X-Text-Size"] == str(len(full))
    assert "X-More-Data" not in done.headers
    rolled = emu.http("GET", "/job/p/1/logText/progressiveText?start=%d" % (len(full) + 10))
    assert rolled.body == full                  # start past the end restarts at 0, like LargeText
    assert emu.http("GET", "/job/p/7/logText/progressiveText?start=0").status == 404
    assert emu.http("GET", "/job/p/lastBuild/consoleText").body == full


def test_build_triggers_follow_jenkins_rules(emu):
    emu.control("seed", {"p": PIPELINE_XML, "plain": PLAIN_PIPELINE_XML,
                         "off": PLAIN_PIPELINE_XML.replace("</flow-definition>",
                                                           "<disabled>true</disabled></flow-definition>")})
    emu.control("config", {"queue_delay": 30})
    crumb = emu.crumb()
    first = emu.http("POST", "/job/p/buildWithParameters?VERSION=1", headers=crumb)
    dup = emu.http("POST", "/job/p/buildWithParameters?VERSION=1", headers=crumb)
    other = emu.http("POST", "/job/p/buildWithParameters", "VERSION=2",
                     dict(crumb, **{"Content-Type": "application/x-www-form-urlencoded"}))
    assert first.status == 201 and dup.status == 303 and other.status == 201
    assert dup.headers["Location"] == first.headers["Location"] != other.headers["Location"]
    queue = emu.http("GET", "/queue/api/json").json()["items"]
    assert [q["params"] for q in queue] == ["\n(StringParameterValue) VERSION='1'"
                                            "\n(BooleanParameterValue) DRY_RUN='true'",
                                            "\n(StringParameterValue) VERSION='2'"
                                            "\n(BooleanParameterValue) DRY_RUN='true'"]
    # Parameterized job: POST build needs a submitted form; json form works.
    r = emu.http("POST", "/job/p/build", headers=crumb)
    assert r.status == 400 and b"Nothing is submitted" in r.body
    form = urllib.parse.urlencode({"json": json.dumps({"parameter": [{"name": "VERSION", "value": "3"}]})})
    r = emu.http("POST", "/job/p/build", form, dict(crumb, **{"Content-Type": "application/x-www-form-urlencoded"}))
    assert r.status == 201
    # Non-parameterized job: build works, buildWithParameters is refused like Jenkins does.
    assert emu.http("POST", "/job/plain/build", headers=crumb).status == 201
    r = emu.http("POST", "/job/plain/buildWithParameters?X=1", headers=crumb)
    assert r.status == 500 and b"This build is not parameterized!" in r.body
    assert emu.http("POST", "/job/off/build", headers=crumb).status == 409
    j = emu.client()
    j.disable_job("plain")
    assert j.get_job_info("plain")["color"] == "disabled" and "<disabled>true</disabled>" in j.get_job_config("plain")
    assert j.get_queue_info() == [q for q in j.get_queue_info() if q["task"]["name"] == "p"]  # plain's item cancelled
    assert emu.http("POST", "/job/plain/build", headers=crumb).status == 409
    j.enable_job("plain")
    assert j.get_job_info("plain")["buildable"] is True
    assert emu.http("POST", "/job/plain/build", headers=crumb).status == 201
    assert emu.http("GET", "/job/plain/build").status == 405
    assert emu.http("POST", "/job/nope/build", headers=crumb).status == 404


def test_fault_injection_and_request_log(emu):
    emu.control("seed", {"p": PLAIN_PIPELINE_XML})
    emu.control("faults", {"status": 503, "count": 2, "paths": "/job/p/api"})
    statuses = [emu.http("GET", "/job/p/api/json").status for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert emu.http("GET", "/api/json").status == 200          # other paths unaffected
    log = emu.requests()
    assert [(r["path"], r["status"]) for r in log] == [
        ("/job/p/api/json", 503), ("/job/p/api/json", 503), ("/job/p/api/json", 200), ("/api/json", 200)]
    assert log[2]["user"] == USER and log[2]["method"] == "GET"

    emu.control("faults", {"status": 0, "delay_ms": 300, "count": 1, "paths": "config.xml"})
    started = time.monotonic()
    r = emu.http("GET", "/job/p/config.xml")
    assert r.status == 200 and time.monotonic() - started >= 0.3

    emu.control("faults", {"close": True, "count": 1, "paths": "/api/json"})
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError)):
        emu.http("GET", "/api/json")
    assert emu.http("GET", "/api/json").status == 200

    emu.control("faults", {"status": 502, "count": -1, "paths": "/queue/"})
    assert [emu.http("GET", "/queue/api/json").status for _ in range(3)] == [502, 502, 502]
    emu.control("reset", {})
    assert emu.requests() == [] and emu.control("faults") == []
    assert emu.http("GET", "/queue/api/json").status == 200
    assert set(emu.items()) == {"p"}                            # reset keeps items


def test_seed_and_items_control(emu):
    folder_xml = "<com.cloudbees.hudson.plugins.folder.Folder><description>d</description>" \
                 "</com.cloudbees.hudson.plugins.folder.Folder>"
    emu.control("seed", {"x/y/z": PLAIN_PIPELINE_XML, "x": folder_xml})
    items = emu.items()
    assert items["x"] == {"kind": "folder", "config": folder_xml}
    assert items["x/y"]["kind"] == "folder" and items["x/y/z"]["config"] == PLAIN_PIPELINE_XML
    r = emu.http("POST", "/_emulator/seed", json.dumps({"bad": "<nope"}), auth=None)
    assert r.status == 400
    assert emu.requests() == []                                  # control calls are not logged
    j = emu.client()
    assert j.get_job_info("x")["description"] == "d"
    emu.control("wipe", {})
    assert emu.items() == {}


# --------------------------------------------------------------------------- input steps

# The fields of pipeline-stage-view's PendingInputActionsExt (rest-api/.../external/PendingInputActionsExt.java):
# proceedText is @JsonInclude(NON_NULL), the others always present.
PENDING_INPUT_FIELDS = {"id", "message", "inputs", "proceedUrl", "abortUrl", "redirectApprovalUrl"}


def test_input_step_pending_actions_shape_and_proceed(emu):
    j = emu.client()
    j.create_folder("rel")
    j.create_job("rel/deploy", PIPELINE_XML)
    emu.control("next-result", {"job": "rel/deploy", "input": {"message": "Promote r2?", "ok": "Promote"}})
    queue_id = j.build_job("rel/deploy", {"VERSION": "2.0.0"})
    item = wait_for(lambda: (lambda q: q if q.get("executable") else None)(j.get_queue_item(queue_id)))
    number = item["executable"]["number"]
    base = "/job/rel/job/deploy/%d/" % number
    actions = wait_for(lambda: emu.http("GET", base + "wfapi/pendingInputActions").json())
    assert len(actions) == 1
    action = actions[0]
    assert set(action) == PENDING_INPUT_FIELDS | {"proceedText"}
    assert action["message"] == "Promote r2?" and action["proceedText"] == "Promote" and action["inputs"] == []
    # URL shapes as InputStepTest asserts them: root-relative, inputSubmit?inputId=, input/ID/abort, input/.
    assert action["proceedUrl"] == base + "wfapi/inputSubmit?inputId=" + action["id"]
    assert action["abortUrl"] == base + "input/" + action["id"] + "/abort"
    assert action["redirectApprovalUrl"] == base + "input/"
    # While paused the build is running, as python-jenkins sees it.
    assert j.get_build_info("rel/deploy", number)["building"] is True
    listed = emu.http("GET", "/job/rel/job/deploy/api/json?tree=builds%5Bnumber,url,building,timestamp%5D%7B0,10%7D").json()
    assert listed["builds"][0]["number"] == number and listed["builds"][0]["building"] is True
    assert emu.http("GET", base + "input/").status == 200
    # Proceeding is a POST (with the crumb) to proceedUrl, as InputStepTest does.
    r = emu.http("POST", action["proceedUrl"], "json=%7B%22parameter%22%3A%5B%5D%7D", headers=emu.crumb())
    assert r.status in (200, 302), r.status
    info = wait_for(lambda: (lambda b: b if not b["building"] else None)(j.get_build_info("rel/deploy", number)))
    assert info["result"] == "SUCCESS"
    assert emu.http("GET", base + "wfapi/pendingInputActions").json() == []
    assert "Approved by admin" in j.get_build_console_output("rel/deploy", number)


def test_input_step_abort_and_default_id(emu):
    j = emu.client()
    j.create_job("deploy", PIPELINE_XML)
    emu.control("next-result", {"job": "deploy", "input": {"message": "Ship it?"}})
    assert hashlib.md5(b"Is the build okay?").hexdigest() == "ef95dd500ae6ed3b27b89fb852296d12"
    queue_id = j.build_job("deploy", {"VERSION": "1"})
    number = wait_for(lambda: (lambda q: q if q.get("executable") else None)(j.get_queue_item(queue_id)))["executable"]["number"]
    base = "/job/deploy/%d/" % number
    action = wait_for(lambda: emu.http("GET", base + "wfapi/pendingInputActions").json())[0]
    assert "proceedText" not in action              # NON_NULL: absent without `ok`
    # Without an id the input step uses its message's MD5, capitalised: InputStepTest's own example.
    digest = hashlib.md5(b"Ship it?").hexdigest()
    assert action["id"] == digest[0].upper() + digest[1:]
    assert emu.http("POST", base + "input/Wrong/abort", "", headers=emu.crumb()).status == 404
    assert emu.http("POST", action["abortUrl"], "", headers=emu.crumb()).status in (200, 302)
    info = wait_for(lambda: (lambda b: b if not b["building"] else None)(j.get_build_info("deploy", number)))
    assert info["result"] == "ABORTED"
