# cutover's Ansible callback plugin: records per-host results of a playbook run as JSON for cutover.
# Not a template: cutover copies this file as it is. Contract: templates/ansible/README.md.
#
# Enable with ANSIBLE_CALLBACK_PLUGINS=<dir holding this file> ANSIBLE_CALLBACKS_ENABLED=cutover_result
# and name the output with CUTOVER_ANSIBLE_RESULT=<path>. The normal stdout callback keeps printing.

from __future__ import annotations

DOCUMENTATION = """
    name: cutover_result
    type: aggregate
    short_description: writes per-host results of the run to the JSON file in CUTOVER_ANSIBLE_RESULT
    description:
      - At the end of the run (and, marked incomplete, when ansible-playbook exits without finishing), writes
        per host the ok, changed, failed, unreachable, skipped, rescued and ignored counts, and for a failed or
        unreachable host the task and message of the failure that stopped it.
    requirements:
      - enable with ANSIBLE_CALLBACKS_ENABLED=cutover_result
      - CUTOVER_ANSIBLE_RESULT names the output file; without it the plugin does nothing
"""

import atexit
import json
import os
import signal
import tempfile
import time

from ansible.plugins.callback import CallbackBase

FORMAT_VERSION = 1
COUNTS = ("ok", "changed", "failed", "unreachable", "skipped", "rescued", "ignored")
MESSAGE_LIMIT = 2000  # characters kept of a failure message, stdout or stderr


def _text(value, limit=MESSAGE_LIMIT):
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            value = json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            value = str(value)
    value = str(value)  # drops AnsibleUnsafeText and friends
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _tail(value, lines=20):
    if not value:
        return None
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    return _text("\n".join(str(value).rstrip("\n").split("\n")[-lines:]))


def _first_failed_item(result):
    for item in result.get("results") or []:
        if isinstance(item, dict) and (item.get("failed") or item.get("unreachable")):
            return item
    return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cutover_result"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._path = os.environ.get("CUTOVER_ANSIBLE_RESULT") or None
        self._started = time.time()
        self._playbook = None
        self._plays = []
        self._failures = {}  # host -> the latest failure that was not ignored
        self._counts = {}  # host -> own counts, used only when the run ends before Ansible's stats arrive
        self._written = False
        self._pid = os.getpid()
        if self._path:
            atexit.register(self._write_incomplete)
            # SIGTERM (a CI job being aborted, a timeout) ends Python without atexit: write, then die as before.
            try:
                if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
                    signal.signal(signal.SIGTERM, self._on_sigterm)
            except ValueError:  # not the main thread
                pass

    # ------------------------------------------------------------------ recording

    def _count(self, result, *keys):
        counts = self._counts.setdefault(result._host.get_name(), dict.fromkeys(COUNTS, 0))
        for key in keys:
            counts[key] += 1
        if "ok" in keys and isinstance(result._result, dict) and result._result.get("changed"):
            counts["changed"] += 1

    def _record(self, result, kind):
        host = result._host.get_name()
        self._count(result, kind)
        raw = result._result if isinstance(result._result, dict) else {}
        detail = _first_failed_item(raw) or raw
        task = result._task
        failure = {
            "kind": kind,
            "task": _text(task.get_name()),
            "action": _text(task.action),
            "message": _text(detail.get("msg") or raw.get("msg") or ("unreachable" if kind == "unreachable" else "failed")),
        }
        if detail is not raw and "item" in detail:
            failure["item"] = _text(detail.get("item"), 200)
        for key in ("rc",):
            if isinstance(detail.get(key), int):
                failure[key] = detail[key]
        for key in ("stderr", "stdout"):
            tail = _tail(detail.get(key))
            if tail:
                failure[key] = tail
        if raw.get("attempts") and task.until:
            failure["attempts"] = raw["attempts"]
        self._failures[host] = failure

    def v2_playbook_on_start(self, playbook):
        self._playbook = getattr(playbook, "_file_name", None)

    def v2_playbook_on_play_start(self, play):
        self._plays.append(_text(play.get_name()))

    def v2_runner_on_ok(self, result):
        self._count(result, "ok")

    def v2_runner_on_skipped(self, result):
        self._count(result, "skipped")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if ignore_errors:
            self._count(result, "ok", "ignored")
        else:
            self._record(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    # ------------------------------------------------------------------ output

    def _host_entry(self, host, summary):
        entry = {
            "ok": summary.get("ok", 0),
            "changed": summary.get("changed", 0),
            "failed": summary.get("failures", 0),
            "unreachable": summary.get("unreachable", 0),
            "skipped": summary.get("skipped", 0),
            "rescued": summary.get("rescued", 0),
            "ignored": summary.get("ignored", 0),
        }
        if entry["unreachable"]:
            entry["status"] = "unreachable"
        elif entry["failed"]:
            entry["status"] = "failed"
        else:
            entry["status"] = "ok"
        failure = self._failures.get(host)
        if entry["status"] != "ok" and failure:
            entry["failure"] = failure
        return entry

    def _document(self, stats, complete):
        hosts = {}
        if stats is not None:
            for host in sorted(stats.processed.keys()):
                hosts[host] = self._host_entry(host, stats.summarize(host))
        else:  # the run ended early: what each host got to, by this plugin's own counts
            for host, counts in self._counts.items():
                entry = dict(counts)
                entry["status"] = ("unreachable" if entry["unreachable"] else "failed" if entry["failed"]
                                   else "incomplete")
                if host in self._failures and entry["status"] != "incomplete":
                    entry["failure"] = self._failures[host]
                hosts[host] = entry
        return {
            "version": FORMAT_VERSION,
            "complete": complete,
            "playbook": self._playbook,
            "plays": self._plays,
            "duration_seconds": round(time.time() - self._started, 3),
            "hosts": hosts,
            "failed_hosts": sorted(h for h, e in hosts.items() if e["status"] == "failed"),
            "unreachable_hosts": sorted(h for h, e in hosts.items() if e["status"] == "unreachable"),
        }

    def _write(self, document):
        directory = os.path.dirname(os.path.abspath(self._path))
        fd, tmp = tempfile.mkstemp(prefix=".cutover-result-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(document, f, indent=2, sort_keys=True, ensure_ascii=False)
                f.write("\n")
            os.replace(tmp, self._path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self._written = True

    def v2_playbook_on_stats(self, stats):
        if self._path:
            try:
                self._write(self._document(stats, complete=True))
            except Exception as e:  # never turn a finished run into a crash; cutover sees the file missing
                self._display.warning(f"cutover_result: cannot write {self._path}: {e}")

    def _write_incomplete(self):
        if self._path and not self._written and os.getpid() == self._pid:
            try:
                self._write(self._document(None, complete=False))
            except Exception:
                pass

    def _on_sigterm(self, signum, frame):
        self._write_incomplete()  # only in ansible-playbook itself: forked workers inherit this handler
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
