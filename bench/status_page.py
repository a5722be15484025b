#!/usr/bin/env python3
"""Benchmark the sidecar's status page and `/metrics` (`cutover serve --public-read`) against AWS emulated by
moto_server and the Jenkins emulator on loopback, in one run:

1. Render time of `GET /` for 3 environments x 30 groups (90 groups: one ALB per environment, a rule per group
   forwarding to its blue and green target group, one healthy instance in each, green tagged with a release),
   from the page's own `Server-Timing: wait;dur=..., render;dur=..., aws;dur=...` header: `render` is the
   server's time without the reads (operations, assembling, HTML); `wait` what the request waited for the
   status cache; `aws` how long the shared read shown took (AWS, the state store and Jenkins' approval gates;
   the cache reads again in the background when its read is over 2 s old, so no request but the first waits).
   Requests are sent back to back for 1.5 s, then every 2.1 s (each then starts a background read). Peers for
   the reads: `cutover status --env E` for the three environments (the same
   AWS reads in one CLI process each, one after another: the reads plus a process start) and
   `aws elbv2 describe-rules --listener-arn L` (awscli v1, one request per environment, weights only).
2. `/metrics` latency at 100 requests/s with wrk (Debian's `wrk`, which has no rate option: a Lua `delay()`
   paces each of 10 connections at 10 requests/s), p50/p90/p99 per run and the median over runs; peer: the
   request floor, `/healthz` at the same rate on the same daemon. A scrape that finds the cache older than
   2 s starts a read in the background and answers from the last one, so no scrape waits for AWS.

Binary: --bin, else $CUTOVER_BIN, else .build/release/cutover when it is at least as new as the debug build
(bench/aws.py's pick_binary); the results say which. This script never builds.

Usage: bench/status_page.py [--runs N] [--seconds S] [--bin PATH] [--quick]
       (writes bench/results/status-page.md; --quick: 3 runs of 5 s, prints only)
"""
import argparse, http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Support", "aws"))
import seed  # noqa: E402  (Tests/Support/aws/seed.py)
import aws  # noqa: E402  (bench/aws.py: moto, processes, the binary)
import serve  # noqa: E402  (bench/serve.py: the Jenkins emulator, wrk's pacing script)

REGION = "eu-west-1"
ENVIRONMENTS = ["staging", "qa", "production"]
GROUPS = 30
SPORTS = [f"s{i:02d}" for i in range(GROUPS)]
OPERATE, READ = "bench-operate-0123456789abcdef", "bench-read-0123456789abcdef"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def build_scenario(moto, work):
    """Per environment one ALB `E-feeds` (default: fixed 404) with one rule per sport, blue 100 / green 0 except
    every tenth group split 90/10 (the page draws both segments); one running instance registered in every
    group of the environment; green tagged with the release. The config: one fan-out service of 30 sports."""
    listeners = {}
    for env in ENVIRONMENTS:
        spec = {
            "target_groups": {f"{env}-fn-{s}-green": {"tags": {"cutover:release": "r7", "cutover:color": "green"}} for s in SPORTS},
            "albs": [{"name": f"{env}-feeds", "listener": {
                "port": 80, "default": {"fixed_response": {"status": "404", "body": "no feed", "content_type": "text/plain"}},
                "rules": [{"priority": 10 + i, "path": f"/feeds/{s}/*", "blue": f"{env}-fn-{s}-blue", "green": f"{env}-fn-{s}-green",
                           "green_weight": 10 if i % 10 == 0 else 0, "blue_weight": 90 if i % 10 == 0 else 100}
                          for i, s in enumerate(SPORTS)]}}],
            "instances": [{"name": f"{env}-1", "register": [f"{env}-fn-{s}-{c}" for s in SPORTS for c in ("blue", "green")]}],
        }
        out = seed.seed(spec, moto, REGION)
        listeners[env] = out["albs"][f"{env}-feeds"]["listener_arn"]
    config = os.path.join(work, "cutover.yml")
    lines = ["version: 1", "name: bench", "jenkins:", "  url: https://jenkins.example.com", "  folder: releases/bench",
             "  agent: linux", "  approvers: [rm]", "  source: {url: https://git.example.com/r.git, branch: main}",
             "  config: cutover.yml", "aws:", f"  region: {REGION}",
             "promotion: {parallel: true, steps: [100], bake: 0s, min_healthy_percent: 100, health_timeout: 30s}", "environments:"]
    for env in ENVIRONMENTS:
        lines += [f"  {env}:", "    listeners:", f"      feeds: {listeners[env]}"]
    lines += ["services:", "  feed:", "    kind: instances", f"    sports: [{', '.join(SPORTS)}]", "    listener: feeds",
              "    rule: {path: '/feeds/{sport}/*'}", "    target_groups: {blue: '{env}-fn-{sport}-blue', green: '{env}-fn-{sport}-green'}"]
    with open(config, "w") as f:
        f.write("\n".join(lines) + "\n")
    return config, listeners


class Daemon:
    """`cutover serve --watch off --public-read` on a free loopback port, its JSON log read on a thread."""

    def __init__(self, binary, config, env):
        self.proc = subprocess.Popen([binary, "serve", "-c", config, "--listen", "127.0.0.1:0", "--watch", "off", "--public-read",
                                      "--log-format", "json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=aws.die_with_parent)
        self.lines, self.url = [], None
        ready = threading.Event()

        def read():
            for line in self.proc.stderr:
                self.lines.append(line)
                if self.url is None and '"message":"listening"' in line:
                    self.url = json.loads(line)["url"]
                    ready.set()
        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(30), "".join(self.lines)
        host, port = self.url.replace("http://", "").rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def get(self, path, method="GET", token=None):
        """(status, headers, body, client seconds) over one keep-alive connection."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        self.connection.request(method, path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, time.perf_counter() - started


def timing(headers):
    """Server-Timing's durations in seconds: {"aws": ..., "render": ...}."""
    text = headers.get("Server-Timing") or headers.get("server-timing") or ""
    return {m.group(1): float(m.group(2)) / 1000 for m in re.finditer(r"(\w+);dur=([0-9.]+)", text)}


def wrk(url, path, seconds, work, delay_ms=100, connections=10):
    """serve.py's paced wrk script with `delay_ms` between requests on each connection."""
    script = os.path.join(work, "pace.lua")
    with open(script, "w") as f:
        f.write((serve.WRK_SCRIPT % READ).replace("return 20 end", f"return {delay_ms} end"))
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", script, f"{url}{path}"],
                         capture_output=True, text=True, check=True).stdout
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, errors = int(fields[0]), int(fields[1])
    p50, p90, p99, worst = map(float, fields[2:])
    return {"rate": requests / seconds, "errors": errors, "p50": p50, "p90": p90, "p99": p99, "max": worst}


def timed(cmd, env, ok=(0,)):
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])}... exited {result.returncode}: {result.stderr[-2000:]}")
    return elapsed, result.stdout


def med(values):
    return statistics.median(values)


def ms(x, digits=1):
    return f"{x * 1000:.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--quick", action="store_true", help="3 runs of 5 s, print only")
    parser.add_argument("--bin")
    args = parser.parse_args()
    runs, seconds = args.runs or (3 if args.quick else 5), args.seconds or (5 if args.quick else 10)
    binary, build = aws.pick_binary(args.bin)
    assert shutil.which("wrk"), "wrk is needed: apt-get install wrk"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="cutover-bench-status-")
    moto_log = open(os.path.join(work, "moto.log"), "w")
    moto = emulator = daemon = None
    load_start = os.getloadavg()[0]
    began = time.time()
    try:
        moto, moto_url = aws.start_moto(moto_log)
        emulator, jenkins = serve.start_emulator()
        config, listeners = build_scenario(moto_url, work)
        env = dict(os.environ, **CREDS, AWS_ENDPOINT_URL=moto_url, AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION,
                   CUTOVER_STATE_DIR=os.path.join(work, "state"), AWS_SESSION_TOKEN="",
                   AWS_EC2_METADATA_DISABLED="true", JENKINS_URL=jenkins, JENKINS_USER=serve.USER, JENKINS_TOKEN=serve.TOKEN,
                   CUTOVER_API_TOKEN=OPERATE, CUTOVER_READ_TOKEN=READ, NO_PROXY="127.0.0.1,localhost")
        for key in ("CUTOVER_CONFIG", "CUTOVER_ENV", "CUTOVER_SERVER", "CUTOVER_STATE", "AWS_PROFILE", "HTTP_PROXY", "http_proxy"):
            env.pop(key, None)
        daemon = Daemon(binary, config, env)
        # Register the pipelines once, so the approval-gate reads find their service-deploy jobs (200, not 404).
        status, _, body, _ = daemon.get("/v1/reconcile", method="POST", token=OPERATE)
        assert status == 200, body

        # The page is complete: 90 groups, every one read (no problem lines), the split ones drawn split.
        time.sleep(2.1)
        status, headers, body, _ = daemon.get("/")
        page = body.decode()
        assert status == 200 and page.count("<tr data-unit=") == len(ENVIRONMENTS) * GROUPS, page[:2000]
        assert 'class="problem"' not in page, re.findall(r'<p class="problem">[^<]*', page)
        assert page.count('data-blue="90" data-green="10"') == len(ENVIRONMENTS) * 3, "the split groups are not drawn split"
        size = len(body)

        # 1a. Warm render: the status cache is fresh (its last read < 2 s old); each request is timed by the server.
        warm_render, warm_aws, warm_client = [], [], []
        for _ in range(runs):
            # This request finds the read over 2 s old and starts the next one (a request during it starts
            # none); once the page shows the new read, the cache is fresh for 2 s, and the requests in the
            # next 1.5 s neither wait nor share the CPU with a read.
            time.sleep(2.1)
            shown = timing(daemon.get("/")[1]).get("aws")
            while timing(daemon.get("/")[1]).get("aws") == shown:
                time.sleep(0.05)
            started = time.perf_counter()
            while time.perf_counter() - started < 1.5:
                _, headers, _, client = daemon.get("/")
                t = timing(headers)
                warm_render.append(t["render"])
                warm_aws.append(t["wait"])
                warm_client.append(client)
        # 1b. Stale: the cache's read is over 2 s old, so the request starts the next read (in the background);
        # the read each page shows took `aws`.
        cold_aws, cold_render, cold_client, cold_wait = [], [], [], []
        for _ in range(max(runs, 5) + 1):
            time.sleep(2.1)
            _, headers, _, client = daemon.get("/")
            t = timing(headers)
            cold_aws.append(t["aws"])
            cold_render.append(t["render"])
            cold_wait.append(t["wait"])
            cold_client.append(client)
        cold_aws = cold_aws[1:]  # the first shows the read made before the loop
        # 1c. Peers for the reads: cutover status per environment (one process each), awscli describe-rules.
        cli, awscli = [], []
        awscli_bin = shutil.which("aws")
        for _ in range(runs):
            total = 0.0
            for name in ENVIRONMENTS:
                # Exit 6: it found the split groups, as it should.
                elapsed, out = timed([binary, "status", "-c", config, "--env", name], env, ok=(6,))
                assert out.count("feed/") >= GROUPS, out
                total += elapsed
            cli.append(total)
            if awscli_bin:
                total = 0.0
                for name in ENVIRONMENTS:
                    elapsed, out = timed([awscli_bin, "elbv2", "describe-rules", "--listener-arn", listeners[name],
                                          "--endpoint-url", moto_url, "--output", "json"], env)
                    assert out.count('"Priority"') >= GROUPS, out[:500]
                    total += elapsed
                awscli.append(total)

        # 2. /metrics and /healthz at 100 requests/s.
        status, _, body, _ = daemon.get("/metrics")
        series = body.decode().count("cutover_traffic_weight{")
        metrics_size = len(body)
        assert status == 200 and series == 2 * len(ENVIRONMENTS) * GROUPS, series
        latency = {"/metrics": [], "/healthz": []}
        for _ in range(runs):
            for path in latency:
                latency[path].append(wrk(daemon.url, path, seconds, work))
        code = None
        daemon.proc.terminate()
        code = daemon.proc.wait(timeout=60)
    finally:
        for proc in (daemon.proc if daemon else None, emulator, moto):
            aws.stop(proc)
        moto_log.close()
        shutil.rmtree(work, ignore_errors=True)
    took = time.time() - began
    load_end = os.getloadavg()[0]

    def row(name, results):
        def m(key): return med(r[key] for r in results)
        return (f"| `{name}` | {m('rate'):.0f} | {m('p50'):.2f} | {m('p90'):.2f} | {m('p99'):.2f} | "
                f"{max(r['p99'] for r in results):.2f} | {max(r['max'] for r in results):.2f} | {sum(r['errors'] for r in results)} |")

    metrics_p99, healthz_p99 = med(r["p99"] for r in latency["/metrics"]), med(r["p99"] for r in latency["/healthz"])
    machine = f"{os.cpu_count()} cores, {subprocess.run(['uname', '-sr'], capture_output=True, text=True).stdout.strip()}"
    render_goal = "met" if med(warm_render) <= 0.050 else "NOT met"
    awscli_rows = (f"| reads, peer | `aws elbv2 describe-rules --listener-arn L` x 3 (awscli v1; 3 requests, weights only) | "
                   f"{ms(med(awscli), 0)} | {ms(min(awscli), 0)} |\n") if awscli else ""
    awscli_ratio = (f"- The sidecar's cold read / awscli describe-rules x 3 = **{med(cold_aws) / med(awscli):.2f}x** (not like for like: "
                    "awscli sends 3 requests for the weights only; cutover also reads the target groups, tags, health, the lock, "
                    "the journals and Jenkins).\n") if awscli else ""
    report = f"""# Status page and `/metrics` benchmark

`bench/status_page.py --runs {runs} --seconds {seconds}`: the **{build}** (`{os.path.relpath(binary, ROOT)}`),
`cutover serve --watch off --public-read` against moto_server {aws.moto_version()} and the Jenkins emulator on loopback,
{machine} (a small, noisy VM; load average {load_start:.1f} at the start, {load_end:.1f} at the end; the script took
{took / 60:.1f} min). Exit code after SIGTERM: {code}. Scenario: 3 environments x 30 groups (one ALB per environment, a rule
per group, 3 of the 30 split 90/10, one healthy instance per target group, green tagged); the pipelines registered once in
the emulator, so each environment's approval-gate read is a real `wfapi/pendingInputActions` answer. Page: {size / 1024:.0f} KiB,
90 rows, checked before timing; `/metrics`: {series} `cutover_traffic_weight` series.

Rerun: `python3 bench/status_page.py` (`--quick`: 3 runs of 5 s, print only; `--bin` or `CUTOVER_BIN` to pick the binary).
It starts and stops its own moto_server and Jenkins emulator, and never builds.

## Rendering the page (3 x 30 groups)

Server time from the page's `Server-Timing` header (`render` = everything but the reads: the operations'
progress, assembling and the HTML; `wait` = waiting for the status cache; `aws` = how long the read shown took; a read
of moto takes longer than the 2.1 s between the stale requests, so several of them show the same read). Milliseconds, median (and min or
max as said).

| case | what | median | min |
|---|---|---|---|
| render, fresh cache | `render;dur` of {len(warm_render)} requests back to back within 1.5 s of a read, no read running | {ms(med(warm_render), 2)} | {ms(min(warm_render), 2)} |
| render, fresh cache | the cache wait (`wait;dur`) on those requests | {ms(med(warm_aws), 3)} | {ms(min(warm_aws), 3)} |
| render, fresh cache | the whole request as the client sees it (keep-alive) | {ms(med(warm_client), 2)} | {ms(min(warm_client), 2)} |
| render, stale cache | `render;dur` of a request that found the read over 2 s old and started the next ({len(cold_render)} requests, 2.1 s apart) | {ms(med(cold_render), 2)} | {ms(min(cold_render), 2)} |
| render, stale cache | its wait (`wait;dur`): it answers from the last read | {ms(med(cold_wait), 3)} | {ms(min(cold_wait), 3)} |
| render, stale cache | the whole request as the client sees it | {ms(med(cold_client), 2)} | {ms(min(cold_client), 2)} |
| reads | `aws;dur`: the shared read of AWS (90 groups), the state store and Jenkins for the 3 environments at once | {ms(med(cold_aws), 0)} | {ms(min(cold_aws), 0)} |
| reads, peer | `cutover status --env E` x 3, one process after another (the same AWS reads, less Jenkins) | {ms(med(cli), 0)} | {ms(min(cli), 0)} |
{awscli_rows}
- Goal ≤ 50 ms server time without the reads: **{ms(med(warm_render), 2)} ms** median (fresh cache), {render_goal}; the reads are
  reported apart: {ms(med(cold_aws), 0)} ms for all three environments, at most once per 2 s whatever the number of viewers.
- The sidecar's cold read / `cutover status` x 3 = **{med(cold_aws) / med(cli):.2f}x** (the sidecar reads the environments in
  parallel on warm connections; each CLI run starts a process and opens its connections).
{awscli_ratio}
## `/metrics` at 100 requests/s (wrk, 2 threads, 10 connections paced at 10 requests/s each)

Milliseconds; p50/p90/p99 are medians over {runs} runs of {seconds} s, "worst p99" and "max" the worst run.

| endpoint | requests/s | p50 | p90 | p99 | worst p99 | max | errors |
|---|---|---|---|---|---|---|---|
{row('/metrics', latency['/metrics'])}
{row('/healthz', latency['/healthz'])}

- `/metrics` p99 / `/healthz` p99 (the request floor, same daemon, same rate) = **{metrics_p99 / healthz_p99:.1f}x**
  ({metrics_p99:.2f} ms against {healthz_p99:.2f} ms). Every scrape of the same cached read reuses its 180 weight and 1,080 health gauges and writes about {metrics_size / 1024:.0f} KiB; none waits for the {ms(med(cold_aws), 0)} ms read of
  AWS, which a scrape finding it over 2 s old starts in the background.
"""
    print(report)
    if not args.quick:
        with open(os.path.join(ROOT, "bench", "results", "status-page.md"), "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
