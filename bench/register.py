#!/usr/bin/env python3
"""Benchmark `cutover register` against the Jenkins emulator on loopback, and jenkins-job-builder
(`jenkins-jobs update`) pushing the same job set to the same emulator, in one script. Cases: the bundled
example (2 environments, 8 jobs) and a large config (10 environments, 200 services, 40 jobs with large
Jenkinsfiles). Each: a first run into an empty Jenkins, and a rerun with nothing changed. Release build,
medians.

Usage: bench/register.py [--runs N] [--bin PATH]    (writes bench/results/register.md)
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from render import large_config  # noqa: E402

USER, TOKEN = "bench", "bench-token"


def start_emulator():
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Support/jenkins/emulator.py"), "--port", "0",
                             "--user", f"{USER}:{TOKEN}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("READY "), line
    return proc, line.split(" ", 1)[1]


def control(url, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(f"{url}/_emulator/{path}", data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def run(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start


def jjb_yaml(binary, config, path, work):
    """The same folders and jobs as jenkins-job-builder YAML: folders as `project-type: folder`, each
    pipeline's rendered Jenkinsfile as `dsl`."""
    out_dir = os.path.join(work, "rendered")
    subprocess.run([binary, "render", "-c", config, "--out", out_dir], check=True, stdout=subprocess.DEVNULL)
    folder = subprocess.run([sys.executable, "-c", "import yaml,sys; c=yaml.safe_load(open(sys.argv[1])); print(c['jenkins'].get('folder',''))",
                             config], capture_output=True, text=True, check=True).stdout.strip()
    parts = [p for p in folder.split("/") if p]
    jobs = []
    for depth in range(len(parts)):
        jobs.append(f"- job:\n    name: {'/'.join(parts[:depth + 1])}\n    project-type: folder\n")
    for env in sorted(os.listdir(out_dir)):
        env_dir = os.path.join(out_dir, env)
        if not os.path.isdir(env_dir):
            continue
        jobs.append(f"- job:\n    name: {'/'.join(parts + [env])}\n    project-type: folder\n")
        for pipeline in sorted(os.listdir(env_dir)):
            jenkinsfile = os.path.join(env_dir, pipeline, "Jenkinsfile")
            if os.path.exists(jenkinsfile):
                dsl = open(jenkinsfile).read().replace("{", "{{").replace("}", "}}")
                jobs.append(f"- job:\n    name: {'/'.join(parts + [env, pipeline])}\n    project-type: pipeline\n    sandbox: true\n"
                            "    dsl: |\n" + "".join(f"      {l}\n" for l in dsl.splitlines()))
    with open(path, "w") as f:
        f.write("".join(jobs))
    return len(jobs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--bin")
    args = parser.parse_args()
    binary = args.bin
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "cutover"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        binary = os.path.join(ROOT, ".build", "release", "cutover")
    work = tempfile.mkdtemp(prefix="cutover-bench-register-")
    proc, url = start_emulator()
    rows, ratios = [], []
    try:
        large = os.path.join(work, "large.yml")
        large_config(large)
        with open(large) as f:
            text = f.read().replace("jenkins:\n", "jenkins:\n  folder: bench\n", 1)
        with open(large, "w") as f:
            f.write(text)
        env = dict(os.environ, JENKINS_URL=url, JENKINS_USER=USER, JENKINS_TOKEN=TOKEN)
        ini = os.path.join(work, "jenkins_jobs.ini")
        with open(ini, "w") as f:
            f.write(f"[job_builder]\nignore_cache=False\n\n[jenkins]\nurl={url}\nuser={USER}\npassword={TOKEN}\nquery_plugins_info=False\n")
        for name, config in [("example (2 envs, 8 jobs, 4 folders)", os.path.join(ROOT, "examples", "spectate.yml")),
                             ("large (10 envs, 40 jobs of 200 services, 11 folders)", large)]:
            first, again = [], []
            for _ in range(args.runs):
                control(url, "wipe")
                first.append(run([binary, "register", "-c", config], env))
                again.append(run([binary, "register", "-c", config], env))
            jobs_yaml = os.path.join(work, "jobs.yaml")
            jjb_yaml(binary, config, jobs_yaml, work)
            jjb_first, jjb_again = [], []
            for _ in range(max(3, args.runs // 2)):
                control(url, "wipe")
                home = tempfile.mkdtemp(dir=work)  # JJB keeps its cache under $HOME/.cache
                jjb_env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, ".cache"))
                jjb_first.append(run(["jenkins-jobs", "--conf", ini, "update", jobs_yaml], jjb_env))
                jjb_again.append(run(["jenkins-jobs", "--conf", ini, "update", jobs_yaml], jjb_env))
            m = {k: statistics.median(v) for k, v in
                 {"first": first, "again": again, "jjb_first": jjb_first, "jjb_again": jjb_again}.items()}
            rows.append((name, m))
            ratios.append((name, m["jjb_first"] / m["first"], m["jjb_again"] / m["again"]))
    finally:
        proc.kill()
        shutil.rmtree(work, ignore_errors=True)

    lines = ["# `cutover register` benchmark", "",
             f"Run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores against the Jenkins emulator on loopback "
             f"(Tests/Support/jenkins/emulator.py, CSRF on), release build, median of {args.runs} runs "
             f"(jenkins-job-builder: {max(3, args.runs // 2)}). Wall time of the whole process.", "",
             "| case | cutover, first run | cutover, rerun (no change) | jenkins-jobs update, first | jenkins-jobs update, rerun |",
             "|---|---|---|---|---|"]
    for name, m in rows:
        lines.append(f"| {name} | {m['first']*1000:.0f} ms | {m['again']*1000:.0f} ms | {m['jjb_first']*1000:.0f} ms | {m['jjb_again']*1000:.0f} ms |")
    lines.append("")
    for name, first, again in ratios:
        lines.append(f"- {name}: jenkins-job-builder / cutover = **{first:.1f}x** on the first run, **{again:.1f}x** on the rerun.")
    lines += ["",
              "The rerun is not like for like in cutover's disfavour: cutover reads every job's config.xml from the server "
              "and compares it (so a hand edit is noticed); jenkins-job-builder compares with its local cache and sends no request "
              "for unchanged jobs (so a hand edit is not noticed, and a fresh machine rewrites everything).", ""]
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "register.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
