"""Real services for the tests of releases beyond one machine, started by the tests themselves:

- an S3-compatible server: moto's server mode (`moto_server`, from requirements-dev.lock), in its
  own process on a free loopback port; it enforces conditional writes (If-Match,
  If-None-Match) as S3 does;
- PostgreSQL: Debian's server (`make test` installs the `postgresql` package when missing and
  running as root), a cluster of its own in a temporary folder, on a free loopback port;
- a proxy in front of the S3 server that forwards every request until told to fail the writes
  under a prefix, as a store failing in the middle of an upload would.

No mock inside the process: the pipeline talks HTTP to a server and the PostgreSQL protocol to
PostgreSQL. Each is stopped when the session ends.

Belongs here: starting, waiting for and stopping those services. Stays out: the tests.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_INSTALL = "sudo apt-get install -y postgresql"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds:g} s")


@contextlib.contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 server on a free port: its endpoint URL."""
    moto = Path(sys.executable).with_name("moto_server")
    if not moto.is_file():
        pytest.fail(f"{moto} is missing: it comes with requirements-dev.lock (make test)")
    port = free_port()
    process = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        pytest.fail(
            "PostgreSQL is not installed: the tests of the shared lake and instance run a real "
            f"server. `make test` installs Debian's postgresql when run as root; else: {PG_INSTALL}"
        )
    return found[-1].parent


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str = "postgres"

    def create_database(self, name: str) -> str:
        """A new database; its libpq connection string."""
        subprocess.run(
            [str(postgres_bin() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", self.user, name],
            check=True,
            capture_output=True,
        )
        return f"dbname={name} host=127.0.0.1 port={self.port} user={self.user}"

    def url(self, name: str) -> str:
        """A SQLAlchemy URL of a database (Dagster's instance storage)."""
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{name}"


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A PostgreSQL cluster of its own in a new temporary folder (directly under /tmp: the
    server's user must reach it), trusting local connections; removed at the end."""
    bin_dir, port = postgres_bin(), free_port()
    folder = Path(tempfile.mkdtemp(prefix="pipeline-postgres-"))
    as_postgres = os.geteuid() == 0  # Debian's server refuses to run as root
    if as_postgres:
        shutil.chown(folder, "postgres")
    run_as = ["su", "postgres", "-c"] if as_postgres else ["sh", "-c"]
    data = folder / "data"
    subprocess.run(
        [*run_as, f"'{bin_dir}/initdb' -D '{data}' -A trust -U postgres"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k '{folder}' -c listen_addresses=127.0.0.1 -c fsync=off"
    start = f"'{bin_dir}/pg_ctl' -D '{data}' -o \"{options}\" -l '{folder}/log' -w start"
    subprocess.run([*run_as, start], check=True, capture_output=True)
    try:
        yield Postgres(port)
    finally:
        stop = f"'{bin_dir}/pg_ctl' -D '{data}' -m immediate stop"
        subprocess.run([*run_as, stop], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


class FailingProxy:
    """An HTTP proxy to the S3 server that forwards every request, except that once
    `fail_writes_under` is set, a PUT of an object whose path holds it, after `allowed` such
    PUTs went through, is answered 503 (as a store failing in the middle of an upload)."""

    def __init__(self, upstream: str):
        self.upstream = upstream.removeprefix("http://")
        self.fail_writes_under: str | None = None
        self.allowed = 0
        self.refused = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy._refuse(self.command, self.path):
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                host, port = proxy.upstream.split(":")
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = proxy.upstream
                connection.request(self.command, self.path, body, headers)
                answer = connection.getresponse()
                content = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                connection.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _refuse(self, method: str, path: str) -> bool:
        if method != "PUT" or not self.fail_writes_under or self.fail_writes_under not in path:
            return False
        if self.allowed > 0:
            self.allowed -= 1
            return False
        self.refused += 1
        return True

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
