#!/usr/bin/env python3
"""Benchmark `cutover render`: the bundled example, and a generated config with 200 services and 10
environments (40 pipelines), each render including the shared library (library/, 22 files). The peer is
jenkins-job-builder's `jenkins-jobs test`, which turns YAML into job XML for the same 40 pipelines (their
Jenkinsfiles inlined as `dsl`; the library is not a job). Release build, medians.

The binary is the one agents get: a release build with the Swift runtime linked in statically
(`--static-swift-stdlib`, in its own scratch path `.build-release-render`). A run that writes everything
starts from an empty output directory; emptying it is not timed (it was, until the sidecar round).

Both tools read and write in a tmpfs (/dev/shm) when there is one (`--dir` chooses another place). On
these machines /tmp is ext4 mounted without a journal, and there the inode allocator skips every inode
deleted in the last one to six minutes, looking each one up (`find_inode_bit` -> `recently_deleted`):
a render that creates its 163 files and folders right after the benchmark deleted the previous 163 (and
everything the benchmark deleted before) spends a fifth to half of its time there, more with every run.
That measures the benchmark's own deletions, not the render. The render on /tmp just after deleting the
previous output is still measured and shown, in a row of its own.

Usage: bench/render.py [--runs N] [--bin PATH]    (writes bench/results/render.md)
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def large_config(path, services=200, environments=10):
    lines = ["version: 1", "name: bench", "jenkins:", "  approvers: [release-managers]", "  agent: release",
             "  credentials: {aws: 'aws-{env}'}",
             "  source: {url: https://git.example.com/bench/release.git}", "aws: {region: eu-west-1}",
             "database:", "  cluster: 'bench-{env}'", "  credential: 'db-{env}'",
             "  repository: {url: https://git.example.com/bench/schema.git}",
             "promotion: {steps: [10, 50, 100], bake: 1m}", "environments:"]
    for e in range(environments):
        lines += [f"  env{e}:", "    listeners:",
                  f"      main: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/bench-{e}/0123456789abcdef/0123456789abcdef"]
    lines.append("services:")
    for s in range(services):
        if s % 2:
            lines += [f"  svc{s}:", "    kind: ecs", "    listener: main", f"    rule: {{path: /svc{s}/*}}",
                      f"    target_groups: {{blue: '{{env}}-s{s}-blue'}}", "    cluster: 'bench-{env}'",
                      "    container: {port: 8080}"]
        else:
            lines += [f"  svc{s}:", "    kind: instances", "    listener: main", f"    rule: {{path: /svc{s}/*}}",
                      f"    target_groups: {{blue: '{{env}}-s{s}-blue', green: '{{env}}-s{s}-green'}}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def timed(cmd, runs, before=None, **kw):
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def jjb_yaml(rendered, path):
    """The same pipelines as jenkins-job-builder jobs: folder-qualified names, the Jenkinsfile as dsl."""
    out = []
    for env in sorted(os.listdir(rendered)):
        env_dir = os.path.join(rendered, env)
        if not os.path.isdir(env_dir) or env == "library":
            continue
        for pipeline in sorted(os.listdir(env_dir)):
            jenkinsfile = os.path.join(env_dir, pipeline, "Jenkinsfile")
            if not os.path.exists(jenkinsfile):
                continue
            dsl = open(jenkinsfile).read().replace("{", "{{").replace("}", "}}")
            out.append(f"- job:\n    name: {env}/{pipeline}\n    project-type: pipeline\n    sandbox: true\n"
                       f"    dsl: |\n" + "".join(f"      {l}\n" for l in dsl.splitlines()))
    with open(path, "w") as f:
        f.write("".join(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--bin")
    parser.add_argument("--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the configs and outputs go (default: /dev/shm when it exists)")
    args = parser.parse_args()
    binary = args.bin
    if not binary:
        scratch = os.path.join(ROOT, ".build-release-render")
        subprocess.run(["nice", "swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", scratch,
                        "--product", "cutover"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        binary = os.path.join(scratch, "release", "cutover")
    work = tempfile.mkdtemp(prefix="cutover-bench-", dir=args.dir)
    disk = tempfile.mkdtemp(prefix="cutover-bench-disk-")
    try:
        large = os.path.join(work, "large.yml")
        large_config(large)
        example = os.path.join(ROOT, "examples", "spectate.yml")
        results = {}
        for tag, name, config in [("example", "example (2 envs, 12 units, 8 pipelines + library)", example),
                                  ("large", "large (10 envs, 200 services, 40 pipelines + library)", large)]:
            out = os.path.join(work, "out-" + tag)
            subprocess.run([binary, "render", "-c", config, "--out", out], check=True, stdout=subprocess.DEVNULL)
            # Time a render that has to write everything: clear the output before each run (untimed).
            results[name] = timed([binary, "render", "-c", config, "--out", out], args.runs,
                                  before=lambda out=out: shutil.rmtree(out, ignore_errors=True))
            noop = timed([binary, "render", "-c", config, "--out", out], args.runs)
            results[name + ", nothing changed"] = noop
            if tag == "large":
                on_disk = os.path.join(disk, "out")
                results[name + f", on {tempfile.gettempdir()} just after deleting the previous output"] = timed(
                    [binary, "render", "-c", config, "--out", on_disk], args.runs,
                    before=lambda: shutil.rmtree(on_disk, ignore_errors=True))
        rendered = os.path.join(work, "out-large")
        jobs = os.path.join(work, "jobs.yaml")
        jjb_yaml(rendered, jobs)
        jjb_out = os.path.join(work, "jjb-out")
        jjb = timed(["jenkins-jobs", "--conf", "/dev/null", "test", jobs, "-o", jjb_out], max(3, args.runs // 3),
                    stderr=subprocess.DEVNULL)
        start = timed([binary, "--version"], args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(disk, ignore_errors=True)

    lines = ["# `cutover render` benchmark", "",
             f"Run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, static release build, median of {args.runs} runs "
             f"(jenkins-job-builder: {max(3, args.runs // 3)} runs). Wall time of the whole process. "
             f"Configs and outputs in {args.dir or tempfile.gettempdir()} unless the row says otherwise.", "",
             "| case | median | min | max |", "|---|---|---|---|"]
    for name, (median, samples) in results.items():
        lines.append(f"| cutover render, {name} | {median*1000:.1f} ms | {min(samples)*1000:.1f} ms | {max(samples)*1000:.1f} ms |")
    lines.append(f"| jenkins-jobs test, the same 40 pipelines | {jjb[0]*1000:.1f} ms | {min(jjb[1])*1000:.1f} ms | {max(jjb[1])*1000:.1f} ms |")
    lines.append(f"| (`cutover --version`: process start-up, subtracted nowhere) | {start[0]*1000:.1f} ms | | |")
    large_median = results["large (10 envs, 200 services, 40 pipelines + library)"][0]
    lines += ["", f"Ratio: jenkins-job-builder / cutover on the large config = **{jjb[0] / large_median:.1f}x** "
              f"(cutover renders Jenkinsfiles and job XML and validates the config; JJB only turns given Jenkinsfiles into XML).",
              f"Target: large config under 100 ms — {'met' if large_median < 0.1 else 'NOT met'} ({large_median*1000:.1f} ms).",
              f"On {tempfile.gettempdir()} just after deleting the previous output: "
              f"{jjb[0] / results[f'large (10 envs, 200 services, 40 pipelines + library), on {tempfile.gettempdir()} just after deleting the previous output'][0]:.1f}x.", ""]
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "render.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
