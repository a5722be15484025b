"""Proof for cutover's Ansible playbooks (templates/ansible) and its callback plugin (cutover_result.py).

Renders the playbook templates with a stand-in for cutover's renderer, then runs the real ansible-playbook
against local hosts (ansible_connection=local, service_manager=process) that install the test app from a
real artifact, and an ssh host on a closed port for "unreachable". Every app it starts is stopped at the end.
Run: python3 -m pytest -q Tests/Support/ansible
"""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TEMPLATES = ROOT / "templates" / "ansible"
sys.path.insert(0, str(HERE))
import make_artifact  # noqa: E402

ANSIBLE_PLAYBOOK = shutil.which("ansible-playbook")
pytestmark = pytest.mark.skipif(ANSIBLE_PLAYBOOK is None, reason="ansible-playbook is not installed")

# The interpreter Ansible runs its modules with on the local hosts. Debian's ansible-core lives in /usr/bin/python3's
# site-packages, but modules only need the standard library, so any Python 3 works.
HOST_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


# --------------------------------------------------------------------------- rendering (stand-in for cutover's)

TAG = re.compile(r"<%(.*?)%>", re.S)


def render(text, view):
    """Renders the subset of Mustache the playbook templates may use: `<% name %>` (a YAML double-quoted
    scalar, as cutover inserts it) and `<%! comment %>` (standalone lines vanish). Anything else is an error,
    which keeps the templates inside what cutover's engine and this stand-in agree on."""
    out = []
    for line in text.splitlines(keepends=True):
        tags = TAG.findall(line)
        if len(tags) == 1 and tags[0].lstrip().startswith("!") and TAG.sub("", line).strip() == "":
            continue  # a standalone comment line

        def substitute(match):
            content = match.group(1).strip()
            if content.startswith("!"):
                return ""
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", content):
                raise ValueError(f"tag outside the supported subset: <%{match.group(1)}%>")
            if content not in view:
                raise KeyError(f"the view has no {content!r}")
            return json.dumps(view[content])  # JSON strings are valid YAML double-quoted scalars

        out.append(TAG.sub(substitute, line))
    return "".join(out)


def unsafe(value):
    """Marks every string of an extra-vars value as Ansible-unsafe, as cutover writes vars.json: Ansible
    templates extra vars when it reads them, so a plain string holding Jinja would be executed."""
    if isinstance(value, str):
        return {"__ansible_unsafe": value}
    if isinstance(value, list):
        return [unsafe(v) for v in value]
    if isinstance(value, dict):
        return {k: unsafe(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- harness

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port():
    """A loopback port nothing listens on (bound then released: connecting to it is refused)."""
    return free_port()


def get_json(url):
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


class Lab:
    """A temporary directory with artifacts, rendered playbooks and an Ansible environment."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.playbooks = {}
        for name, service in (("frontend", "frontend"), ("feed-normalizer", "feed-normalizer")):
            path = tmp / f"{name}.yml"
            view = {"service": service, "health_path": "/health", "hosts": "green"}
            path.write_text(render((TEMPLATES / f"{name}.yml.mustache").read_text(), view))
            self.playbooks[name] = path
        self.artifacts = {r: make_artifact.build(tmp / f"app-{r}.tar.gz", r) for r in ("r1", "r2")}
        for d in ("local-tmp", "remote-tmp", "cp", "runs"):
            (tmp / d).mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        self.env.update({
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_LOCAL_TEMP": str(tmp / "local-tmp"),
            "ANSIBLE_REMOTE_TEMP": str(tmp / "remote-tmp"),
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(tmp / "cp"),
            "ANSIBLE_CALLBACK_PLUGINS": str(TEMPLATES),
            "ANSIBLE_CALLBACKS_ENABLED": "cutover_result",
            "ANSIBLE_DEPRECATION_WARNINGS": "False",
            "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ next to cutover_result.py in templates/
        })
        self.runs = 0
        self.timings = []

    def inventory(self, name, hosts):
        """hosts: {name: {var: value}}; local hosts get the connection and interpreter by default."""
        lines = ["[green]"]
        for host, hostvars in hosts.items():
            merged = {"ansible_connection": "local", "ansible_python_interpreter": HOST_PYTHON,
                      "service_manager": "process"}
            merged.update(hostvars)
            lines.append(host + " " + " ".join(f"{k}={v}" for k, v in merged.items()))
        path = self.tmp / f"{name}.ini"
        path.write_text("\n".join(lines) + "\n")
        return path

    def local_host(self, name, **extra):
        return {"app_port": free_port(), "install_root": str(self.tmp / "hosts" / name), **extra}

    def run(self, playbook, inventory, extra_vars, label, wrap=True, args=()):
        self.runs += 1
        run_dir = self.tmp / "runs" / f"{self.runs:02d}-{label}"
        run_dir.mkdir()
        vars_file = run_dir / "vars.json"
        vars_file.write_text(json.dumps(unsafe(extra_vars) if wrap else extra_vars))
        result_file = run_dir / "result.json"
        env = dict(self.env, CUTOVER_ANSIBLE_RESULT=str(result_file))
        started = time.monotonic()
        proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(inventory), str(self.playbooks[playbook]),
                               "-e", f"@{vars_file}", *args],
                              cwd=run_dir, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - started
        self.timings.append((label, round(elapsed, 2)))
        (run_dir / "stdout.txt").write_text(f"rc={proc.returncode} in {elapsed:.2f}s\n{proc.stdout}\n--- stderr\n{proc.stderr}")
        result = json.loads(result_file.read_text()) if result_file.exists() else None
        return Run(proc.returncode, proc.stdout, proc.stderr, result, elapsed)

    def stop_everything(self):
        for pid_file in self.tmp.glob("hosts/**/*.pid"):
            try:
                pid = int(pid_file.read_text())
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except (ValueError, OSError):
                continue
            if str(self.tmp).encode() in cmdline:
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 5
                while pid_alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if pid_alive(pid):
                    os.kill(pid, signal.SIGKILL)


class Run:
    def __init__(self, rc, stdout, stderr, result, elapsed):
        self.rc, self.stdout, self.stderr, self.result, self.elapsed = rc, stdout, stderr, result, elapsed

    def host(self, name):
        return self.result["hosts"][name]

    def __repr__(self):  # shown by pytest when an assertion fails
        return (f"Run(rc={self.rc}, elapsed={self.elapsed:.1f}s)\n--- result\n"
                f"{json.dumps(self.result, indent=1)}\n--- stdout\n{self.stdout[-6000:]}\n--- stderr\n{self.stderr[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("ansible"))
    yield lab
    lab.stop_everything()
    print("\nansible-playbook runs (label, seconds):", lab.timings)


def normalizer_vars(lab, release, sport="tennis", **overrides):
    return {
        "cutover_service": "feed-normalizer",
        "cutover_release": release,
        "cutover_artifact": str(lab.artifacts.get(release, lab.artifacts["r1"])),
        "cutover_color": "green",
        "cutover_sport": sport,
        "cutover_feed_providers": ["https://feeds.example.net/tennis/live", "https://odds.example.org/v2?sport=tennis"],
        "cutover_event_management_endpoint": "https://events.example.internal/normalized",
        **overrides,
    }


def frontend_vars(lab, release, **overrides):
    return {
        "cutover_service": "frontend",
        "cutover_release": release,
        "cutover_artifact": str(lab.artifacts[release]),
        "cutover_color": "green",
        "cutover_database_reader_endpoint": "cutover-prod.cluster-ro-abc123.eu-west-1.rds.amazonaws.com",
        **overrides,
    }


def read_pid(root, unit):
    return int((Path(root) / f"{unit}.pid").read_text())


# --------------------------------------------------------------------------- tests

def test_templates_render_to_valid_playbooks(lab):
    for name, path in lab.playbooks.items():
        text = path.read_text()
        assert "<%" not in text and "%>" not in text
        assert f'- name: "{name}"' in text and 'hosts: "green"' in text
        assert 'cutover_default_health_path: !unsafe "/health"' in text
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "--syntax-check", "-i", "localhost,",
                           str(lab.playbooks["frontend"]), str(lab.playbooks["feed-normalizer"])],
                          cwd=lab.tmp, env=lab.env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_render_stand_in_rejects_what_cutover_would_not_offer():
    with pytest.raises(KeyError):
        render("x: <% release %>\n", {"service": "frontend"})
    assert render("<%! a comment %>\nx: <% s %>\n", {"s": 'a"b'}) == 'x: "a\\"b"\n'


@pytest.fixture(scope="module")
def normalizer_fleet(lab):
    """Four local hosts: deploy r1, deploy r1 again, deploy r2; snapshots after each step."""
    hosts = {f"norm-{i}": lab.local_host(f"norm-{i}") for i in range(1, 5)}
    inventory = lab.inventory("normalizers", hosts)
    unit = "feed-normalizer-tennis"
    steps = {}
    for label, release in (("r1", "r1"), ("r1-again", "r1"), ("r2", "r2")):
        run = lab.run("feed-normalizer", inventory, normalizer_vars(lab, release), f"normalizer-{label}")
        snapshot = {"run": run, "health": {}, "pids": {}, "config": {}, "current": {}}
        for host, hv in hosts.items():
            root = Path(hv["install_root"])
            try:
                snapshot["health"][host] = get_json(f"http://127.0.0.1:{hv['app_port']}/health")
            except OSError as e:
                snapshot["health"][host] = repr(e)
            if (root / f"{unit}.pid").exists():
                snapshot["pids"][host] = read_pid(root, unit)
            if (root / "current").is_symlink():
                snapshot["current"][host] = os.readlink(root / "current")
                snapshot["config"][host] = (root / "current" / "cutover.json").read_text()
        steps[label] = snapshot
    return hosts, steps


def test_deploy_r1_to_four_hosts(lab, normalizer_fleet):
    hosts, steps = normalizer_fleet
    step = steps["r1"]
    run = step["run"]
    assert run.rc == 0, run
    assert run.result["complete"] is True and run.result["failed_hosts"] == [] and run.result["unreachable_hosts"] == []
    for host, hv in hosts.items():
        entry = run.host(host)
        assert entry["status"] == "ok" and entry["failed"] == 0 and entry["unreachable"] == 0, run
        assert entry["ok"] >= 7 and entry["changed"] == 5, run  # dir, unarchive, config, link, start
        assert "failure" not in entry
        assert step["health"][host] == (200, {"status": "ok", "service": "feed-normalizer", "release": "r1",
                                              "color": "green", "sport": "tennis"})
        root = Path(hv["install_root"])
        assert step["current"][host] == str(root / "releases" / "r1")
        assert (root / "releases" / "r1" / "VERSION").read_text() == "r1\n"
        config = json.loads(step["config"][host])
        assert config == {
            "service": "feed-normalizer", "release": "r1", "color": "green", "port": hv["app_port"],
            "sport": "tennis",
            "feed_providers": ["https://feeds.example.net/tennis/live", "https://odds.example.org/v2?sport=tennis"],
            "event_management_endpoint": "https://events.example.internal/normalized",
        }
        assert step["config"][host].startswith('{\n    "color"')  # to_nice_json, not a repr or compact dump


def test_rerun_of_the_same_release_changes_nothing(lab, normalizer_fleet):
    hosts, steps = normalizer_fleet
    run = steps["r1-again"]["run"]
    assert run.rc == 0, run
    for host in hosts:
        assert run.host(host)["changed"] == 0 and run.host(host)["status"] == "ok", run
        assert steps["r1-again"]["pids"][host] == steps["r1"]["pids"][host]  # not restarted
        assert steps["r1-again"]["health"][host][1]["release"] == "r1"
    assert "Restart the service (process)" in run.stdout and "changed:" not in run.stdout


def test_deploy_r2_switches_current_and_keeps_r1(lab, normalizer_fleet):
    hosts, steps = normalizer_fleet
    run = steps["r2"]["run"]
    assert run.rc == 0, run
    for host, hv in hosts.items():
        root = Path(hv["install_root"])
        assert run.host(host)["status"] == "ok" and run.host(host)["changed"] == 5, run
        assert steps["r2"]["current"][host] == str(root / "releases" / "r2")
        assert steps["r2"]["health"][host][1]["release"] == "r2"
        assert json.loads(steps["r2"]["config"][host])["release"] == "r2"
        assert (root / "releases" / "r1" / "app.py").exists() and (root / "releases" / "r1" / "cutover.json").exists()
        old, new = steps["r1"]["pids"][host], steps["r2"]["pids"][host]
        assert new != old and pid_alive(new) and not pid_alive(old)


def test_check_mode_of_a_new_release_changes_nothing(lab, normalizer_fleet):
    """cutover deploy --dry-run runs the playbook with --check: a new release reports what it would change,
    fails on nothing (no directory to unpack into yet) and leaves the host as it was."""
    hosts, steps = normalizer_fleet
    host, hv = "norm-1", hosts["norm-1"]
    root = Path(hv["install_root"])
    inventory = lab.tmp / "normalizers.ini"
    run = lab.run("feed-normalizer", inventory, normalizer_vars(lab, "r3", cutover_artifact=str(lab.artifacts["r2"])),
                  "normalizer-r3-check", args=("--check", "--limit", host))
    assert run.rc == 0, run
    assert run.host(host)["status"] == "ok" and run.host(host)["changed"] == 2, run  # directory, current
    assert list(run.result["hosts"]) == [host]
    assert not (root / "releases" / "r3").exists()
    assert os.readlink(root / "current") == str(root / "releases" / "r2")
    assert get_json(f"http://127.0.0.1:{hv['app_port']}/health")[1]["release"] == "r2"
    assert read_pid(root, "feed-normalizer-tennis") == steps["r2"]["pids"][host]


class Squatter(http.server.BaseHTTPRequestHandler):
    """Holds a host's app port and claims another release, as a stale process would."""

    def do_GET(self):
        body = json.dumps({"status": "ok", "service": "frontend", "release": "squatter", "color": "blue"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_old_releases_are_pruned_but_never_current(lab):
    """keep_releases (default 5) counts the release just deployed; older ones go, newest by ctime."""
    host = lab.local_host("prune-1")
    root = Path(host["install_root"])
    inventory = lab.inventory("prune", {"prune-1": dict(host, keep_releases=2)})

    def releases():
        return sorted(p.name for p in (root / "releases").iterdir())

    for release in ("p1", "p2", "p3"):
        run = lab.run("feed-normalizer", inventory, normalizer_vars(lab, release), f"prune-{release}")
        assert run.rc == 0, run
    assert releases() == ["p2", "p3"]
    assert "Remove releases beyond keep_releases" in run.stdout and "item=" + str(root / "releases" / "p1") in run.stdout, run
    # Going back to p2 (already there, so its directory is the oldest) keeps p2 as current and p3 as the other.
    run = lab.run("feed-normalizer", inventory, normalizer_vars(lab, "p2"), "prune-p2-again")
    assert run.rc == 0, run
    assert releases() == ["p2", "p3"]
    assert os.readlink(root / "current") == str(root / "releases" / "p2")
    assert get_json(f"http://127.0.0.1:{host['app_port']}/health")[1]["release"] == "p2"

    bad = lab.run("feed-normalizer", lab.inventory("prune-bad", {"prune-1": dict(host, keep_releases=0)}),
                  normalizer_vars(lab, "p4"), "prune-bad")
    assert bad.rc != 0 and bad.host("prune-1")["status"] == "failed", bad
    assert "host var keep_releases must be a whole number of at least 1" in bad.host("prune-1")["failure"]["message"], bad
    assert releases() == ["p2", "p3"]


@pytest.fixture(scope="module")
def frontend_mixed(lab):
    """Frontend onto two good hosts, one whose install_root cannot be created, one whose port another process
    holds, and one unreachable ssh host."""
    blocker = lab.tmp / "a-file"
    blocker.write_text("install_root below a regular file cannot be created\n")
    squatter = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Squatter)
    threading.Thread(target=squatter.serve_forever, daemon=True).start()
    hosts = {
        "web-1": lab.local_host("web-1"),
        "web-2": lab.local_host("web-2"),
        "web-broken": {"app_port": free_port(), "install_root": str(blocker / "frontend")},
        "web-squatted": lab.local_host("web-squatted", app_port=squatter.server_address[1]),
        "web-gone": {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": closed_port(),
                     "ansible_user": "cutover", "app_port": free_port(), "install_root": "/nonexistent"},
    }
    inventory = lab.inventory("frontend", hosts)
    try:
        return hosts, lab.run("frontend", inventory, frontend_vars(lab, "r1"), "frontend-mixed")
    finally:
        squatter.shutdown()
        squatter.server_close()


def test_frontend_good_hosts_deploy_while_others_fail(lab, frontend_mixed):
    hosts, run = frontend_mixed
    assert run.rc == 4, run  # ansible-playbook: 4 when a host was unreachable, else 2 when one failed
    assert run.result["complete"] is True, run
    for host in ("web-1", "web-2"):
        hv = hosts[host]
        assert run.host(host)["status"] == "ok" and run.host(host)["changed"] == 5, run
        status, health = get_json(f"http://127.0.0.1:{hv['app_port']}/health")
        assert (status, health) == (200, {"status": "ok", "service": "frontend", "release": "r1", "color": "green"})
        config = json.loads((Path(hv["install_root"]) / "current" / "cutover.json").read_text())
        assert config == {"service": "frontend", "release": "r1", "color": "green", "port": hv["app_port"],
                          "database_reader_endpoint": "cutover-prod.cluster-ro-abc123.eu-west-1.rds.amazonaws.com"}
    assert sorted(run.result["failed_hosts"]) == ["web-broken", "web-squatted"]
    assert run.result["unreachable_hosts"] == ["web-gone"]


def test_failed_host_names_task_and_message(lab, frontend_mixed):
    hosts, run = frontend_mixed
    broken = run.host("web-broken")
    assert broken["failed"] == 1 and broken["unreachable"] == 0, run
    assert broken["failure"]["task"] == "Create the release directory"
    assert broken["failure"]["action"] == "ansible.builtin.file"
    assert "Not a directory" in broken["failure"]["message"], broken

    squatted = run.host("web-squatted")
    assert squatted["status"] == "failed", run
    assert squatted["failure"]["task"] == "Check the release the service reports"
    message = squatted["failure"]["message"]
    assert f"http://127.0.0.1:{hosts['web-squatted']['app_port']}/health answers" in message
    assert '"release": "squatter"' in message and 'expected release "r1"' in message, message
    log = Path(hosts["web-squatted"]["install_root"]) / "frontend.log"
    deadline = time.monotonic() + 10  # the app that lost the port writes why, maybe after ansible ended
    while "Address already in use" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Address already in use" in log.read_text()


def test_unreachable_host_is_marked(lab, frontend_mixed):
    _, run = frontend_mixed
    gone = run.host("web-gone")
    assert gone["status"] == "unreachable" and gone["unreachable"] == 1 and gone["failed"] == 0, run
    assert gone["failure"]["task"] == "Create the release directory"  # the first task that connects
    assert "Connection refused" in gone["failure"]["message"] or "ssh" in gone["failure"]["message"], gone


def test_all_hosts_unreachable_still_writes_the_result(lab):
    inventory = lab.inventory("all-gone", {
        "gone-1": {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": closed_port(),
                   "ansible_user": "cutover", "app_port": 1, "install_root": "/nonexistent"}})
    run = lab.run("feed-normalizer", inventory, normalizer_vars(lab, "r1"), "all-unreachable")
    assert run.rc == 4, run
    assert run.result is not None and run.result["complete"] is True, run
    assert run.result["unreachable_hosts"] == ["gone-1"] and run.host("gone-1")["status"] == "unreachable"


def test_aborted_run_writes_an_incomplete_result(lab):
    playbook = lab.tmp / "abort.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  vars_files: [/nonexistent/cutover-vars.yml]\n"
                        "  tasks:\n    - ansible.builtin.debug: {msg: never}\n")
    lab.playbooks["abort"] = playbook
    inventory = lab.inventory("abort", {"a-1": {"app_port": 1}})
    run = lab.run("abort", inventory, {}, "abort")
    assert run.rc == 1 and "ERROR!" in run.stdout + run.stderr
    assert run.result is not None and run.result["complete"] is False and run.result["hosts"] == {}, run


def test_terminated_run_writes_an_incomplete_result(lab):
    """A CI abort or a timeout sends SIGTERM; the result then still says which hosts had done what."""
    playbook = lab.tmp / "slow.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n"
                        "    - ansible.builtin.debug: {msg: started}\n"
                        "    - ansible.builtin.pause: {seconds: 60}\n")
    inventory = lab.inventory("slow", {"slow-1": {"app_port": 1}})
    result_file = lab.tmp / "runs" / "terminated.json"
    proc = subprocess.Popen([ANSIBLE_PLAYBOOK, "-i", str(inventory), str(playbook)], cwd=lab.tmp,
                            env=dict(lab.env, CUTOVER_ANSIBLE_RESULT=str(result_file)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        for line in proc.stdout:
            if "Pausing for 60 seconds" in line:
                break
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == -signal.SIGTERM
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
    result = json.loads(result_file.read_text())
    assert result["complete"] is False
    assert result["hosts"] == {"slow-1": {"ok": 1, "changed": 0, "failed": 0, "unreachable": 0, "skipped": 0,
                                          "rescued": 0, "ignored": 0, "status": "incomplete"}}


def test_hostile_release_and_sport_fail_cleanly(lab):
    canary = lab.tmp / "pwned"
    host = lab.local_host("hostile-inputs")
    inventory = lab.inventory("hostile-inputs", {"evil-1": host})
    run = lab.run("feed-normalizer", inventory,
                  normalizer_vars(lab, f'r1"; touch {canary}; echo "', sport=f"$(touch {canary}-sport)$(id)"),
                  "hostile-release")
    assert run.rc == 2, run
    failure = run.host("evil-1")["failure"]
    assert failure["task"] == "Check the deploy inputs"
    assert "cutover_release must be" in failure["message"] and "cutover_sport must be" in failure["message"]
    assert not Path(host["install_root"]).exists()  # failed before touching the host
    assert not list(lab.tmp.glob("pwned*"))


def test_hostile_data_deploys_inert(lab):
    canary = lab.tmp / "pwned-data"
    host = lab.local_host("hostile-data")
    inventory = lab.inventory("hostile-data", {"evil-2": host})
    providers = [f'https://feeds.example.net/?a=1&b="2"; touch {canary}', f"$(touch {canary})",
                 f"`touch {canary}`\nsecond line", "{{ lookup('pipe', 'touch " + str(canary) + "') }}",
                 "{% for x in [1] %}x{% endfor %}", "'; touch " + str(canary) + "; echo '"]
    endpoint = "https://events.example.internal/in?q=$(id)&r=`id`#{{ 7 * 7 }}"
    run = lab.run("feed-normalizer", inventory,
                  normalizer_vars(lab, "r1", cutover_feed_providers=providers,
                                  cutover_event_management_endpoint=endpoint),
                  "hostile-data")
    assert run.rc == 0, run
    config = json.loads((Path(host["install_root"]) / "current" / "cutover.json").read_text())
    assert config["feed_providers"] == providers and config["event_management_endpoint"] == endpoint
    assert get_json(f"http://127.0.0.1:{host['app_port']}/health")[1]["release"] == "r1"
    assert not canary.exists()


def test_plain_extra_vars_would_be_templated(lab):
    """Why cutover must write every string of vars.json as {"__ansible_unsafe": ...}: Ansible evaluates Jinja in
    plain extra vars, lookups included. Here that only touches a file in the temporary directory."""
    canary = lab.tmp / "jinja-ran"
    color = "green{{ lookup('pipe', 'touch " + str(canary) + "') }}"
    inventory = lab.inventory("jinja", {"jinja-1": lab.local_host("jinja-1")})
    wrapped = lab.run("feed-normalizer", inventory, normalizer_vars(lab, "bad/release", cutover_color=color),
                      "jinja-wrapped")
    assert wrapped.rc != 0 and "cutover_color must be green or blue" in wrapped.host("jinja-1")["failure"]["message"]
    assert not canary.exists()
    plain = lab.run("feed-normalizer", inventory, normalizer_vars(lab, "bad/release", cutover_color=color),
                    "jinja-plain", wrap=False)
    assert plain.rc != 0 and "cutover_color" not in plain.host("jinja-1")["failure"]["message"]
    assert canary.exists()  # the lookup ran on the controller
