#!/usr/bin/env python3
"""Benchmark `cutover status` and `cutover promote` against AWS emulated by moto_server on loopback, in one
script, on one moto:

1. `cutover status` for 3 groups vs `aws elbv2 describe-listeners --listener-arns A B C` (awscli v1).
2. `cutover promote` of 3 and of 30 listeners (steps [100], bake 0s) vs
   a. a shell script running `aws elbv2 modify-listener` once per listener, one after another;
   b. the floor: the very requests cutover's promotion sends (captured once through faultproxy.py),
      grouped into rounds by dependency and replayed unsigned, each round all at once with
      `curl --parallel`, rounds one after another.
Also reports what cutover's promotion of 30 sends per action and where its wall time goes.

Every timed promote starts from blue 100 / green 0 with a fresh state directory: the weights are put
back (boto3 ModifyListener, untimed) before each timed run of every contender, and after each one the
script checks (untimed) that every listener really ended at green 100.

Binary: --bin, else $CUTOVER_BIN, else .build/release/cutover when it is at least as new as
.build/debug/cutover, else the debug build (the results say which). This script never builds.

Usage: bench/aws.py [--runs N] [--quick] [--bin PATH]    (writes bench/results/aws.md; --quick: 3 runs,
       prints only)
"""
import argparse, collections, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
import urllib.request
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(ROOT, "Tests", "Support", "aws")
sys.path.insert(0, SUPPORT)
import seed  # noqa: E402  (Tests/Support/aws/seed.py)

REGION = "eu-west-1"
RELEASE = "R1"
MAX_UNITS = 30
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


# --------------------------------------------------------------------------- processes

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """preexec_fn: the child gets SIGTERM if this script dies, however it dies (Linux)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def start_moto(log):
    port = free_port()
    proc = subprocess.Popen([shutil.which("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            env=dict(os.environ, MOTO_ECS_SERVICE_RUNNING="2"), stdout=log, stderr=log,
                            preexec_fn=die_with_parent)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                stop(proc)
                raise SystemExit("moto_server did not start")
            time.sleep(0.1)


def start_proxy(upstream):
    """faultproxy.py in front of moto, logging every request (it sets TCP_NODELAY: without it, Nagle plus
    delayed ACK stalled every sequential request by ~45 ms and distorted the log's timestamps)."""
    proc = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "faultproxy.py"), "--upstream", upstream, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=die_with_parent)
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        stop(proc)
        raise SystemExit(f"faultproxy did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


def proxy_call(url, path, method="GET"):
    req = urllib.request.Request(url + path, data=b"" if method == "POST" else None, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


# --------------------------------------------------------------------------- scenario

def build_scenario(moto, work):
    """MAX_UNITS ALBs, each with a listener forwarding blue 100 / green 0; green tagged with the
    release; one running instance registered in both groups (moto reports it healthy)."""
    spec = {
        "target_groups": {f"b-svc{i}-green": {"tags": {"cutover:release": RELEASE}} for i in range(MAX_UNITS)},
        "albs": [{"name": f"b-alb{i}", "listener": {"port": 80, "default": {
            "blue": f"b-svc{i}-blue", "green": f"b-svc{i}-green", "green_weight": 0}}} for i in range(MAX_UNITS)],
        "instances": [{"name": f"i{i}", "register": [f"b-svc{i}-blue", f"b-svc{i}-green"]} for i in range(MAX_UNITS)],
    }
    out = seed.seed(spec, moto, REGION)
    units = []
    for i in range(MAX_UNITS):
        lst = out["albs"][f"b-alb{i}"]["listeners"][0]
        units.append({"i": i, "listener": lst["arn"], "blue": f"b-svc{i}-blue", "green": f"b-svc{i}-green",
                      "blue_arn": lst["default"]["blue_arn"], "green_arn": lst["default"]["green_arn"],
                      "actions": lst["default"]["actions"]})
    configs = {}
    for n in (3, MAX_UNITS):
        lines = ["version: 1", "name: bench", "jenkins:", "  url: https://jenkins.example.com", "  folder: releases/bench",
                 "  agent: linux", "  approvers: [rm]", "  source: {url: https://git.example.com/r.git, branch: main}",
                 "  config: cutover.yml", "aws:", f"  region: {REGION}", "promotion:", "  parallel: true", "  steps: [100]",
                 "  bake: 0s", "  min_healthy_percent: 100", "  health_timeout: 30s", "environments:", "  staging:",
                 "    listeners:"]
        lines += [f"      l{u['i']}: {u['listener']}" for u in units[:n]]
        lines.append("services:")
        for u in units[:n]:
            lines += [f"  svc{u['i']}:", "    kind: instances", f"    listener: l{u['i']}",
                      f"    target_groups: {{blue: {u['blue']}, green: {u['green']}}}"]
        configs[n] = os.path.join(work, f"bench-{n}.yml")
        with open(configs[n], "w") as f:
            f.write("\n".join(lines) + "\n")
    return units, configs


def green_actions(u):
    return [{"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": u["blue_arn"], "Weight": 0}, {"TargetGroupArn": u["green_arn"], "Weight": 100}],
        "TargetGroupStickinessConfig": {"Enabled": False}}}]


def reset(elb, units):
    for u in units:
        elb.modify_listener(ListenerArn=u["listener"], DefaultActions=u["actions"])


def check_green(elb, units, who):
    got = elb.describe_listeners(ListenerArns=[u["listener"] for u in units])["Listeners"]
    for lst in got:
        u = next(x for x in units if x["listener"] == lst["ListenerArn"])
        weights = {g["TargetGroupArn"]: g.get("Weight") for g in lst["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]}
        if weights.get(u["green_arn"]) != 100 or weights.get(u["blue_arn"], 0) != 0:
            raise SystemExit(f"{who}: listener {u['listener']} is not at green 100 afterwards: {weights}")
    if len(got) != len(units):
        raise SystemExit(f"{who}: {len(got)} of {len(units)} listeners found")


# --------------------------------------------------------------------------- timing

def run(cmd, env, ok=(0,)):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])} ... exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return elapsed


def capture(binary, args, env, proxy):
    """Runs cutover once through the proxy; returns (its log, process start, process end) in epoch seconds."""
    proxy_call(proxy, "/__proxy/reset", "POST")
    env = dict(env, AWS_ENDPOINT_URL=proxy)
    start = time.time()
    proc = subprocess.run([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    end = time.time()
    if proc.returncode != 0:
        raise SystemExit(f"captured cutover {args[0]} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    log = sorted(proxy_call(proxy, "/__proxy/log"), key=lambda e: e["t"])
    for e in log:
        # A state store's first read of a journal that does not exist yet answers 404; a delete, 204.
        if e["status"] != 200 and not (e.get("service") == "s3" and e["status"] in (204, 404)):
            raise SystemExit(f"captured request {e['action']} answered {e['status']}")
    return log, start, end


def form_pairs(text):
    """The proxy logs query bodies URL-decoded; split them back (values here hold no '&' or '=')."""
    pairs = []
    for part in text.split("&"):
        key, _, value = part.partition("=")
        pairs.append((key, value))
    return pairs


def rounds_by_dependency(log, units):
    """Groups the captured requests into rounds; returns (rounds, how many units had to be aligned,
    how many could not be).

    Each request belongs to the unit(s) whose listener ARN, target group name or ARN it carries. Per
    unit, in arrival order, a request opens the unit's next step when it started after a request of the
    unit's current step had finished (it may depend on it); otherwise it was in flight with it (sent
    concurrently) and joins it. Requests of different units never depend on each other except through
    cutover's barriers (preflight every group, then write), so round k = every unit's step k.

    A request can sit in the HTTP pool's queue until a sibling has finished, and then looks like a step
    of its own. The per-unit pattern (the actions of each step) is the same for every unit, so such a unit's steps
    are merged back to the most common pattern where their actions add up to it exactly."""
    owner = {}
    for u in units:
        for key in ("listener", "blue", "green", "blue_arn", "green_arn"):
            owner[u[key]] = u["i"]
    steps = collections.defaultdict(list)  # unit -> [[entry index, ...] per step]
    first_end = {}
    mine_of = []
    for idx, e in enumerate(log):
        if e.get("service") == "s3":
            continue  # the state store's requests belong to no unit (see s3_rounds)
        mine = sorted({owner[v] for _, v in form_pairs(e["body"]) if v in owner})
        if not mine:
            raise SystemExit(f"captured request {e['action']} names no unit: {e['body'][:200]}")
        mine_of.append(mine)
        start, end = e["t"], e["t"] + e["ms"] / 1000
        for u in mine:
            if not steps[u] or start >= first_end[u]:
                steps[u].append([idx])
                first_end[u] = end
            else:
                steps[u][-1].append(idx)
                first_end[u] = min(first_end[u], end)

    def sig(step):
        return tuple(sorted(collections.Counter(log[i]["action"] for i in step).items()))

    patterns = collections.Counter(tuple(sig(s) for s in unit_steps) for unit_steps in steps.values())
    canonical = [collections.Counter(dict(s)) for s in patterns.most_common(1)[0][0]]
    aligned, failed = 0, 0
    round_of = collections.defaultdict(int)  # entry index -> round
    for u, unit_steps in steps.items():
        placed, k, acc = {}, 0, collections.Counter()
        for step in unit_steps:
            acc += collections.Counter(log[i]["action"] for i in step)
            if k >= len(canonical) or any(acc[a] > canonical[k][a] for a in acc):
                placed = None
                break
            placed.update((i, k) for i in step)
            if acc == canonical[k]:
                k, acc = k + 1, collections.Counter()
        if placed is None or k != len(canonical) or acc:
            failed += 1
            placed = {i: k for k, step in enumerate(unit_steps) for i in step}
        elif len(unit_steps) != len(canonical):
            aligned += 1
        for i, k in placed.items():
            round_of[i] = max(round_of[i], k)
    rounds = collections.defaultdict(list)
    for idx, e in enumerate(log):
        if e.get("service") != "s3":
            rounds[round_of[idx]].append(e)
    return [rounds[k] for k in sorted(rounds)], aligned, failed


def s3_rounds(log):
    """The state store's share of a captured promotion: its requests by kind, and how many request
    rounds they add, i.e. runs of S3 requests during which no ELBv2 request was in flight."""
    kinds = collections.Counter(f"{e['method']} {'lock' if 'lock.json' in e['path'] else 'journal'}" for e in log if e.get("service") == "s3")
    added, previous_s3 = 0, False
    events = sorted(log, key=lambda e: e["t"])
    for i, e in enumerate(events):
        if e.get("service") != "s3":
            previous_s3 = False
            continue
        start, end = e["t"], e["t"] + e["ms"] / 1000
        overlapped = any(o.get("service") != "s3" and o["t"] < end and o["t"] + o["ms"] / 1000 > start for o in events)
        if not overlapped and not previous_s3:
            added += 1
        previous_s3 = not overlapped
    return kinds, added


def rounds_by_time(log):
    """The brief's literal rule over the whole log: a request opens a new round when it started after
    a request of the current round had finished. Shows how cutover actually sequences its requests."""
    out, first_end = [], None
    for e in log:
        if not out or e["t"] >= first_end:
            out.append([e])
            first_end = e["t"] + e["ms"] / 1000
        else:
            out[-1].append(e)
            first_end = min(first_end, e["t"] + e["ms"] / 1000)
    return out


def merged_rounds(log, units):
    """What cutover could send for the same promotion with its reads merged: the listeners, target
    groups and tags of every unit read in batched calls of at most 20 (DescribeTags' documented limit,
    used for all three), the read-back batched the same way and sent together with the health gate
    (which does not depend on it). The writes (the captured ModifyListener bodies) and the
    DescribeTargetHealth calls (one group per call in the API) stay one per unit."""
    def batch(action, member, values):
        return [{"action": action, "service": "elasticloadbalancing",
                 "body": "&".join([f"Action={action}", "Version=2015-12-01"]
                                  + [f"{member}.member.{j + 1}={v}" for j, v in enumerate(values[i:i + 20])])}
                for i in range(0, len(values), 20)]

    def health():
        return [{"action": "DescribeTargetHealth", "service": "elasticloadbalancing",
                 "body": f"Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn={u['green_arn']}"} for u in units]

    listeners = [u["listener"] for u in units]
    writes = [e for e in log if e["action"] == "ModifyListener"]
    return [batch("DescribeListeners", "ListenerArns", listeners)
            + batch("DescribeTargetGroups", "Names", [u[c] for u in units for c in ("blue", "green")]),
            batch("DescribeTags", "ResourceArns", [u[c] for u in units for c in ("blue_arn", "green_arn")]),
            health(), writes, batch("DescribeListeners", "ListenerArns", listeners) + health()]


def curl_rounds(rounds, moto, work, tag, parallel=64):
    """One curl argv per round: every request of the round, unsigned (moto ignores signatures; the
    Authorization header only names the service, which is how moto_server routes on one port)."""
    argvs = []
    for k, reqs in enumerate(rounds):
        argv = ["curl", "-s", "--parallel", "--parallel-immediate", "--parallel-max", str(parallel)]
        for j, e in enumerate(reqs):
            path = os.path.join(work, f"{tag}-r{k}-{j}.body")
            with open(path, "w") as f:
                f.write("&".join(f"{quote(a, safe='-_.~')}={quote(b, safe='-_.~')}" for a, b in form_pairs(e["body"])))
            auth = (f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{e['service'] or 'elasticloadbalancing'}/"
                    "aws4_request, SignedHeaders=host, Signature=0")
            if j:
                argv.append("--next")
            argv += [moto + "/", "-H", f"Authorization: {auth}",
                     "-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                     "--data-binary", "@" + path, "-o", "/dev/null", "-w", "%{http_code}\\n"]
        argvs.append(argv)
    return argvs


def replay(argvs):
    start = time.perf_counter()
    outs = [subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for argv in argvs]
    elapsed = time.perf_counter() - start
    for argv, out in zip(argvs, outs):
        codes = out.stdout.split()
        if out.returncode != 0 or len(codes) != argv.count("--next") + 1 or set(codes) != {"200"}:
            raise SystemExit(f"floor replay: curl exited {out.returncode}, codes {codes}: {out.stderr[-500:]}")
    return elapsed


def awscli_script(units, moto, path):
    aws = shutil.which("aws")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nset -e\n")
        for u in units:
            f.write(f"'{aws}' elbv2 modify-listener --endpoint-url {moto} --region {REGION} --listener-arn '{u['listener']}' "
                    f"--default-actions '{json.dumps(green_actions(u))}' > /dev/null\n")
    return ["sh", path]


# --------------------------------------------------------------------------- main

def moto_version():
    try:
        from importlib.metadata import version
        return version("moto")
    except Exception:
        return "(version unknown)"


def pick_binary(arg):
    if arg:
        return arg, "given with --bin"
    if os.environ.get("CUTOVER_BIN"):
        return os.environ["CUTOVER_BIN"], "$CUTOVER_BIN"
    release, debug = (os.path.join(ROOT, ".build", kind, "cutover") for kind in ("release", "debug"))
    if os.path.exists(release) and (not os.path.exists(debug) or os.path.getmtime(release) >= os.path.getmtime(debug)):
        return release, "release build"
    if os.path.exists(debug):
        note = ", the release binary being older" if os.path.exists(release) else ""
        return debug, "DEBUG build" + note
    raise SystemExit("no cutover binary: build it (swift build -c release) or set CUTOVER_BIN")


def ms(x):
    return f"{x * 1000:.0f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int)
    parser.add_argument("--quick", action="store_true", help="3 runs, print only (bench/results/aws.md untouched)")
    parser.add_argument("--bin")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    binary, build = pick_binary(args.bin)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below
    work = tempfile.mkdtemp(prefix="cutover-bench-aws-")
    moto_log = open(os.path.join(work, "moto.log"), "w")
    moto_proc = proxy_proc = None
    times = collections.defaultdict(list)
    began, load_before = time.time(), os.getloadavg()[0]
    try:
        moto_proc, moto = start_moto(moto_log)
        proxy_proc, proxy = start_proxy(moto)
        units, configs = build_scenario(moto, work)
        elb = seed.client("elbv2", moto, REGION)
        base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env = dict(base, **CREDS, AWS_ENDPOINT_URL=moto, AWS_EC2_METADATA_DISABLED="true")
        aws_env = dict(base, **CREDS, AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                       AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        state = iter(range(10**6))

        def cutover(n, *more):
            return [binary, more[0], "-c", configs[n], "--env", "staging",
                    "--state", os.path.join(work, f"state-{next(state)}")] + list(more[1:])

        def cutover_s3(n, *more):
            # A fresh prefix per run: every promotion starts with no journal, as the local runs do.
            return [binary, more[0], "-c", configs[n], "--env", "staging",
                    "--state", f"s3://bench-state/run-{next(state)}"] + list(more[1:])

        seed.client("s3", moto, REGION).create_bucket(Bucket="bench-state", CreateBucketConfiguration={"LocationConstraint": REGION})

        # Capture what cutover sends (untimed): status of 3, promote of 3 and of 30 (3 captures each, for the
        # wall-time split), through the proxy.
        status_log, _, _ = capture(binary, cutover(3, "status")[1:], env, proxy)
        captures = {}
        for n in (3, MAX_UNITS):
            captures[n] = []
            for _ in range(3):
                reset(elb, units[:n])
                captures[n].append(capture(binary, cutover(n, "promote", "--release", RELEASE)[1:], env, proxy))
                check_green(elb, units[:n], "captured promote")
            reset(elb, units[:n])
            captures[f"s3-{n}"] = capture(binary, cutover_s3(n, "promote", "--release", RELEASE)[1:], env, proxy)
            check_green(elb, units[:n], "captured promote, state in S3")
        stop(proxy_proc)
        proxy_proc = None
        floors = {}
        for n in (3, MAX_UNITS):
            log = captures[n][0][0]
            dep, aligned, failed = rounds_by_dependency(log, units[:n])
            merged = merged_rounds(log, units[:n])
            floors[n] = {"rounds": dep, "by_time": rounds_by_time(log), "aligned": aligned, "failed": failed, "merged": merged,
                         "replay": curl_rounds(dep, moto, work, f"floor{n}"),
                         "replay8": curl_rounds(dep, moto, work, f"floor8-{n}", 8),
                         "replay_merged": curl_rounds(merged, moto, work, f"merged{n}")}

        describe = [shutil.which("aws"), "elbv2", "describe-listeners", "--endpoint-url", moto, "--region", REGION,
                    "--listener-arns"] + [u["listener"] for u in units[:3]]
        loops = {n: awscli_script(units[:n], moto, os.path.join(work, f"awscli-{n}.sh")) for n in (3, MAX_UNITS)}
        for _ in range(runs):
            times["status"].append(run(cutover(3, "status"), env))
            times["describe"].append(run(describe, aws_env))
            for n in (3, MAX_UNITS):
                reset(elb, units[:n])
                times[f"promote{n}"].append(run(cutover(n, "promote", "--release", RELEASE), env))
                check_green(elb, units[:n], "cutover promote")
                reset(elb, units[:n])
                times[f"s3-{n}"].append(run(cutover_s3(n, "promote", "--release", RELEASE), env))
                check_green(elb, units[:n], "cutover promote, state in S3")
                reset(elb, units[:n])
                times[f"awscli{n}"].append(run(loops[n], aws_env))
                check_green(elb, units[:n], "awscli loop")
                reset(elb, units[:n])
                times[f"floor{n}"].append(replay(floors[n]['replay']))
                check_green(elb, units[:n], "floor replay")
                reset(elb, units[:n])
                times[f"floor8-{n}"].append(replay(floors[n]['replay8']))
                check_green(elb, units[:n], "floor replay, 8 at a time")
                reset(elb, units[:n])
                times[f"merged{n}"].append(replay(floors[n]['replay_merged']))
                check_green(elb, units[:n], "merged floor replay")
    finally:
        stop(proxy_proc)
        stop(moto_proc)
        moto_log.close()
        shutil.rmtree(work, ignore_errors=True)

    load_after, took = os.getloadavg()[0], time.time() - began
    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}
    n = MAX_UNITS
    lines = ["# `cutover status` / `cutover promote` against AWS (moto) benchmark", "",
             f"Run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores (a small, noisy VM: expect ±30% between runs) against "
             f"moto_server {moto_version()} on loopback (one Python process; it closes the connection after every answer, so every "
             f"request of every contender opens a new TCP connection). Binary: {build} (`{os.path.relpath(binary, ROOT)}`)"
             + ("; **numbers from the debug build: rerun on a release build**" if "DEBUG" in build else "")
             + f". Load average {load_before:.1f} at the start and {load_after:.1f} at the end (other jobs share the machine); "
             f"the script took {took / 60:.1f} min. Median (and min) of {runs} runs, wall time of the whole process(es). Every promotion starts from "
             f"blue 100 / green 0 (reset untimed) with a fresh state directory, and is checked afterwards (untimed) to "
             f"have left every listener at green 100. Promotion config: `steps: [100]`, `bake: 0s`, `parallel: true`.", "",
             "Rerun: `python3 bench/aws.py` (`--runs N`, `--quick` = 3 runs, print only; `CUTOVER_BIN=...` or `--bin` to pick "
             "the binary; the default is .build/release/cutover when it is not older than .build/debug/cutover). It starts "
             "and stops its own moto_server and faultproxy. It never builds.", "",
             "| case | what | median | min |", "|---|---|---|---|",
             f"| status, 3 groups | `cutover status` (per group: listener, 2 target groups by name, tags, health of both) | {ms(med['status'])} | {ms(low['status'])} |",
             f"| status, 3 groups | `aws elbv2 describe-listeners --listener-arns A B C` (1 request, weights only) | {ms(med['describe'])} | {ms(low['describe'])} |"]
    for k in (3, n):
        fl, ft = floors[k]['rounds'], floors[k]['by_time']
        lines += [
            f"| promote, {k} listeners | `cutover promote`, state in a local directory | {ms(med[f'promote{k}'])} | {ms(low[f'promote{k}'])} |",
            f"| promote, {k} listeners | `cutover promote`, journal and lock in S3 (moto) | {ms(med[f's3-{k}'])} | {ms(low[f's3-{k}'])} |",
            f"| promote, {k} listeners | shell loop of `aws elbv2 modify-listener`, one process per listener | {ms(med[f'awscli{k}'])} | {ms(low[f'awscli{k}'])} |",
            f"| promote, {k} listeners | floor: cutover's {sum(map(len, fl))} requests in {len(fl)} rounds, `curl --parallel` per round | {ms(med[f'floor{k}'])} | {ms(low[f'floor{k}'])} |",
            f"| promote, {k} listeners | the same floor with `--parallel-max 8` (AsyncHTTPClient's default pool) | {ms(med[f'floor8-{k}'])} | {ms(low[f'floor8-{k}'])} |",
            f"| promote, {k} listeners | what-if: the same promotion with merged reads: {sum(map(len, floors[k]['merged']))} requests in {len(floors[k]['merged'])} rounds, see below | {ms(med[f'merged{k}'])} | {ms(low[f'merged{k}'])} |"]
    lines += ["", "Ratios (medians):", "",
              f"- status, 3 groups: cutover / awscli describe-listeners = **{med['status'] / med['describe']:.2f}x** "
              f"(not like for like: cutover sends {len(status_log)} requests and also reads tags and health; awscli sends 1)."]
    for k in (3, n):
        to_floor = med[f"promote{k}"] / med[f"floor{k}"]
        to_cli = med[f"awscli{k}"] / med[f"promote{k}"]
        lines.append(f"- promote {k}: cutover / floor = **{to_floor:.2f}x** (target ≤ 1.5x: {'NOT met' if to_floor > 1.5 else 'met, narrowly (within the noise)' if to_floor > 1.35 else 'met'}); "
                     f"awscli loop / cutover = **{to_cli:.1f}x** (target: several times faster, taken as ≥ 3x: {'met' if to_cli >= 3 else 'NOT met'}).")
    for k in (3, n):
        kinds, added = s3_rounds(captures[f"s3-{k}"][0])
        to_floor = med[f"s3-{k}"] / med[f"floor{k}"]
        lines.append(f"- promote {k}, state in S3: cutover / floor = **{to_floor:.2f}x** (target ≤ 1.5x at 30: {'NOT met' if to_floor > 1.5 else 'met'}); "
                     f"S3 / local state = **{med[f's3-{k}'] / med[f'promote{k}']:.2f}x**. The store sent "
                     + ", ".join(f"{c} {kind}" for kind, c in sorted(kinds.items()))
                     + f"; {added} request rounds with no ELBv2 request in flight (target ≤ 2).")
    lines.append("- The state store's rounds: (1) the lock PUT (If-None-Match) with the journal GET beside it; (2) the journal PUT "
                 "holding the saved actions and the first step, which must land before the first listener write; (3) the last "
                 "journal PUT with the lock DELETE beside it. Reading the listeners alongside the lock PUT would save one more, "
                 "but reads taken before the lock is held can predate the previous holder's last write, so they wait for it.")
    lines += [f"- promote {k}: cutover / floor at 8 requests at a time = **{med[f'promote{k}'] / med[f'floor8-{k}']:.2f}x**."
              for k in (3, n)]
    lines += [f"- promote {k}: the floor with merged reads is {med[f'floor{k}'] / med[f'merged{k}']:.2f}x faster than cutover's own floor "
              f"({sum(map(len, floors[k]['merged']))} instead of {sum(map(len, floors[k]['rounds']))} requests, {len(floors[k]['merged'])} instead of {len(floors[k]['rounds'])} rounds)."
              for k in (3, n)]
    lines += ["", "The awscli loop only writes (no preflight, no read-back, no health check): it does a fraction of "
              "cutover's work, in one Python process per listener.", ""]

    # Request pattern of the promotion of 30.
    for k in (3, n):
        fl, ft = floors[k]['rounds'], floors[k]['by_time']
        lines += [f"## What `cutover promote` of {k} sends", "",
                  f"Captured through Tests/Support/aws/faultproxy.py (run with TCP_NODELAY, see below). "
                  f"{sum(map(len, fl))} requests; by action:", "",
                  "| action | requests |", "|---|---|"]
        counts = collections.Counter(e["action"] for e in captures[k][0][0] if e.get("service") != "s3")
        lines += [f"| {a} | {c} |" for a, c in counts.most_common()]
        lines += ["", f"Rounds by dependency (what the floor replays): {len(fl)}"
                  + (f" ({floors[k]['aligned']} of {k} units had a request queued behind its sibling in cutover's 8-connection "
                     f"pool and were aligned to the common per-unit pattern)" if floors[k]['aligned'] else "")
                  + (f" (**{floors[k]['failed']} units did not fit the common pattern**)" if floors[k]['failed'] else "") + ":", ""]
        for i, r in enumerate(fl):
            c = collections.Counter(e["action"] for e in r)
            lines.append(f"{i + 1}. " + ", ".join(f"{v} {a}" for a, v in c.most_common()))
        lines += ["", f"The floor with merged reads ({sum(map(len, floors[k]['merged']))} requests in {len(floors[k]['merged'])} rounds):", ""]
        for i, r in enumerate(floors[k]['merged']):
            c = collections.Counter(e["action"] for e in r)
            lines.append(f"{i + 1}. " + ", ".join(f"{v} {a}" for a, v in c.most_common()))
        seq = sum(1 for r in ft if len(r) == 1)
        lines += ["", f"By the arrival times alone (a request opens a new round when it started after one of the "
                  f"current round finished) the log has {len(ft)} rounds, {seq} of them a single request.", ""]
        splits = []
        for log, start, end in captures[k]:
            first = log[0]["t"]
            last = max(e["t"] + e["ms"] / 1000 for e in log)
            splits.append((first - start, last - first, end - last, end - start))
        s = [statistics.median(x) for x in zip(*splits)]
        phases = []
        for r in fl:
            phases.append((r[0]["action"], min(e["t"] for e in r), max(e["t"] + e["ms"] / 1000 for e in r)))
        lines += [f"Wall time split (median of {len(splits)} captured runs, through the proxy): process start → first "
                  f"request {ms(s[0])}, first request → last answer {ms(s[1])}, last answer → exit {ms(s[2])} "
                  f"(total {ms(s[3])}).", ""]
        log0, start0, _ = captures[k][0]
        lines.append("Per round in the first captured run (start → end, from process start): " + "; ".join(
            f"{i + 1}: {ms(a - start0)} → {ms(b - start0)}" for i, (_, a, b) in enumerate(phases)) + ".")
        lines.append("")
    counts30 = collections.Counter(e["action"] for e in captures[n][0][0])
    tail = 0
    for r in reversed(floors[n]['by_time']):
        if len(r) != 1:
            break
        tail += 1
    lines += ["## Where the requests go (promote of 30, for optimisation)", "",
              f"- Per unit cutover sends {', '.join(f'{c / n:g} {a}' for a, c in counts30.most_common())}. "
              "DescribeTargetGroups, DescribeTags and DescribeListeners accept lists (DescribeTags up to 20 ARNs): the "
              f"merged-reads floor above sends {sum(map(len, floors[n]['merged']))} requests instead of {sum(counts30.values())}.",
              f"- The log ends with {tail} rounds of a single request each (by arrival time).",
              "- Still per unit: the listener read before and after the write (DescribeListeners takes a list, so each could "
              "be one call per 20 listeners), and health before and after. The 'floor at 8' rows show the earlier "
              "8-connection pool; cutover now allows 64 per host.", ""]
    text = "\n".join(lines)
    if not args.quick:
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", "aws.md"), "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
