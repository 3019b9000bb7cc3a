"""The shared SQL warehouse: with `PIPELINE_LAKE_CATALOG` (a DuckLake catalog, e.g.
`postgres:dbname=lake host=...`), each publish commits the release's marts to DuckLake, its data
files under `<PIPELINE_PUBLISH_URL>/lake/`, in one transaction: one snapshot per release, its
commit message the release id. Readers attach the catalog read-only from any machine and see
whole releases; an earlier release is the snapshot of its id (`AT (VERSION => n)`).

Every mart of the release (tables and views alike) becomes a table `lake.marts.<name>` holding
the same rows; a mart the release no longer has is dropped in the same transaction. A commit
whose release is older than the lake's newest (a slow publisher overtaken by a later one) is
skipped, so the lake never goes back.

DuckDB's `httpfs`, `postgres` and `ducklake` extensions come from the `duckdb-extension-*`
packages pinned with their DuckDB in requirements-lake.lock, installed from the package's file
into a folder of the warehouse (never from the network). That DuckDB is not the pipeline's: this
module runs in a process of its own (`python -m pipeline.lake commit RELEASE_DIR RELEASE_ID`,
started by pipeline/lake_process.py), which prints what it did as one JSON line.

Belongs here: connecting, committing and finding a release's snapshot. Stays out: when a
release is published (publishing.py, the stores), starting the lake's process.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from pipeline.lake_process import LakeError
from pipeline.locations import parse_publish_url
from pipeline.release import DB_NAME
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import qualified
from pipeline.settings import aws_access

EXTENSIONS = ("httpfs", "postgres", "ducklake")
AUTHOR = "pipeline"  # the author of every snapshot this project commits
SCHEMA = "marts"


def extension_file(name: str) -> Path:
    """The extension's file in its `duckdb-extension-<name>` package, for this DuckDB."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    version = duckdb.__version__
    if spec is None or spec.origin is None:
        raise LakeError(
            f"DuckDB's {name} extension is not installed: make lake-duckdb installs it "
            f"(requirements-lake.lock pins it with DuckDB {version})"
        )
    path = Path(spec.origin).parent / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise LakeError(f"{path} is missing: duckdb-extension-{name} is not for DuckDB {version}")
    return path


def load_extensions(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Install (from the packages, into `folder`) and load the lake's extensions."""
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET extension_directory = {sql_literal(str(folder))}")
    for name in EXTENSIONS:
        con.execute(f"INSTALL {sql_literal(str(extension_file(name)))}")
        con.execute(f"LOAD {name}")


def s3_secret_sql(environ=None) -> str:
    """CREATE SECRET for the object store, from the standard AWS variables."""
    access = aws_access(environ)
    options = ["TYPE s3"]
    for option, value in (("KEY_ID", access.key_id), ("SECRET", access.secret)):
        if value:
            options.append(f"{option} {sql_literal(value)}")
    if access.region:
        options.append(f"REGION {sql_literal(access.region)}")
    if access.endpoint:
        endpoint = urlsplit(access.endpoint)
        options.append(f"ENDPOINT {sql_literal(endpoint.netloc)}")
        options.append("URL_STYLE 'path'")
        options.append(f"USE_SSL {'true' if endpoint.scheme == 'https' else 'false'}")
    return f"CREATE OR REPLACE SECRET lake_s3 ({', '.join(options)})"


def data_path(publish_url: str) -> str:
    return parse_publish_url(publish_url).url("lake") + "/"


def connect(settings, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `lake`."""
    con = duckdb.connect()
    try:
        load_extensions(con, settings.warehouse_dir / ".duckdb_extensions")
        con.execute(s3_secret_sql())
        target = sql_literal(f"ducklake:{settings.lake_catalog}")
        mode = ", READ_ONLY" if read_only else ""
        con.execute(
            f"ATTACH {target} AS lake (DATA_PATH {sql_literal(data_path(settings.publish_url))}"
            f"{mode})"
        )
    except duckdb.Error as err:
        con.close()
        said = f"cannot attach the lake {settings.lake_catalog!r}: {err}"
        raise LakeError(shown_catalog(settings.lake_catalog, said)) from err
    return con


def commit(settings, release_dir: Path, release_id: str, log=print) -> str:
    """Commit the marts of the release in `release_dir` as one snapshot; what was done, in a
    few words."""
    manifest = json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))
    sequence = int(manifest.get("sequence", 0))
    con = connect(settings, read_only=False)
    try:
        con.execute(f"ATTACH {sql_literal(str(release_dir / DB_NAME))} AS build (READ_ONLY)")
        marts = relations(con, "build", SCHEMA)
        con.execute("BEGIN")
        newest = newest_release(con)
        if newest and newest[1] >= sequence:
            con.execute("ROLLBACK")
            return f"already at release {newest[0]}, newer than {release_id}: not committed"
        con.execute(f"CREATE SCHEMA IF NOT EXISTS lake.{SCHEMA}")
        for name in sorted(set(relations(con, "lake", SCHEMA)) - set(marts)):
            con.execute(f"DROP TABLE lake.{qualified(SCHEMA, name)}")
        for name in marts:  # names from the release's own catalog, quoted
            source = qualified(SCHEMA, name)
            con.execute(f"CREATE OR REPLACE TABLE lake.{source} AS FROM build.{source}")
        extra = json.dumps({"release_id": release_id, "sequence": sequence})
        con.execute(
            "CALL lake.set_commit_message(?, ?, extra_info => ?)", [AUTHOR, release_id, extra]
        )
        con.execute("COMMIT")
        snapshot = snapshot_of(con, release_id)
    except duckdb.Error as err:
        said = f"commit of release {release_id} failed: {err}"
        raise LakeError(shown_catalog(settings.lake_catalog, said)) from err
    finally:
        con.close()
    log(f"lake: release {release_id} committed as snapshot {snapshot} ({len(marts)} marts)")
    return f"snapshot {snapshot} of {shown_catalog(settings.lake_catalog)} (release {release_id})"


def shown_catalog(catalog: str, text: str | None = None) -> str:
    """`text` (by default the catalog string itself) without the catalog's password: a run's
    log, the UI and DuckDB's own errors would show it."""
    shown = catalog if text is None else text
    for part in catalog.split():
        key, _, value = part.partition("=")
        if key.lower() == "password" and value:
            shown = shown.replace(value, "***")
    return shown


# The tables and views of a schema of an attached database (database, schema, database, schema).
RELATIONS_SQL = (
    "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
    "UNION SELECT view_name FROM duckdb_views() WHERE database_name = ? "
    "AND schema_name = ? AND NOT internal ORDER BY 1"
)


def relations(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    """The tables and views of a schema of an attached database, by name."""
    rows = con.execute(RELATIONS_SQL, [database, schema, database, schema]).fetchall()
    return [name for (name,) in rows]


def newest_release(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """(release id, sequence) of the lake's newest snapshot this project committed."""
    rows = con.execute(
        "SELECT commit_extra_info FROM lake.snapshots() WHERE author = ? "
        "ORDER BY snapshot_id DESC LIMIT 1",
        [AUTHOR],
    ).fetchall()
    if not rows or not rows[0][0]:
        return None
    info = json.loads(rows[0][0])
    return info["release_id"], int(info["sequence"])


def snapshot_of(con: duckdb.DuckDBPyConnection, release_id: str) -> int | None:
    """The snapshot that holds a release (its commit message is the release id)."""
    rows = con.execute(
        "SELECT max(snapshot_id) FROM lake.snapshots() WHERE commit_message = ?", [release_id]
    ).fetchall()
    return rows[0][0] if rows else None


def main(argv: list[str] | None = None) -> int:
    """`commit RELEASE_DIR RELEASE_ID`, with the settings from the environment: one JSON line,
    {"done": ..., "said": ...}; a failure in one line on stderr and exit status 1."""
    from pipeline.settings import Settings

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "commit":
        print("usage: python -m pipeline.lake commit RELEASE_DIR RELEASE_ID", file=sys.stderr)
        return 2
    said: list[str] = []
    try:
        done = commit(Settings.resolve(), Path(args[1]), args[2], log=said.append)
    except LakeError as err:  # one line: the caller shows the last line it is given
        print(" ".join(line.strip() for line in str(err).splitlines()), file=sys.stderr)
        return 1
    print(json.dumps({"done": done, "said": "\n".join(said)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
