#!/usr/bin/env python3
"""Benchmark `cutover migrate deploy`: 500 small migrations into an empty database, against the floor —
the same SQL concatenated and run by `psql -f` — on one private PostgreSQL cluster on loopback, in one
script. Release build, medians.

Usage: bench/migrate.py [--runs N] [--count 500] [--bin PATH]    (writes bench/results/migrate.md)
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def psql(url, sql):
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--bin")
    args = parser.parse_args()
    binary = args.bin
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "cutover"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        binary = os.path.join(ROOT, ".build", "release", "cutover")
    out = subprocess.run([os.path.join(ROOT, "scripts", "test-postgres")], check=True, capture_output=True, text=True).stdout
    env_vars = dict(line.split(" ", 1)[1].split("=", 1) for line in out.splitlines() if line.startswith("export "))
    admin, pgdir = env_vars["CUTOVER_TEST_DATABASE_URL"], env_vars["CUTOVER_TEST_PGDIR"]
    work = tempfile.mkdtemp(prefix="cutover-bench-migrate-")
    try:
        migrations = os.path.join(work, "migrations")
        os.makedirs(migrations)
        with open(os.path.join(migrations, "migration_lock.toml"), "w") as f:
            f.write('provider = "postgresql"\n')
        scripts = []
        for i in range(args.count):
            name = f"2024{i:010d}_step_{i}"
            sql = (f'CREATE TABLE "t{i}" ("id" SERIAL NOT NULL, "name" TEXT, CONSTRAINT "t{i}_pkey" PRIMARY KEY ("id"));\n'
                   f'CREATE INDEX "t{i}_name_idx" ON "t{i}"("name");\n')
            os.makedirs(os.path.join(migrations, name))
            with open(os.path.join(migrations, name, "migration.sql"), "w") as f:
                f.write(sql)
            scripts.append(sql)
        concatenated = os.path.join(work, "all.sql")
        with open(concatenated, "w") as f:
            f.write("".join(scripts))
        cutover, floor = [], []
        for run in range(args.runs):
            for kind in ("cutover", "psql"):
                db = f"bench_{kind}_{run}"
                psql(admin, f"CREATE DATABASE {db}")
                url = admin.rsplit("/", 1)[0] + "/" + db
                start = time.perf_counter()
                if kind == "cutover":
                    subprocess.run([binary, "migrate", "deploy", "--migrations", migrations], check=True, stdout=subprocess.DEVNULL,
                                   env=dict(os.environ, DATABASE_URL=url))
                    cutover.append(time.perf_counter() - start)
                else:
                    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", concatenated], check=True, stdout=subprocess.DEVNULL)
                    floor.append(time.perf_counter() - start)
                psql(admin, f"DROP DATABASE {db}")
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "test-postgres"), "stop", pgdir])
        shutil.rmtree(work, ignore_errors=True)
    c, p = statistics.median(cutover), statistics.median(floor)
    lines = ["# `cutover migrate deploy` benchmark", "",
             f"Run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores against PostgreSQL (Debian's, private cluster on loopback, "
             f"fsync off), release build, median of {args.runs} runs, {args.count} migrations (a table and an index each) into an empty database.", "",
             "| what | median | min | max |", "|---|---|---|---|",
             f"| cutover migrate deploy ({args.count} migrations: lock, table, one row insert + script + update each) | {c*1000:.0f} ms | {min(cutover)*1000:.0f} ms | {max(cutover)*1000:.0f} ms |",
             f"| psql -f (the same SQL concatenated: the floor) | {p*1000:.0f} ms | {min(floor)*1000:.0f} ms | {max(floor)*1000:.0f} ms |", "",
             f"Ratio cutover / psql = **{c / p:.2f}x** (target: within 2x).", ""]
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "migrate.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
