"""Settings are checked before any work starts: `python -m pipeline.cli refresh` (what `make run`
runs) prints one line per bad value, naming the setting, the value and what is allowed, exits 2
and builds nothing; the Dagster code location refuses to load with the same lines. A failure a
setting cures (DuckDB out of memory, a full disk) names the project's setting, never DuckDB's
`SET memory_limit` advice."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster._utils.error import SerializableErrorInfo

from pipeline import build, console, definitions, lineage, stages
from pipeline.asset_versions import asset_versions
from pipeline.hints import failure_hint
from pipeline.instance import write_instance_file
from pipeline.settings import (
    MIRRORS,
    MODELS_DIR,
    REPO_ROOT,
    SETTINGS,
    Settings,
    SettingsError,
    problems,
)
from pipeline.transforms.sources.download_sources import DOWNLOADS

# Every bad value of the issue, and others: (variable, value, why).
BAD = [
    ("PIPELINE_KEEP_RELEASES", "abc", "not a whole number"),
    ("PIPELINE_KEEP_RELEASES", "0", "less than 1"),
    ("PIPELINE_KEEP_RELEASES", "-1", "less than 1"),
    ("PIPELINE_KEEP_RUNS", "1.5", "not a whole number"),
    ("PIPELINE_SENSOR_INTERVAL_SECONDS", "0", "less than 1"),
    ("PIPELINE_DUCKDB_MEMORY_LIMIT", "lots", "not a size with a unit"),
    ("PIPELINE_DUCKDB_MEMORY_LIMIT", "2000", "not a size with a unit"),
    ("PIPELINE_DUCKDB_MEMORY_LIMIT", "10MB", "too small"),
    ("PIPELINE_RAW_DIR", "/no/such/raw", "no such folder (/no/such/raw)"),
    ("PIPELINE_MODELS_DIR", "/no/such/sql", "no such folder (/no/such/sql)"),
    ("DAGSTER_HOME", "relative/home", "not an absolute path"),
]


def env_for(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The user's environment, with the test's warehouse and Dagster folders, then `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    env |= {
        "PIPELINE_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "WJP_SNAPSHOT_URL": "http://127.0.0.1:9/roli.json",  # were it to run: offline, at once
        "VDEM_SNAPSHOT_URL": "http://127.0.0.1:9/ert.csv",
    }
    return env | settings


def refresh(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def built_nothing(tmp_path: Path) -> bool:
    return not any((tmp_path / "warehouse").glob("*")) and not (tmp_path / "dagster_home").exists()


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write in: a read-only one, or (as root, who writes in any)
    a folder of sysfs, where not even root creates files."""
    if os.geteuid() != 0:
        folder = tmp_path / "read_only"
        folder.mkdir(mode=0o555)
        return folder
    if not Path("/sys/kernel").is_dir():
        pytest.skip("as root, needs sysfs for a folder root cannot write in")
    return Path("/sys/kernel")


@pytest.mark.parametrize(("name", "value", "why"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_bad_setting_is_one_line_exit_2_and_nothing_built(tmp_path, name, value, why):
    result = refresh(env_for(tmp_path, **{name: value}))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [f"{name}={value!r}: {why}; allowed: {SETTINGS[name]}"]
    assert built_nothing(tmp_path)


def test_every_bad_setting_is_said_at_once(tmp_path):
    bad = {name: value for name, value, _ in BAD}  # the last value of each name
    result = refresh(env_for(tmp_path, **bad))
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == len(bad)
    assert sorted(line.split("=", 1)[0] for line in lines) == sorted(bad)
    assert built_nothing(tmp_path)


def test_an_unwritable_warehouse_or_cache_folder_is_one_line_naming_it(tmp_path):
    folder = unwritable_folder(tmp_path)
    warehouse = folder / "warehouse"
    env = env_for(tmp_path, PIPELINE_WAREHOUSE_DIR=str(warehouse))
    result = refresh(env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"PIPELINE_WAREHOUSE_DIR={str(warehouse)!r}: cannot create {warehouse}: {folder} is "
        f"not writable (Permission denied); allowed: {SETTINGS['PIPELINE_WAREHOUSE_DIR']}"
    ]
    result = refresh(env_for(tmp_path, PIPELINE_CACHE_DIR=str(folder)))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"PIPELINE_CACHE_DIR={str(folder)!r}: {folder} is not writable")
    assert built_nothing(tmp_path)


def test_a_file_where_the_warehouse_folder_should_be_is_one_line(tmp_path):
    (tmp_path / "a_file").write_text("")
    result = refresh(env_for(tmp_path, PIPELINE_WAREHOUSE_DIR=str(tmp_path / "a_file" / "w")))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"PIPELINE_WAREHOUSE_DIR={str(tmp_path / 'a_file' / 'w')!r}: cannot create "
        f"{tmp_path / 'a_file' / 'w'}: {tmp_path / 'a_file'} is not a folder; allowed: "
        f"{SETTINGS['PIPELINE_WAREHOUSE_DIR']}"
    ]


def test_the_code_location_refuses_to_load_with_the_same_lines(tmp_path, monkeypatch):
    env = env_for(
        tmp_path,
        PIPELINE_KEEP_RELEASES="abc",
        PIPELINE_SENSOR_INTERVAL_SECONDS="-5",
        PIPELINE_WAREHOUSE_DIR=str(tmp_path / "a_file" / "w"),
    )
    (tmp_path / "a_file").write_text("")
    for name in [k for k in os.environ if k.startswith("PIPELINE_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        definitions.defs()
    assert refused.value.lines == problems() and len(refused.value.lines) == 3
    assert str(refused.value) == "\n".join(problems())
    assert built_nothing(tmp_path)


def test_dagster_commands_show_the_lines(tmp_path):
    """What `dagster dev` and `dagster asset materialize -m pipeline.definitions` load."""
    env = env_for(tmp_path, PIPELINE_KEEP_RELEASES="abc", PIPELINE_DUCKDB_MEMORY_LIMIT="1")
    home = tmp_path / "dagster_home"
    home.mkdir()
    write_instance_file(home)
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = problems(env)
    said = result.stdout + result.stderr  # Dagster's logger writes where dagster.yaml says
    assert len(lines) == 2 and f"SettingsError: {lines[0]}\n{lines[1]}\n" in said
    assert not (tmp_path / "warehouse").exists()


def test_the_good_settings_resolve_as_given(tmp_path):
    env = {
        "PIPELINE_KEEP_RELEASES": " 3 ",
        "PIPELINE_KEEP_RUNS": "5",
        "PIPELINE_SENSOR_INTERVAL_SECONDS": "5",
        "PIPELINE_DUCKDB_MEMORY_LIMIT": "1.5 GiB",
        "PIPELINE_WAREHOUSE_DIR": str(tmp_path / "new" / "warehouse"),
    }
    settings = Settings.resolve(environ=env)
    assert (settings.keep_releases, settings.keep_runs, settings.sensor_interval_seconds) == (
        3,
        5,
        5,
    )
    assert settings.memory_limit == "1.5 GiB"
    assert problems(env) == [] and not (tmp_path / "new").exists()  # checked, not created


def test_a_bad_value_in_the_resource_config_is_refused_too():
    with pytest.raises(SettingsError) as refused:
        Settings.resolve(keep_releases=0, memory_limit="1", environ={})
    assert refused.value.lines == [
        "PIPELINE_KEEP_RELEASES='0': less than 1 (set in the run's resource config); allowed: "
        + SETTINGS["PIPELINE_KEEP_RELEASES"],
        "PIPELINE_DUCKDB_MEMORY_LIMIT='1': not a size with a unit (set in the run's resource "
        "config); allowed: " + SETTINGS["PIPELINE_DUCKDB_MEMORY_LIMIT"],
    ]


def duckdb_out_of_memory() -> duckdb.OutOfMemoryException:
    """A real one, cheaply: a list of 5 million integers under an 8MB limit."""
    con = duckdb.connect(config={"memory_limit": "8MB"})
    with pytest.raises(duckdb.OutOfMemoryException) as raised:
        con.execute("SELECT list(i) FROM range(5000000) t(i)").fetchall()
    assert "SET memory_limit" in str(raised.value)  # DuckDB's own advice, replaced below
    return raised.value


def test_out_of_memory_names_the_project_setting_not_duckdbs_command(tmp_path):
    settings = Settings.resolve(tmp_path, tmp_path, tmp_path, memory_limit="1.3GB", environ={})
    hint = failure_hint(duckdb_out_of_memory(), settings)
    assert hint.startswith(
        "DuckDB ran out of memory: it needed more than its limit of 1.3GB (failed to allocate "
        "data of size "
    )
    assert hint.endswith(
        "; raise PIPELINE_DUCKDB_MEMORY_LIMIT (now 1.3GB), e.g. "
        "PIPELINE_DUCKDB_MEMORY_LIMIT=2.6GB, or free memory on this machine"
    )
    assert "SET" not in hint and "\n" not in hint


def test_a_refresh_out_of_memory_is_refused_in_the_settings_words(tmp_path, monkeypatch):
    """The build's own connection runs out of memory while reading the sources: the refresh
    publishes nothing and says which setting to raise, in one line."""

    def sources_out_of_memory(stage, *args):
        stage.con.execute("SET memory_limit = '8MB'")
        stage.con.execute("SELECT list(i) FROM range(5000000) t(i)").fetchall()

    monkeypatch.setattr(stages, "sources", sources_out_of_memory)
    raw_dir = REPO_ROOT / "raw"
    settings = Settings.resolve(raw_dir, tmp_path / "warehouse", memory_limit="100MB", environ={})
    graph = lineage.build_graph(raw_dir, MODELS_DIR)
    request = build.Request("oom-run", models_dir=MODELS_DIR)
    result = build.refresh(settings, graph, asset_versions(graph), request, log=lambda _: None)
    assert not result.published
    (line,) = result.refused
    assert line.startswith("DuckDB ran out of memory in the raw step: it needed more than its ")
    assert "SET" not in line
    assert "raise PIPELINE_DUCKDB_MEMORY_LIMIT (now 100MB), e.g. " in line


def test_the_console_never_prints_duckdbs_advice(tmp_path, monkeypatch, capsys):
    """An out-of-memory error that reaches the console some other way is said the same way."""
    monkeypatch.setenv("PIPELINE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("PIPELINE_DUCKDB_MEMORY_LIMIT", "900MB")
    oom = duckdb_out_of_memory()
    error = SerializableErrorInfo(
        f"duckdb.duckdb.OutOfMemoryException: {oom}", [], "OutOfMemoryException"
    )

    class Failure:
        step_key = "refresh_warehouse"
        step_failure_data = type("Data", (), {"error": error, "user_failure_data": None})

    class Result:
        def get_asset_check_evaluations(self):
            return []

        def get_step_failure_events(self):
            return [Failure()]

    console.print_refusal(Result(), 1.0, tmp_path / "log", verbose=False)
    printed = capsys.readouterr().err
    assert (
        "FAILED: step refresh_warehouse: DuckDB ran out of memory: it needed more than its limit "
        "of 900MB (failed to allocate" in printed
    )
    assert "raise PIPELINE_DUCKDB_MEMORY_LIMIT (now 900MB), e.g. " in printed
    assert "SET" not in printed and "Possible solutions" not in printed


def test_a_full_disk_names_the_folder_setting(tmp_path):
    settings = Settings.resolve(tmp_path / "raw", tmp_path / "w", tmp_path / "c", environ={})
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "w" / "x.duckdb"))
    assert failure_hint(full, settings) == (
        f"the disk of {tmp_path / 'w'} is full: free space, or set PIPELINE_WAREHOUSE_DIR to a "
        "folder with room"
    )
    cached = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "c" / "roli.json"))
    assert "set PIPELINE_CACHE_DIR to a folder with room" in failure_hint(cached, settings)
    assert failure_hint(ValueError("something else"), settings) is None


# Reading the environment: os.environ or os.getenv, or an `environ`/`env` mapping's get or item
# (the settings' own way of taking a test's environment).
ENV_READ = re.compile(r"\bos\.(environ|getenv)\b|\b(environ|env)(\.get\(|\[)")


def test_the_environment_is_read_in_pipeline_settings_only():
    """Every environment variable is read in pipeline/settings/ (one way to set each, checked
    with the others); any other module takes it from there."""
    settings_dir = REPO_ROOT / "pipeline" / "settings"
    readers = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in sorted((REPO_ROOT / "pipeline").rglob("*.py"))
        if settings_dir not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ENV_READ.search(line.split("#", 1)[0])
    ]
    assert readers == [], "read the environment in pipeline/settings/ instead:\n" + "\n".join(
        readers
    )
    assert ENV_READ.search("env = os.environ if environ is None else environ")  # it finds one


def test_a_mirror_is_set_by_the_resource_config_else_its_variable():
    env = {name: f"http://mirror.example/{source}" for source, name in MIRRORS.items()}
    assert Settings.resolve(environ=env).download_urls == {
        source: f"http://mirror.example/{source}" for source in MIRRORS
    }
    configured = Settings.resolve(environ=env, download_urls={"wjp_roli": "http://config/x"})
    assert configured.download_urls["wjp_roli"] == "http://config/x"
    assert configured.download_urls["vdem_ert"] == "http://mirror.example/vdem_ert"
    assert Settings.resolve(environ={}).download_urls == {}
    assert {source.url_env for source in DOWNLOADS} == {"WJP_SNAPSHOT_URL", "VDEM_SNAPSHOT_URL"}
