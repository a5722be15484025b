#!/usr/bin/env python3
"""Benchmark `cutover serve` (the sidecar) against the Jenkins emulator on loopback, in one run:

- resident memory (VmRSS, PSS, anonymous) of the daemon and of the spare step process it keeps waiting, idle after startup, and after 1,000 requests (half /healthz, half GET /v1/operations);
- /healthz and GET /v1/operations latency at a fixed 500 requests/s with wrk (Debian's `wrk`, which
  has no rate option: a Lua `delay()` paces each of 10 connections at 50 requests/s); p50/p90/p99 per run,
  then the median over runs;
- the time from a config edit to the last Jenkins POST it causes, with a 1 s watch interval (it includes the
  wait for the next tick), and from `POST /v1/reconcile` (the webhook path: no tick) to the last POST.

The promotion through the daemon against the same promotion through the CLI is bench/sidecar_promote.py (moto).

Usage: bench/serve.py [--runs N] [--bin PATH]    (writes bench/results/serve.md)
Default binary: .build/release/cutover if it exists, else .build/debug/cutover (the report says which).
"""
import argparse, http.client, json, os, re, shutil, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER, TOKEN = "bench", "bench-token-0123456789"
OPERATE, READ = "bench-operate-0123456789abcdef", "bench-read-0123456789abcdef"
SPORTS = "sports: [football, tennis, basketball, horse-racing]"
GOLF = "sports: [football, tennis, basketball, horse-racing, golf]"


def start_emulator():
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Support/jenkins/emulator.py"), "--port", "0",
                             "--user", f"{USER}:{TOKEN}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("READY "), line
    return proc, line.split(" ", 1)[1]


def emulator(url, path, post=False):
    request = urllib.request.Request(f"{url}/_emulator/{path}", data=b"" if post else None, method="POST" if post else "GET")
    body = urllib.request.urlopen(request).read()
    return json.loads(body) if body else None


class Sidecar:
    def __init__(self, binary, config, jenkins, state, interval=1):
        env = dict(os.environ, JENKINS_URL=jenkins, JENKINS_USER=USER, JENKINS_TOKEN=TOKEN, CUTOVER_API_TOKEN=OPERATE,
                   CUTOVER_READ_TOKEN=READ, CUTOVER_STATE_DIR=state, AWS_ENDPOINT_URL=jenkins,
                   AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="bench")
        self.proc = subprocess.Popen([binary, "serve", "-c", config, "--listen", "127.0.0.1:0", "--watch-interval", str(interval),
                                      "--log-format", "json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.url = None
        ready = threading.Event()

        def read():
            for line in self.proc.stderr:
                self.lines.append(line)
                if self.url is None and '"message":"listening"' in line:
                    self.url = json.loads(line)["url"]
                    ready.set()
        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(20), "".join(self.lines)
        self.host, self.port = self.url.replace("http://", "").rsplit(":", 1)

    @staticmethod
    def process_memory(pid):
        """VmRSS; PSS (each page shared with other processes counted as its share: the daemon and its spare
        step process map the same binary); Anonymous, this process's own heap and stacks. KiB."""
        with open(f"/proc/{pid}/status") as status:
            rss = int(re.search(r"VmRSS:\s+(\d+) kB", status.read()).group(1))
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            text = rollup.read()
        return {"rss": rss, "pss": int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1)),
                "anon": int(re.search(r"Anonymous:\s+(\d+) kB", text).group(1))}

    def spare_pid(self):
        """The step process the daemon keeps started and waiting (`cutover step-worker`), if there is one."""
        for task in os.listdir(f"/proc/{self.proc.pid}/task"):
            for child in open(f"/proc/{self.proc.pid}/task/{task}/children").read().split():
                try:
                    if open(f"/proc/{child}/cmdline", "rb").read().split(b"\0")[1:2] == [b"step-worker"]:
                        return int(child)
                except OSError:
                    pass
        return None

    def memory(self):
        """The daemon's memory, and its spare step process's (zeros when there is none)."""
        spare = self.spare_pid()
        return self.process_memory(self.proc.pid), (self.process_memory(spare) if spare else {"rss": 0, "pss": 0, "anon": 0})

    def post_reconcile(self):
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        connection.request("POST", "/v1/reconcile", headers={"Authorization": f"Bearer {OPERATE}"})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        return self.proc.returncode


def thousand_requests(sidecar):
    connection = http.client.HTTPConnection(sidecar.host, int(sidecar.port), timeout=10)
    for index in range(1000):
        path, headers = ("/healthz", {}) if index % 2 == 0 else ("/v1/operations", {"Authorization": f"Bearer {READ}"})
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    connection.close()


WRK_SCRIPT = """
wrk.headers["Authorization"] = "Bearer %s"
function delay() return 20 end   -- ms between requests on each connection: 10 connections = 500 requests/s
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%.3f\\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def wrk(sidecar, path, seconds, work):
    script = os.path.join(work, "pace.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT % READ)
    out = subprocess.run(["wrk", "-t", "2", "-c", "10", "-d", f"{seconds}s", "-s", script, f"{sidecar.url}{path}"],
                         capture_output=True, text=True, check=True).stdout
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, errors = int(fields[0]), int(fields[1])
    p50, p90, p99, worst = map(float, fields[2:])
    return {"rate": requests / seconds, "errors": errors, "p50": p50, "p90": p90, "p99": p99, "max": worst}


def wait_posts(jenkins, count, started, timeout=20):
    """Seconds from `started` until the emulator has logged `count` POSTs (polled every 5 ms)."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        posts = [r for r in emulator(jenkins, "requests") if r["method"] == "POST"]
        if len(posts) >= count:
            return time.perf_counter() - started, sorted(r["path"] for r in posts)
        time.sleep(0.005)
    raise SystemExit(f"timed out waiting for {count} POSTs")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--bin")
    args = parser.parse_args()
    release = os.path.join(ROOT, ".build/release/cutover")
    binary = args.bin or (release if os.path.exists(release) else os.path.join(ROOT, ".build/debug/cutover"))
    build = "release" if "/release/" in binary else "debug" if "/debug/" in binary else binary
    assert shutil.which("wrk"), "wrk is needed: apt-get install wrk"

    work = tempfile.mkdtemp(prefix="bench-serve-")
    config = os.path.join(work, "cutover.yml")
    example = open(os.path.join(ROOT, "examples/spectate.yml")).read()
    with open(config, "w") as f:
        f.write(example)
    emulator_proc, jenkins = start_emulator()
    sidecar = Sidecar(binary, config, jenkins, os.path.join(work, "state"))
    try:
        end = time.time() + 20
        while len(emulator(jenkins, "items")) < 12 and time.time() < end:
            time.sleep(0.05)
        assert len(emulator(jenkins, "items")) == 12, "the first registration did not happen"
        time.sleep(2)
        idle = []
        for _ in range(5):
            idle.append(sidecar.memory())
            time.sleep(0.2)
        thousand_requests(sidecar)
        after = sidecar.memory()

        latency = {"/healthz": [], "/v1/operations": []}
        for _ in range(args.runs):
            for path in latency:
                latency[path].append(wrk(sidecar, path, args.seconds, work))
        after_wrk = sidecar.memory()

        expected = ["/job/releases/job/spectate/job/production/job/service-deploy/config.xml",
                    "/job/releases/job/spectate/job/staging/job/service-deploy/config.xml"]
        watch, api = [], []
        for run in range(2 * args.runs):
            if run == args.runs:
                # The API path on a sidecar whose watch never ticks, so only the POST can pick the edit up.
                code = sidecar.stop()
                sidecar = Sidecar(binary, config, jenkins, os.path.join(work, "state"), interval=3600)
                time.sleep(1)
            emulator(jenkins, "reset", post=True)
            with open(config, "w") as f:
                f.write(example.replace(SPORTS, GOLF) if run % 2 == 0 else example)
            started = time.perf_counter()
            if run < args.runs:
                seconds, posts = wait_posts(jenkins, 2, started)
                watch.append(seconds)
                time.sleep(1.5)  # the next tick sees the same digest
            else:
                assert sidecar.post_reconcile() == 200
                seconds, posts = wait_posts(jenkins, 2, started)
                api.append(seconds)
            assert posts == expected, posts
        sidecar.stop()
    finally:
        if sidecar.proc.poll() is None:
            sidecar.proc.kill()
        emulator_proc.kill()
        shutil.rmtree(work, ignore_errors=True)

    def row(name, runs):
        def med(key): return statistics.median(r[key] for r in runs)
        return (f"| `{name}` | {med('rate'):.0f} | {med('p50'):.2f} | {med('p90'):.2f} | {med('p99'):.2f} | "
                f"{max(r['p99'] for r in runs):.2f} | {max(r['max'] for r in runs):.2f} | {sum(r['errors'] for r in runs)} |")

    def memory_row(name, samples):
        def med(index, key): return statistics.median(sample[index][key] for sample in samples) / 1024
        return (f"| {name} | {med(0, 'rss'):.1f} | {med(0, 'pss'):.1f} | {med(0, 'anon'):.1f} | "
                f"{med(1, 'rss'):.1f} / {med(1, 'pss'):.1f} / {med(1, 'anon'):.1f} | "
                f"{statistics.median(sample[0]['pss'] + sample[1]['pss'] for sample in samples) / 1024:.1f} |")

    def ms(values): return f"{statistics.median(values) * 1000:.0f} | {max(values) * 1000:.0f}"

    machine = f"{os.cpu_count()} cores, {subprocess.run(['uname', '-sr'], capture_output=True, text=True).stdout.strip()}"
    report = f"""# `cutover serve` benchmark

`bench/serve.py --runs {args.runs} --seconds {args.seconds}`: the **{build}** build (`{os.path.relpath(binary, ROOT)}`), the Jenkins emulator on
loopback, the bundled example (12 items), {machine}. Exit code after SIGTERM: {code}.

## Resident memory

MiB. VmRSS counts every page a process maps; PSS divides a page shared by several processes among them (the
daemon and the spare step process it keeps waiting map the same binary); anonymous is a process's own heap
and stacks.

| when | daemon VmRSS | daemon PSS | daemon anonymous | spare step process VmRSS / PSS / anonymous | daemon + spare PSS |
|---|---|---|---|---|---|
{memory_row("idle after startup and the first registration (median of 5 samples)", idle)}
{memory_row("after 1,000 requests (500 `/healthz`, 500 `GET /v1/operations`, one keep-alive connection)", [after])}
{memory_row(f"after the wrk runs ({2 * args.runs} × {args.seconds} s at 500 requests/s)", [after_wrk])}

Goal: at most 30 MiB idle. Nearly all of VmRSS is clean file-backed pages of the one static `cutover`
binary (190 MB: every command, AWS, PostgreSQL, Hummingbird, the Swift runtime and Foundation): the pages
the process has touched, and with them the neighbours the kernel maps on each fault (fault-around, 64 KiB).
The release link puts the code the sidecar runs side by side (scripts/symbol-order.txt), so those
neighbours are mostly code it runs too. The pages are shared with every other cutover process on the
machine (the spare, the steps) and the kernel can drop them at any time; what the daemon itself allocates is
the anonymous column. The spare step process has run every step's argument parser, loaded the config and
made one HTTP exchange while it waits (so a step starts warm), which is most of its VmRSS.

## Latency at 500 requests/s (wrk, 2 threads, 10 connections paced at 50 requests/s each)

Milliseconds; p50/p90/p99 are medians over {args.runs} runs, "worst p99" and "max" the worst run.

| endpoint | requests/s | p50 | p90 | p99 | worst p99 | max | errors |
|---|---|---|---|---|---|---|---|
{row('/healthz', latency['/healthz'])}
{row('GET /v1/operations', latency['/v1/operations'])}

Goal: p99 at most 5 ms.

## Config change to the last Jenkins POST

Adding or removing a sport updates exactly the two `service-deploy` jobs (checked in every run). Milliseconds,
median | worst of {args.runs}.

| trigger | median | worst |
|---|---|---|
| edit the file, `--watch-interval 1` (includes waiting for the next tick: 0–1 s) | {ms(watch).split(' | ')[0]} | {ms(watch).split(' | ')[1]} |
| `POST /v1/reconcile` (what a push webhook triggers; no tick to wait for) | {ms(api).split(' | ')[0]} | {ms(api).split(' | ')[1]} |
"""
    os.makedirs(os.path.join(ROOT, "bench/results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench/results/serve.md"), "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    main()
