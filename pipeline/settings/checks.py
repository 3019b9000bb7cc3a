"""What a run needs, checked before any work starts: the values, the folders it reads (they
exist) and writes (they can be), DAGSTER_HOME when the caller needs it, the lake's DuckDB when a
lake catalog is set (`lake_missing`, also asked by pipeline/lake_process.py), and the UI's port;
one line per bad value, naming the setting, the value and what is allowed. `python -m
pipeline.settings [--dev-port N]` prints the problems and exits 2 (`make dev` runs it before
starting Dagster).

Belongs here: those checks, which write nothing. Stays out: reading the values (values.py).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import tempfile
from pathlib import Path

from pipeline.locations import LAKE_CATALOG
from pipeline.settings.catalogue import CACHE, MODELS, RAW, WAREHOUSE, SettingsError, refusal
from pipeline.settings.folders import lake_site
from pipeline.settings.values import Settings, dagster_home

_FOLDERS = (RAW, WAREHOUSE, CACHE, MODELS)


def problems(environ=None, needs_dagster_home: bool = False, dev_port=None) -> list[str]:
    """Every bad setting, one line each, checked without writing anything: the values, the
    folders read (they exist) and written (they can be), DAGSTER_HOME when the caller needs
    it, and the UI's port when given."""
    env = os.environ if environ is None else environ
    lines: list[str] = []
    try:
        settings = Settings.resolve(environ=env)
    except SettingsError as bad:
        lines += bad.lines
        settings = Settings.resolve(environ={k: v for k, v in env.items() if k in _FOLDERS})

    def refuse(name: str, why: str | None) -> None:
        if why:
            lines.append(refusal(name, env.get(name) or None, why))

    for name, path in ((RAW, settings.raw_dir), (MODELS, settings.models_dir)):
        refuse(name, None if path.is_dir() else f"no such folder ({path})")
    refuse(WAREHOUSE, _unwritable(settings.warehouse_dir))
    if env.get(CACHE) or not _unwritable(settings.warehouse_dir):  # else said once, above
        refuse(CACHE, _unwritable(settings.cache_dir))
    if needs_dagster_home:
        home = env.get("DAGSTER_HOME")
        why = "needed to record the run" if not home else None
        why = why or (None if dagster_home(env) else "not an absolute path")
        refuse("DAGSTER_HOME", why or _unwritable(Path(home)))
    if settings.lake_catalog:  # the lake's DuckDB, installed apart (pipeline/lake_process.py)
        refuse(LAKE_CATALOG, lake_missing())
    if dev_port is not None and (busy := port_problem(dev_port)):
        lines.append(busy)
    return lines


def lake_missing(site: Path | None = None) -> str | None:
    """Why the lake's DuckDB cannot run from `site` (this venv's, `lake_site()`), or None."""
    site = site or lake_site()
    if not (site / "duckdb").is_dir():
        return f"the lake's DuckDB is not installed in {site}: run make lake-duckdb"
    return None


def check(environ=None, **needs) -> None:
    """SettingsError with every bad setting (`problems`), or nothing."""
    lines = problems(environ, **needs)
    if lines:
        raise SettingsError(lines)


def _unwritable(path: Path) -> str | None:
    """Why a run could not write in `path` (creating it if missing), or None; writes nothing."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    where = f"{existing}" if existing == path else f"cannot create {path}: {existing}"
    if not existing.is_dir():
        return f"{where} is not a folder"
    try:  # an unnamed file (O_TMPFILE): as root, or on a read-only mount, access() says yes
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        return f"{where} is not writable ({err.strerror})"
    return None


def port_problem(port, host: str = "127.0.0.1") -> str | None:
    """Why the UI could not listen on `port`, in one line that suggests a free one, or None."""
    text = str(port).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        return refusal("DEV_PORT", port, "not a port number")
    number = int(text)
    why = _bind_error(host, number)
    if why is None:
        return None
    free = (p for p in range(number + 1, min(number + 100, 65536)) if not _bind_error(host, p))
    suggestion = f"make dev DEV_PORT={next(free, '<another port>')}"
    return f"DEV_PORT={number}: port {number} on {host} is {why}; choose another: {suggestion}"


def _bind_error(host: str, port: int) -> str | None:
    """What Dagster's webserver would meet binding the port (it sets SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            return "in use" if err.errno == errno.EADDRINUSE else f"not usable ({err.strerror})"
    return None


def main(argv: list[str] | None = None) -> int:
    """Every bad setting, one line each, and exit 2; nothing and exit 0 when all are good."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.settings", description=main.__doc__)
    parser.add_argument("--dev-port", help="also check that the UI can listen on this port")
    parser.add_argument("--dagster-home", action="store_true", help="DAGSTER_HOME is needed")
    args = parser.parse_args(argv)
    lines = problems(needs_dagster_home=args.dagster_home, dev_port=args.dev_port)
    print(*lines, sep="\n", file=sys.stderr, end="\n" if lines else "")
    return 2 if lines else 0
