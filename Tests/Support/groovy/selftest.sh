#!/usr/bin/env bash
# Self-test of the Jenkinsfile harness: runs harness.groovy on every fixture (one JVM via
# --runs) plus a few command-line checks. Last line: "N passed, M failed"; exit 1 on failure.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
    export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
# Short-lived JVMs: the C1-only JIT and serial GC roughly halve the wall time on a busy box.
export JAVA_OPTS="${JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
exec "${GROOVY:-groovy}" "$here/selftest.groovy" "$@"
