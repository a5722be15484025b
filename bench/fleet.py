#!/usr/bin/env python3
"""Benchmark `cutover deploy` of the Feed Normalizer's four sports (football, tennis, basketball,
horse-racing; 4 local hosts each, 16 in all) with Ansible, against an ALB in moto_server on loopback:

1. `cutover deploy --service feed-normalizer --parallel 4` (the four sports at once);
2. the same with `--parallel 1` (one sport after another, one process);
3. `cutover deploy --sport football` (one sport, 4 hosts); with --sequential, four `--sport X`
   invocations one after another instead (football's is then the one-sport number);
4. `ansible-playbook` alone for football: the playbook, extra vars, callback, arguments and Ansible
   environment cutover used (captured once), run by hand against the same hosts. Compared with 3 it
   shows what cutover adds around Ansible.

Where the time goes comes from `cutover deploy --json` (per unit `seconds`: ansible, registration,
health_wait), the wall and CPU time of each process, and the start and end of every `ansible-inventory`
and `ansible-playbook` cutover runs: a `sh` shim placed first on cutover's PATH records them (and, during
the warm-up, copies what cutover hands ansible-playbook, for 4.) around the real program; it costs a few
ms per call, counted in cutover's time.

Every timed deploy installs a NEW release (r1, r2, ... each with its own artifact built by
Tests/Support/ansible/make_artifact.py), so Ansible really creates the release directory, unpacks,
writes the configuration, switches `current`, restarts the app (stopping the previous release's
process) and waits for its health endpoint. An untimed warm-up deploy (r0) first brings every host up,
so every timed run replaces a running release, as a real deploy does. Before every cutover run the
green target groups are emptied (boto3, untimed), so every run really registers its 4 targets per
sport; moto reports a registered target healthy at once, so the health wait is one poll. After every
run the script checks (untimed) that each host serves the new release and each green group holds its
4 targets, healthy. At the end it stops every app process the playbooks started (pid files under the
install roots, only processes whose command line is under this run's work directory) and moto.

Binary: --bin, else $CUTOVER_BIN, else .build/release/cutover when it is at least as new as
.build/debug/cutover, else the debug build (the results say which). This script never builds.

Usage: bench/fleet.py [--runs N] [--quick] [--sequential] [--bin PATH]    (writes
       bench/results/fleet.md; default 3 runs; --quick: 1 run, prints only)
"""
import argparse, collections, glob, json, os, resource, shutil, signal, statistics, subprocess, sys, tempfile, time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support", "aws"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support", "ansible"))
import seed  # noqa: E402  (Tests/Support/aws/seed.py)
import make_artifact  # noqa: E402  (Tests/Support/ansible/make_artifact.py)
from aws import free_port, die_with_parent, stop, start_moto, moto_version, pick_binary  # noqa: E402  (bench/aws.py)

REGION = "eu-west-1"
SPORTS = ["football", "tennis", "basketball", "horse-racing"]
HOSTS = 4
SERVICE = "feed-normalizer"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
PHASES = ("ansible", "registration", "health_wait")

SHIM = r"""#!/bin/sh
# ansible-playbook / ansible-inventory shim (bench/fleet.py): times the real program (REAL, set when the
# shim is written) and logs "tool start end status inventory"; ansible-playbook's inputs are copied once
# per inventory when $FLEET_CAPTURE is set.
echo $$ >> "$FLEET_SHIM_PIDS"
start=$(date +%s.%N)
"REAL" "$@"
rc=$?
end=$(date +%s.%N)
inventory=""; vars=""; prev=""
for arg in "$@"; do
  [ "$prev" = "-i" ] && inventory="$arg"
  [ "$prev" = "-e" ] && vars="${arg#@}"
  prev="$arg"
done
echo "TOOL $start $end $rc $inventory" >> "$FLEET_SHIM_LOG"
if [ "TOOL" = ansible-playbook ] && [ -n "$FLEET_CAPTURE" ]; then
  dir="$FLEET_CAPTURE/$(basename "$inventory" .ini)"
  if [ ! -e "$dir" ]; then
    mkdir -p "$dir"
    cp -r "$(dirname "$vars")/." "$dir/"
    printf '%s\n' "$@" > "$dir/argv"
    env | grep -E '^(ANSIBLE_|CUTOVER_ANSIBLE_RESULT=|PYTHONUNBUFFERED=)' > "$dir/env"
    echo "$(dirname "$vars")" > "$dir/workdir"
  fi
fi
exit $rc
"""


def write_shims(directory, real_path):
    os.makedirs(directory)
    for tool in ("ansible-playbook", "ansible-inventory"):
        real = shutil.which(tool, path=real_path)
        if not real:
            raise SystemExit(f"{tool} is not on PATH")
        path = os.path.join(directory, tool)
        with open(path, "w") as f:
            f.write(SHIM.replace("REAL", real).replace("TOOL", tool))
        os.chmod(path, 0o755)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------------- scenario

def build_scenario(moto, work):
    """One ALB `feeds` (default: fixed 404), one rule per sport forwarding blue 100 / green 0; a
    static inventory per sport (group green: 4 local hosts with their own port and install root);
    the config."""
    spec = {"albs": [{"name": "feeds", "listener": {
        "port": 80, "default": {"fixed_response": {"status": "404", "body": "no feed", "content_type": "text/plain"}},
        "rules": [{"priority": 10 + i, "path": f"/feeds/{s}/*", "blue": f"stg-fn-{s}-blue", "green": f"stg-fn-{s}-green",
                   "green_weight": 0} for i, s in enumerate(SPORTS)]}}]}
    out = seed.seed(spec, moto, REGION)
    listener = out["albs"]["feeds"]["listener_arn"]
    greens = {s: out["target_groups"][f"stg-fn-{s}-green"]["arn"] for s in SPORTS}
    os.makedirs(os.path.join(work, "inventory"))
    hosts = {}
    for i, sport in enumerate(SPORTS):
        lines = ["[green]"]
        hosts[sport] = []
        for n in range(1, HOSTS + 1):
            h = {"name": f"fn-{sport}-{n}", "target": f"10.20.{i + 1}.{n}", "port": free_port(),
                 "root": os.path.join(work, "hosts", f"{sport}-{n}")}
            hosts[sport].append(h)
            lines.append(f"{h['name']} ansible_host=127.0.0.1 target_id={h['target']} ansible_connection=local "
                         f"ansible_python_interpreter={sys.executable} app_port={h['port']} install_root={h['root']} "
                         "service_manager=process")
        lines += ["", "[blue]"]
        with open(os.path.join(work, "inventory", f"{sport}.ini"), "w") as f:
            f.write("\n".join(lines) + "\n")
    config = os.path.join(work, "cutover.yml")
    with open(config, "w") as f:
        f.write(f"""version: 1
name: bench
jenkins: {{url: https://jenkins.example.com, folder: releases/bench, agent: linux, approvers: [rm], source: {{url: https://git.example.com/r.git, branch: main}}, config: cutover.yml}}
aws: {{region: {REGION}}}
promotion: {{parallel: true, steps: [100], bake: 0s, min_healthy_percent: 100, health_timeout: 60s}}
environments:
  staging:
    listeners:
      feeds: {listener}
services:
  {SERVICE}:
    kind: instances
    sports: [{', '.join(SPORTS)}]
    listener: feeds
    rule: {{path: '/feeds/{{sport}}/*'}}
    target_groups: {{blue: 'stg-fn-{{sport}}-blue', green: 'stg-fn-{{sport}}-green'}}
    inventory: 'inventory/{{sport}}.ini'
    port: 8080
    vars:
      feed_providers: ['https://feeds.example.net/{{sport}}']
      event_management_endpoint: http://events.internal/normalized
""")
    return config, hosts, greens


def empty_greens(elb, greens, sports):
    for sport in sports:
        arn = greens[sport]
        targets = [{"Id": t["Target"]["Id"], "Port": t["Target"]["Port"]}
                   for t in elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]]
        if targets:
            elb.deregister_targets(TargetGroupArn=arn, Targets=targets)


def check(elb, greens, hosts, sports, release, who, registered=True):
    """Every host of the sports serves the release; every green group holds exactly its hosts, healthy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for sport in sports:
        for h in hosts[sport]:
            with opener.open(f"http://127.0.0.1:{h['port']}/health", timeout=5) as resp:
                body = json.loads(resp.read())
            if body.get("release") != release or body.get("sport") != sport:
                raise SystemExit(f"{who}: {h['name']} serves {body}, expected release {release} of {sport}")
        if registered:
            got = {(t["Target"]["Id"], t["Target"]["Port"], t["TargetHealth"]["State"])
                   for t in elb.describe_target_health(TargetGroupArn=greens[sport])["TargetHealthDescriptions"]}
            want = {(h["target"], h["port"], "healthy") for h in hosts[sport]}
            if got != want:
                raise SystemExit(f"{who}: green group of {sport} holds {sorted(got)}, expected {sorted(want)}")


def stop_ansible(work, pid_file):
    """After an interrupted run: cutover starts ansible-inventory / ansible-playbook in process groups of
    their own (here: the shim's), which outlive cutover. SIGTERM each such group still alive (only shims
    whose command line is under this run's work directory), then SIGKILL what is left after 10 s."""
    groups = []
    try:
        pids = [int(x) for x in open(pid_file).read().split()]
    except OSError:
        return 0
    for pid in pids:
        try:
            if work.encode() not in open(f"/proc/{pid}/cmdline", "rb").read():
                continue
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGTERM)
                groups.append(pid)
            else:
                os.kill(pid, signal.SIGTERM)
        except (OSError, ProcessLookupError):
            continue
    deadline = time.time() + 10
    for pgid in groups:
        while time.time() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return len(groups)


def stop_apps(work):
    """Stops every app a playbook started: the pid files under the install roots, only processes whose
    command line is under this run's work directory."""
    stopped = 0
    for dirpath, _, files in os.walk(os.path.join(work, "hosts")):
        for name in files:
            if not name.endswith(".pid"):
                continue
            try:
                pid = int(open(os.path.join(dirpath, name)).read().strip())
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
            except (ValueError, OSError):
                continue
            if work.encode() not in cmdline:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            stopped += 1
            deadline = time.time() + 5
            while time.time() < deadline and os.path.exists(f"/proc/{pid}") and not zombie(pid):
                time.sleep(0.05)
            if os.path.exists(f"/proc/{pid}") and not zombie(pid):
                os.kill(pid, signal.SIGKILL)
    return stopped


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# --------------------------------------------------------------------------- timing

class Bench:
    def __init__(self, binary, config, env, work):
        self.binary, self.config, self.env, self.work = binary, config, env, work
        self.shim_log = env["FLEET_SHIM_LOG"]
        self.state = 0
        self.release = 0
        self.artifacts = {}
        self.pids = []  # every cutover started: a killed one leaves its temp directories behind

    def remove_leftovers(self):
        for pid in self.pids:
            for path in glob.glob(os.path.join(tempfile.gettempdir(), f"cutover-{pid}-*")):
                shutil.rmtree(path, ignore_errors=True)

    def next_release(self):
        name = f"r{self.release}"
        self.release += 1
        self.artifacts[name] = str(make_artifact.build(os.path.join(self.work, "artifacts", f"app-{name}.tar.gz"), name))
        return name

    def shim_entries(self):
        with open(self.shim_log) as f:
            entries = [line.split() for line in f if line.strip()]
        open(self.shim_log, "w").close()
        return [{"tool": t, "start": float(a), "end": float(b), "rc": int(c), "sport": os.path.basename(d)[:-4]}
                for t, a, b, c, d in entries]

    def deploy(self, release, *more, env=None):
        """One `cutover deploy --json`: wall and CPU seconds (every child process it waited for: Ansible and
        its workers, not the apps, which are detached), start and end (epoch), its per-unit results and the
        ansible-inventory / ansible-playbook processes it ran."""
        self.state += 1
        cmd = [self.binary, "deploy", "-c", self.config, "--env", "staging", "--service", SERVICE, "--release", release,
               "--artifact", self.artifacts[release], "--state", os.path.join(self.work, f"state-{self.state}"),
               "--json"] + list(more)
        open(self.shim_log, "w").close()
        cpu = children_cpu()
        t0, start = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or self.env,
                                preexec_fn=die_with_parent)
        self.pids.append(proc.pid)
        with proc:
            try:
                stdout, stderr = proc.communicate()
            except BaseException:  # interrupted: kill cutover (its Ansible children: stop_ansible)
                proc.kill()
                raise
        wall = time.perf_counter() - start
        cpu = children_cpu() - cpu
        if proc.returncode != 0:
            raise SystemExit(f"cutover deploy {' '.join(more)} exited {proc.returncode}:\n{failure_text(stderr.decode())}")
        units = json.loads(stdout)
        for u in units:
            if u.get("healthy") != HOSTS or set(PHASES) - set(u.get("seconds", {})):
                raise SystemExit(f"cutover deploy {' '.join(more)}: unexpected unit result {json.dumps(u)[:1000]}")
        tools = self.shim_entries()
        want = len(SPORTS) if "--sport" not in more else 1
        if len(units) != want or sorted(e["tool"] for e in tools) != ["ansible-inventory"] * want + ["ansible-playbook"] * want:
            raise SystemExit(f"cutover deploy {' '.join(more)}: {len(units)} units, tools {tools}")
        for u in units:
            u["sport"] = u["unit"].rsplit("/", 1)[-1]
        return {"wall": wall, "cpu": cpu, "t0": t0, "t1": t0 + wall, "units": units, "tools": tools}

    def by_hand(self, capture, release):
        """ansible-playbook alone with what cutover handed it for the captured sport (playbook, vars,
        callback, arguments, Ansible environment), the release and artifact swapped. (wall, CPU)."""
        argv = open(os.path.join(capture, "argv")).read().splitlines()
        old_work = open(os.path.join(capture, "workdir")).read().strip()
        run_dir = os.path.join(self.work, "by-hand", release)
        shutil.copytree(capture, run_dir)
        argv = [a.replace(old_work, run_dir) for a in argv]
        vars_file = os.path.join(run_dir, "vars.json")
        variables = json.load(open(vars_file))
        variables["cutover_release"] = {"__ansible_unsafe": release}
        variables["cutover_artifact"] = {"__ansible_unsafe": self.artifacts[release]}
        with open(vars_file, "w") as f:
            json.dump(variables, f, indent=2)
        env = {k: v for k, v in self.env.items() if not k.startswith("ANSIBLE_")}
        for line in open(os.path.join(capture, "env")).read().splitlines():
            k, _, v = line.partition("=")
            env[k] = v.replace(old_work, run_dir)
        env["PATH"] = self.env["FLEET_REAL_PATH"]
        cpu = children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen([shutil.which("ansible-playbook", path=env["PATH"])] + argv, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            err = proc.communicate()[1]
        except BaseException:  # interrupted: end ansible-playbook and its workers (its own process group)
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - start
        cpu = children_cpu() - cpu
        result = os.path.join(run_dir, "result.json")
        if proc.returncode != 0 or not os.path.exists(result) or json.load(open(result)).get("failed_hosts"):
            raise SystemExit(f"ansible-playbook by hand exited {proc.returncode}: {err.decode()[-2000:]}")
        return wall, cpu


def failure_text(stderr):
    """After a crash, the crash line and the crashed thread's first frames (the rest of a Swift backtrace
    is idle threads and registers); otherwise cutover's own lines (not the streamed `[unit] ...` output)."""
    lines = stderr.splitlines()
    crash = []
    for i, line in enumerate(lines):
        if "Program crashed" in line:
            crash.append(line)
        elif line.endswith(" crashed:"):
            crash += lines[i:i + 6]
    if crash:
        return "\n".join(crash)
    return "\n".join(l for l in lines if not l.startswith("["))[-3000:] or stderr[-3000:]


def max_overlap(spans):
    events = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    best = now = 0
    for _, d in events:
        now += d
        best = max(best, now)
    return best


# --------------------------------------------------------------------------- main

def s(x):
    return f"{x:.2f} s"


def ms(x):
    return f"{x * 1000:.0f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int)
    parser.add_argument("--quick", action="store_true", help="1 run, print only (bench/results/fleet.md untouched)")
    parser.add_argument("--sequential", action="store_true",
                        help="also time four `cutover deploy --sport X` one after another (adds about a --parallel 1 per run)")
    parser.add_argument("--bin")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    binary, build = pick_binary(args.bin)
    if "DEBUG" not in build and os.sep + "debug" + os.sep in os.path.realpath(binary):
        build += ", a DEBUG build"
    if not shutil.which("ansible-playbook"):
        raise SystemExit("ansible-playbook is not on PATH")
    ansible_version = subprocess.run(["ansible-playbook", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below
    work = tempfile.mkdtemp(prefix="cutover-bench-fleet-")
    moto_log = open(os.path.join(work, "moto.log"), "w")
    moto_proc = bench = None
    began, load_before = time.time(), os.getloadavg()[0]
    stopped = 0
    rows = collections.defaultdict(list)  # contender -> [deploy() results]
    hand = []
    try:
        moto_proc, moto = start_moto(moto_log)
        config, hosts, greens = build_scenario(moto, work)
        elb = seed.client("elbv2", moto, REGION)
        os.makedirs(os.path.join(work, "artifacts"))
        for d in ("ansible-local", "ansible-remote"):
            os.makedirs(os.path.join(work, d))
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "CUTOVER_"))}
        shim_dir = os.path.join(work, "shim")
        write_shims(shim_dir, base.get("PATH", ""))
        env = dict(base, **CREDS, AWS_ENDPOINT_URL=moto, AWS_EC2_METADATA_DISABLED="true",
                   CUTOVER_STATE_DIR=os.path.join(work, "state"), PATH=shim_dir + os.pathsep + base.get("PATH", ""),
                   FLEET_REAL_PATH=base.get("PATH", ""), FLEET_SHIM_LOG=os.path.join(work, "shim.log"),
                   FLEET_SHIM_PIDS=os.path.join(work, "shim.pids"),
                   ANSIBLE_LOCAL_TEMP=os.path.join(work, "ansible-local"), ANSIBLE_REMOTE_TEMP=os.path.join(work, "ansible-remote"))
        bench = Bench(binary, config, env, work)
        capture = os.path.join(work, "capture")

        # Warm-up (untimed): every host up on r0; captures what cutover hands ansible-playbook per sport.
        release = bench.next_release()
        bench.deploy(release, "--parallel", "4", env=dict(env, FLEET_CAPTURE=capture))
        check(elb, greens, hosts, SPORTS, release, "warm-up")

        contenders = ["p4", "p1", "seq" if args.sequential else "single", "hand"]
        for k in range(runs):
            for c in contenders[k % 4:] + contenders[:k % 4]:  # rotate the order between runs
                release = bench.next_release()
                if c == "hand":
                    hand.append(bench.by_hand(os.path.join(capture, "football"), release))
                    check(elb, greens, hosts, ["football"], release, "ansible-playbook by hand", registered=False)
                    continue
                empty_greens(elb, greens, SPORTS)
                if c == "seq":
                    per_sport = [bench.deploy(release, "--sport", sp) for sp in SPORTS]
                    rows["seq"].append({"wall": sum(r["wall"] for r in per_sport), "cpu": sum(r["cpu"] for r in per_sport),
                                        "units": [u for r in per_sport for u in r["units"]],
                                        "tools": [e for r in per_sport for e in r["tools"]], "parts": per_sport})
                    rows["single"].append(per_sport[0])  # the football invocation
                elif c == "single":
                    rows["single"].append(bench.deploy(release, "--sport", "football"))
                else:
                    rows[c].append(bench.deploy(release, "--parallel", c[1:]))
                check(elb, greens, hosts, ["football"] if c == "single" else SPORTS, release, c)
    finally:
        if moto_proc is not None and moto_proc.poll() is not None:
            print(f"moto_server ended during the run (status {moto_proc.returncode}; a negative status is the signal "
                  "that ended it)", file=sys.stderr)
        stop_ansible(work, os.path.join(work, "shim.pids"))
        stopped = stop_apps(work)
        if bench is not None:
            bench.remove_leftovers()
        stop(moto_proc)
        moto_log.close()
        shutil.rmtree(work, ignore_errors=True)

    load_after, took = os.getloadavg()[0], time.time() - began
    med = statistics.median

    def per_unit(c, f):
        return med([f(u, r) for r in rows[c] for u in r["units"]])

    def tool(r, name, sport):
        return next(e for e in r["tools"] if e["tool"] == name and e["sport"] == sport)

    def dur(e):
        return e["end"] - e["start"]

    wall = {c: med([r["wall"] for r in rows[c]]) for c in rows}
    low = {c: min(r["wall"] for r in rows[c]) for c in rows}
    cpu = {c: med([r["cpu"] for r in rows[c]]) for c in rows}
    wall["hand"], low["hand"], cpu["hand"] = med([w for w, _ in hand]), min(w for w, _ in hand), med([c for _, c in hand])
    cores = os.cpu_count()

    # One sport: cutover's wall time, cut at the ansible-inventory and ansible-playbook processes.
    def single_split(r):
        u = r["units"][0]
        inv, pb = tool(r, "ansible-inventory", "football"), tool(r, "ansible-playbook", "football")
        return {"before": inv["start"] - r["t0"], "inventory": dur(inv), "between": pb["start"] - inv["end"],
                "playbook": dur(pb), "after": r["t1"] - pb["end"], "registration": u["seconds"]["registration"],
                "health_wait": u["seconds"]["health_wait"], "around": u["seconds"]["ansible"] - dur(pb),
                "overhead": r["wall"] - dur(pb)}
    split = {k: med([single_split(r)[k] for r in rows["single"]]) for k in single_split(rows["single"][0])}

    label = {"p4": f"`cutover deploy --service {SERVICE} --parallel 4` (one process, the 4 sports at once)",
             "p1": f"`cutover deploy --service {SERVICE} --parallel 1` (one process, one sport after another)",
             "seq": "four `cutover deploy --sport X`, one after another (sum of the 4 processes)",
             "single": "`cutover deploy --sport football`" + (" (the first of those four)" if "seq" in rows else ""),
             "hand": "`ansible-playbook` alone, football: cutover's playbook, vars, arguments and Ansible environment"}
    lines = ["# `cutover deploy` of an instance fleet (Feed Normalizer, 4 sports × 4 hosts) benchmark", "",
             f"Run {time.strftime('%Y-%m-%d')} on {cores} cores (a small, noisy VM: expect ±30% between runs) with "
             f"{ansible_version.strip()} against local hosts (`ansible_connection=local`, `service_manager=process`, so the 16 "
             f"\"hosts\" and their apps run on the controller's own {cores} cores) and an ALB in moto_server {moto_version()} "
             f"on loopback. Binary: {build} (`{os.path.relpath(binary, ROOT)}`)"
             + ("; **numbers from the debug build: rerun on a release build** (Ansible dominates, so it matters little here)" if "DEBUG" in build else "")
             + f". Load average {load_before:.1f} at the start and {load_after:.1f} at the end (other jobs share the machine); "
             f"the script took {took / 60:.1f} min. Median (and min) of {runs} runs; the contenders' order rotates between runs.", "",
             "Every timed deploy installs a new release (its own artifact), replacing the running one on every host: Ansible "
             "creates the release directory, unpacks, writes the configuration, switches `current`, restarts the app and waits "
             "for its health endpoint (an untimed warm-up deploy first brings every host up). Before each cutover run the green "
             "target groups are emptied (untimed), so every run registers 4 targets per sport; moto answers healthy at once, so "
             "cutover's health wait is a single DescribeTargetHealth. After each run the script checks (untimed) that every host "
             "serves the new release and every green group holds its 4 hosts, healthy. A `sh` shim first on cutover's PATH times "
             "each `ansible-inventory` and `ansible-playbook` cutover runs (a few ms each, counted in cutover's time).", "",
             "Rerun: `python3 bench/fleet.py` (`--runs N`, default 3; `--quick` = 1 run, print only; `--sequential` also times "
             "four `--sport X` invocations in a row; `CUTOVER_BIN=...` or `--bin` to pick the binary; the default is "
             ".build/release/cutover when it is not older than .build/debug/cutover). It starts and stops its own moto_server and "
             "every app the playbooks start. It never builds.", "",
             "## Wall time", "",
             "| case | what | median | min | CPU (median) |", "|---|---|---|---|---|"]
    for c in ("p4", "p1", "seq", "single", "hand"):
        if c in wall:
            what = "4 sports, 16 hosts" if c in ("p4", "p1", "seq") else "1 sport, 4 hosts"
            lines.append(f"| {what} | {label[c]} | {s(wall[c])} | {s(low[c])} | {s(cpu[c])} |")
    lines += ["", "CPU: user + system time of every process the contender waited for (cutover, ansible-inventory, ansible-playbook "
              "and its workers and modules; not the apps, which are detached, nor moto).", "",
              "Ratios (medians):", "",
              f"- `--parallel 1` / `--parallel 4` = **{wall['p1'] / wall['p4']:.2f}x**"
              + (f"; four `--sport` invocations / `--parallel 4` = **{wall['seq'] / wall['p4']:.2f}x**" if "seq" in wall else "") + ".",
              f"- CPU busy during `--parallel 4`: {cpu['p4'] / wall['p4']:.2f} of {cores} cores (`--parallel 1`: "
              f"{cpu['p1'] / wall['p1']:.2f}). A sport's deploy needs {cpu['single']:.1f} CPU-seconds, so 4 sports need about "
              f"{4 * cpu['single']:.0f} s of CPU: no less than {4 * cpu['single'] / cores:.0f} s of wall time on {cores} cores whatever the parallelism.",
              f"- one sport: `cutover deploy` / `ansible-playbook` alone = **{wall['single'] / wall['hand']:.2f}x** (medians of separate "
              f"runs, noisy); within the same invocation cutover's time outside ansible-playbook is **{s(split['overhead'])}** "
              f"({100 * split['overhead'] / wall['single']:.0f}% of its wall time), see below.", "",
              "## Where the time goes", "",
              "### One sport (`cutover deploy --sport football`), medians", "",
              "| part | time |", "|---|---|",
              f"| process start → `ansible-inventory` starts (config, AWS reads: listener rule, target groups, tags) | {ms(split['before'])} |",
              f"| `ansible-inventory -i inventory/football.ini --list` (host discovery) | {ms(split['inventory'])} |",
              f"| → `ansible-playbook` starts (render the playbook, write vars and callback, spawn) | {ms(split['between'])} |",
              f"| `ansible-playbook` (the process) | {s(split['playbook'])} |",
              f"| `ansible-playbook` ends → cutover exits | {ms(split['after'])} |",
              f"| of which registration (DescribeTargetHealth, RegisterTargets, AddTags) | {ms(split['registration'])} |",
              f"| of which health wait (DescribeTargetHealth until all healthy) | {ms(split['health_wait'])} |",
              f"| cutover's `seconds.ansible` − the ansible-playbook process (render, files, spawn, read the result) | {ms(split['around'])} |",
              f"| **everything but ansible-playbook** | **{ms(split['overhead'])}** |", "",
              "### Per unit (one sport, 4 hosts), medians over every unit of every run", "",
              "| mode | ansible-inventory | ansible (cutover's `seconds`) | the ansible-playbook process | registration | health wait |",
              "|---|---|---|---|---|---|"]
    for c, name in (("p4", "`--parallel 4`"), ("p1", "`--parallel 1`"), ("seq", "`--sport X` ×4"), ("single", "`--sport football`")):
        if c not in rows:
            continue
        lines.append(f"| {name} | {ms(per_unit(c, lambda u, r: dur(tool(r, 'ansible-inventory', u['sport']))))} | "
                     f"{s(per_unit(c, lambda u, r: u['seconds']['ansible']))} | "
                     f"{s(per_unit(c, lambda u, r: dur(tool(r, 'ansible-playbook', u['sport']))))} | "
                     f"{ms(per_unit(c, lambda u, r: u['seconds']['registration']))} | "
                     f"{ms(per_unit(c, lambda u, r: u['seconds']['health_wait']))} |")
    p1_outside = med([r["wall"] - sum(dur(e) for e in r["tools"]) - sum(u["seconds"]["registration"] + u["seconds"]["health_wait"]
                                                                        for u in r["units"]) for r in rows["p1"]])
    lines += ["", f"`--parallel 1`: the process's wall time minus its 4 ansible-inventory and 4 ansible-playbook processes and "
              f"the registrations and health waits: {ms(p1_outside)} for 4 units (the AWS reads, rendering, process start and exit).", ""]

    # --parallel 4 timelines
    mid = sorted(rows["p4"], key=lambda r: r["wall"])[len(rows["p4"]) // 2]
    lines += [f"### `--parallel 4` timeline (the median run, {s(mid['wall'])}; seconds from the process start)", "",
              "| sport | ansible-inventory | ansible-playbook | registration + health wait |", "|---|---|---|---|"]
    for u in sorted(mid["units"], key=lambda u: tool(mid, "ansible-inventory", u["sport"])["start"]):
        inv, pb = tool(mid, "ansible-inventory", u["sport"]), tool(mid, "ansible-playbook", u["sport"])
        lines.append(f"| {u['sport']} | {inv['start'] - mid['t0']:.1f} → {inv['end'] - mid['t0']:.1f} | "
                     f"{pb['start'] - mid['t0']:.1f} → {pb['end'] - mid['t0']:.1f} | "
                     f"{ms(u['seconds']['registration'] + u['seconds']['health_wait'])} |")
    inv_overlap = max(max_overlap([(e["start"], e["end"]) for e in r["tools"] if e["tool"] == "ansible-inventory"]) for r in rows["p4"])
    pb_overlap = min(max_overlap([(e["start"], e["end"]) for e in r["tools"] if e["tool"] == "ansible-playbook"]) for r in rows["p4"])
    last_start = med([max(e["start"] for e in r["tools"] if e["tool"] == "ansible-playbook")
                      - min(e["start"] for e in r["tools"] if e["tool"] == "ansible-playbook") for r in rows["p4"]])
    lines += ["", f"Over all `--parallel 4` runs: at most {inv_overlap} ansible-inventory processes ran at once; at least "
              f"{pb_overlap} ansible-playbook processes ran at once at some point; the last ansible-playbook started a median "
              f"{s(last_start)} after the first.", ""]
    inv_single = split["inventory"]
    gain = wall["p1"] / wall["p4"]
    lines += ["## Notes", "",
              f"- Ansible is the deploy: for one sport the ansible-playbook process is {100 * split['playbook'] / wall['single']:.0f}% "
              f"of cutover's wall time. Registration ({ms(split['registration'])}) and the health wait ({ms(split['health_wait'])}) "
              "are a few requests to moto each.",
              f"- `--parallel 4` vs `--parallel 1`: {gain:.2f}x here"
              + (" — no gain" if gain < 1.2 else "") + f". The 16 local \"hosts\" run Ansible's modules and the apps on this "
              f"machine's {cores} cores, shared with each other and with whatever else runs (see the load average): the deploy "
              f"is bound by CPU ({cpu['p4']:.0f} CPU-seconds for `--parallel 4`, which got {cpu['p4'] / wall['p4']:.1f} of the "
              f"{cores} cores), so overlapping the sports cannot shorten it, and 4 ansible-playbook controllers at once only add "
              "contention. This "
              "setup cannot show what `--parallel` is for: with real hosts the module work runs on the hosts (the controller "
              "mostly waits on ssh), and on AWS a newly registered target is healthy only after `healthy threshold × interval` "
              "(the seeded groups: 3 × 10 s; AWS's default 5 × 30 s), which `--parallel 4` overlaps across sports and "
              "`--parallel 1` pays once per sport (cutover polls every 2 s). moto reports a target healthy as soon as it is registered.",
              f"- cutover's own time is mostly host discovery: it runs `ansible-inventory --list` per unit ({ms(inv_single)} for one "
              f"sport, a full Ansible start) to read a static inventory, then ansible-playbook starts Ansible again from scratch "
              f"(the price of reading every inventory format Ansible reads). Under "
              f"`--parallel 4` at most {inv_overlap} ansible-inventory ran at once and the last sport's ansible-playbook started "
              f"{s(last_start)} after the first"
              + (": discovery was serialised. A synchronous wait inside async code (it holds one of the concurrency pool's "
                 "threads, as many as cores) is the usual cause." if inv_overlap == 1 else "."),
              f"- Everything else in cutover (config, the AWS reads before Ansible, rendering and writing the playbook, vars and "
              f"callback, reading the result, registration, health wait, exit) adds up to "
              f"{ms(split['overhead'] - inv_single)} for one sport.", ""]
    lines += [f"(The script stopped {stopped} app processes at the end.)", ""]
    text = "\n".join(lines)
    if not args.quick:
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", "fleet.md"), "w") as f:
            f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
