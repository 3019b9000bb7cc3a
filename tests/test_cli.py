"""The command line, run in process with the user's environment variables pointing at temporary
folders: `checksums` agrees with the refresh (same reader, same record model, every raw folder,
atomic --write that never claims an update it did not make), and a refused refresh prints the
project's own lines, file, line, column and rule, and little else.
"""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from pipeline import cli
from pipeline.settings import REPO_ROOT
from tests.harness import copy_raw, edit_csv
from tests.test_indicator_sources import CSV_ROWS, changed, make_source, write_data


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of raw/ and empty warehouse and Dagster folders, as the environment names them."""
    raw_dir = copy_raw(tmp_path)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("PIPELINE_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("PIPELINE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("WJP_SNAPSHOT_URL", "http://127.0.0.1:9/roli.json")  # offline, at once
    monkeypatch.setenv("VDEM_SNAPSHOT_URL", "http://127.0.0.1:9/ert.csv")
    return raw_dir


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_checksums_passes_on_the_committed_files(project, capsys):
    assert run_cli(capsys, "checksums") == (0, "every origin record matches its data file\n")


def test_checksums_writes_a_stale_record_atomically_then_agrees_with_the_refresh(project, capsys):
    table1 = project / "paper" / "table1_ranks.csv"
    edit_csv(table1, "2022,65,140,", "2022,64,140,", keep_checksum=False)
    code, out = run_cli(capsys, "checksums")
    assert code == 1 and "stale       raw/paper/table1_ranks.meta.yml" in out
    code, out = run_cli(capsys, "checksums", "--write")
    assert (code, out.strip()) == (0, "updated     raw/paper/table1_ranks.meta.yml")
    record = yaml.safe_load((project / "paper" / "table1_ranks.meta.yml").read_text())
    assert record["title"].startswith("Paper Table 1")  # the rest of the record is as it was
    assert run_cli(capsys, "checksums")[0] == 0
    assert not list((project / "paper").glob(".*.tmp"))


def test_checksums_covers_long_format_sources(project, capsys):
    folder = project / "indicators"
    make_source(folder, "hr_demo", CSV_ROWS, "csv")
    assert run_cli(capsys, "checksums")[0] == 0
    write_data(folder, "hr_demo", changed(CSV_ROWS, 4, value=50.5), "csv")
    code, out = run_cli(capsys, "checksums")
    assert code == 1 and "stale       raw/indicators/hr_demo.meta.yml" in out
    assert run_cli(capsys, "checksums", "--write")[0] == 0
    assert run_cli(capsys, "checksums")[0] == 0


def test_checksums_reports_a_missing_file_and_a_missing_record_without_a_traceback(project, capsys):
    (project / "reference" / "errata.csv").unlink()
    (project / "paper" / "references.meta.yml").unlink()
    code, out = run_cli(capsys, "checksums", "--write")
    assert code == 1 and "Traceback" not in out
    assert "raw/reference/errata.csv: does not exist" in out
    assert "origin record exists beside the data file" in out
    assert "updated" not in out


def test_write_never_says_updated_when_the_record_is_broken(project, capsys):
    record = project / "reference" / "sources.meta.yml"
    edit_csv(project / "reference" / "sources.csv", "24.kg", "24.kg (Bishkek)", keep_checksum=False)
    record.write_text(record.read_text().replace("license:", "licence:"), encoding="utf-8")
    before = record.read_bytes()
    code, out = run_cli(capsys, "checksums", "--write")
    assert code == 1 and "updated     " not in out
    assert "licence" in out and "unknown or misspelt field" in out
    assert record.read_bytes() == before


def test_checksums_refuses_files_nobody_declared_and_devices_by_name(project, capsys):
    (project / "paper" / "notes.csv").write_text("a\n1\n")
    table1 = project / "paper" / "table1_ranks.csv"
    table1.unlink()
    table1.symlink_to("/dev/zero")
    code, out = run_cli(capsys, "checksums")
    assert code == 1
    assert "undeclared  raw/paper/notes.csv" in out
    assert "raw/paper/table1_ranks.csv: is a symlink to a device (/dev/zero)" in out


def test_a_refused_refresh_prints_the_projects_lines_first_and_little_else(project, capsys):
    edit_csv(project / "paper" / "table1_ranks.csv", "2022,62,140", "2022,162,140")
    code, out = run_cli(capsys, "refresh")
    assert code == 1
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) <= 15, out
    assert "Traceback" not in out and "dagster._core" not in out
    assert re.search(
        r"raw/paper/table1_ranks\.csv, line \d+, column 'rank': rule 'rank <= n_ranked' failed "
        r"\(value: '162'\)",
        out,
    )
    assert "Refresh FAILED" in out and "there is no earlier release" in out
    log = re.search(r"full log: (\S+)", out).group(1)
    assert "rank <= n_ranked" in open(log, encoding="utf-8").read()
