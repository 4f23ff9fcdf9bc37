"""A real gunicorn serving the app with gunicorn.conf.py, for the tests that need the server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` on a free local port; ``stop()`` ends it."""

    def __init__(self, env: dict, *, workers: int = 1, threads: int = 4):
        self.port = free_port()
        self.workers = workers
        self.env = {**os.environ, "JIUJINAN_ENV": "development", **env}
        self.args = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                     "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                     "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "2",
                     "wsgi:app"]
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()  # no orphaned server, no pipe left for a later test's GC to report
            raise

    def _wait_ready(self, timeout: float = 180.0) -> None:
        # Generous: each worker loads jieba's tagger before it answers (gunicorn.conf.py's
        # post_worker_init), which took over a minute on a 2-core machine under full load.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /api/v1/openapi.json HTTP/1.0\r\n\r\n")
                    if sock.recv(12).startswith(b"HTTP/1."):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in time")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],
                             capture_output=True, text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def wait_replaced(self, pid: int, timeout: float = 30.0) -> bool:
        """Wait until the arbiter has reaped worker ``pid`` and is back to its number of
        workers; return whether that happened within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if pid not in pids and len(pids) == self.workers:
                return True
            time.sleep(0.05)
        return False

    def raw(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
