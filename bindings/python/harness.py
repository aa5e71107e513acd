"""A real Sentra server on loopback for the bindings' Python suite, and a tiny test runner.

The server is the built `sentra-server` binary (path in SENTRA_SERVER), started with its own
data directory after its accounts were made with `sentra-server admin`. Buyers reach it the
way a browser does: plain JSON over HTTP to /v1/orders.
"""

import json
import os
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

FACILITATOR = ("pendamping", "rahasia-kuat")
REGION = "3327"  # Pemalang, Central Java (Rowosari's garment makers)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`sentra-server serve` in a temporary directory, with one facilitator account."""

    def __init__(self, workdir):
        self.binary = os.environ["SENTRA_SERVER"]
        self.data = os.path.join(workdir, "server-data")
        self._admin("create-account", "--login", FACILITATOR[0], "--secret", FACILITATOR[1],
                    "--role", "facilitator")
        self._admin("assign-region", "--login", FACILITATOR[0], "--region", REGION)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(os.path.join(workdir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", f"127.0.0.1:{port}", "--data", self.data],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("sentra-server did not start; see " + self.log.name)
            time.sleep(0.1)

    def _admin(self, *args):
        subprocess.run([self.binary, "admin", args[0], "--data", self.data, *args[1:]],
                       check=True, capture_output=True)

    def request(self, method, path, body=None):
        """(status, JSON answer) of one request, as a browser would send it."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw else None)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run(tests):
    """Runs each test function, prints `N passed, N failed`, exits non-zero on a failure."""
    passed = failed = 0
    for test in tests:
        started = time.monotonic()
        try:
            test()
            passed += 1
            print(f"PASS {test.__name__} ({time.monotonic() - started:.1f} s)", flush=True)
        except Exception:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL {test.__name__}", flush=True)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
