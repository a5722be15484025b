#!/usr/bin/env python3
"""Builds the artifact cutover's playbooks install in tests: a .tar.gz holding app.py and a VERSION file.

Usage: make_artifact.py OUT.tar.gz --version VERSION [--app PATH]

The archive is byte-for-byte reproducible (fixed mtimes, owner root:root, gzip header without a time), so
building it twice gives the same file and ansible.builtin.unarchive sees nothing to change on a rerun.
Members sit at the top level (app.py, VERSION): the playbooks unarchive into releases/<release>/.
"""

import argparse
import gzip
import io
import os
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MTIME = 1704067200  # 2024-01-01T00:00:00Z


def build(out, version, app=HERE / "app" / "app.py"):
    members = [("app.py", Path(app).read_bytes(), 0o755), ("VERSION", f"{version}\n".encode("utf-8"), 0o644)]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data, mode in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
        gz.write(raw.getvalue())
    os.replace(tmp, out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--version", required=True)
    parser.add_argument("--app", default=str(HERE / "app" / "app.py"))
    args = parser.parse_args(argv)
    print(build(args.out, args.version, args.app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
