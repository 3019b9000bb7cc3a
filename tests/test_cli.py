"""The command line, run in process with the user's environment variables pointing at temporary
folders: `checksums` agrees with the refresh (same reader, same record model, every raw folder,
atomic --write that never claims an update it did not make), and a refused refresh prints the
project's own lines, file, line, column and rule, and little else.
"""

from __future__ import annotations

import re

import pytest
import yaml

from pipeline import cli
from pipeline.instance import write_instance_file
from pipeline.release import WarehouseLayout, read_manifest
from pipeline.transforms.files import sha256_file as sha256_of
from tests.harness import copy_raw, edit_csv
from tests.test_indicator_sources import (
    CSV_ROWS,
    DROP,
    NO_RANK_COLUMNS,
    NO_RANK_ROWS,
    changed,
    make_source,
    write_data,
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of raw/ and empty warehouse and Dagster folders, as the environment names them."""
    raw_dir = copy_raw(tmp_path)
    home = tmp_path / "dagster_home"
    home.mkdir()
    write_instance_file(home)
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
    new = sha256_of(table1)
    assert (code, out.strip()) == (
        0,
        f"updated     raw/paper/table1_ranks.meta.yml: sha256 4ea9176f9339… -> {new[:12]}…",
    )
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


# --- checksums --write fills in a new file's checksum ------------------------------------------


@pytest.mark.parametrize(
    ("placeholder", "was"),
    [("TODO", "'TODO'"), ("", "none"), (None, "none"), (DROP, "none")],
    ids=["TODO", "empty", "null", "no sha256 line"],
)
def test_checksums_write_adds_the_checksum_of_a_new_source(project, capsys, placeholder, was):
    folder = project / "indicators"
    data = make_source(folder, "hr_demo", CSV_ROWS, "csv", sha256=placeholder)
    record = folder / "hr_demo.meta.yml"
    before = yaml.safe_load(record.read_text(encoding="utf-8"))
    code, out = run_cli(capsys, "checksums")
    assert code == 1 and "new         raw/indicators/hr_demo.meta.yml" in out
    code, out = run_cli(capsys, "checksums", "--write")
    digest = sha256_of(data)
    assert (code, out) == (
        0,
        f"added       raw/indicators/hr_demo.meta.yml: sha256 {digest[:12]}… (was {was})\n",
    )
    after = yaml.safe_load(record.read_text(encoding="utf-8"))
    assert after.pop("sha256") == digest
    assert after == {k: v for k, v in before.items() if k != "sha256"}
    assert run_cli(capsys, "checksums") == (0, "every origin record matches its data file\n")


def test_checksums_write_adds_a_missing_sha256_line_to_a_transcriptions_record(project, capsys):
    record = project / "paper" / "table1_ranks.meta.yml"
    text = record.read_text(encoding="utf-8")
    line = re.search(r"^sha256: .*\n", text, re.MULTILINE).group(0)
    record.write_text(text.replace(line, ""), encoding="utf-8")
    code, out = run_cli(capsys, "checksums", "--write")
    assert (code, out) == (
        0,
        "added       raw/paper/table1_ranks.meta.yml: sha256 4ea9176f9339… (was none)\n",
    )
    assert record.read_text(encoding="utf-8") == text, "put back where such records hold it"


def test_checksums_write_leaves_a_new_record_with_another_fault_as_it_is(project, capsys):
    folder = project / "indicators"
    make_source(folder, "hr_demo", CSV_ROWS, "csv", sha256="TODO", licence="typo")
    record = folder / "hr_demo.meta.yml"
    before = record.read_bytes()
    code, out = run_cli(capsys, "checksums", "--write")
    assert code == 1 and "added" not in out and "licence" in out
    assert record.read_bytes() == before


# --- a refused refresh: short checksums on the console, whole in the log -------------------------


def test_a_checksum_mismatch_before_a_data_error_is_one_short_line(project, capsys):
    table1 = project / "paper" / "table1_ranks.csv"
    edit_csv(table1, "2022,62,140", "2022,162,140", keep_checksum=False)
    record = table1.with_suffix(".meta.yml").read_text(encoding="utf-8").splitlines()
    (at,) = [n for n, text in enumerate(record, 1) if text.startswith("sha256: ")]
    recorded = record[at - 1].removeprefix("sha256: ")
    code, out = run_cli(capsys, "refresh")
    assert code == 1
    new = sha256_of(table1)
    assert new != recorded
    (line,) = [line.strip() for line in out.splitlines() if "table1_ranks.meta.yml" in line]
    assert line == (
        f"raw/paper/table1_ranks.meta.yml, line {at}, column 'sha256': rule 'sha256 in the "
        "origin record matches the data file' failed (value: "
        f"'recorded {recorded[:12]}…, file {new[:12]}…')"
    )
    assert not re.search(r"[0-9a-f]{64}", out), "no whole checksum on the console"
    assert "column 'rank': rule 'rank <= n_ranked' failed (value: '162')" in out
    log = open(re.search(r"full log: (\S+)", out).group(1), encoding="utf-8").read()
    assert f"recorded {recorded}, file {new}" in log


# --- --allow-shrink ------------------------------------------------------------------------------


def test_an_allow_shrink_id_without_a_release_is_refused_before_the_build(
    project, capsys, tmp_path
):
    code, out = run_cli(capsys, "refresh", "--allow-shrink", "wjp_roli")
    assert (code, out) == (
        2,
        "--allow-shrink: unknown source 'wjp_roli': there is no published release to shrink\n",
    )
    assert not (tmp_path / "warehouse" / "builds").exists(), "nothing was built"


def test_removed_sources_are_accepted_at_once_and_a_misspelt_id_is_refused(project, capsys):
    folder = project / "indicators"
    make_source(folder, "hr_demo", CSV_ROWS, "csv")
    make_source(folder, "hr_other", NO_RANK_ROWS, "csv", columns=NO_RANK_COLUMNS)
    assert run_cli(capsys, "refresh")[0] == 0
    layout = WarehouseLayout(project.parent / "warehouse")
    first = layout.current_release()

    code, out = run_cli(capsys, "refresh", "--allow-shrink", "hr_dem,paper", "--allow-shrink", "x")
    assert code == 2 and len(out.splitlines()) == 1
    assert out.startswith(
        "--allow-shrink: unknown sources 'hr_dem' (did you mean 'hr_demo'?), 'x'; the current "
        "release's sources: "
    )
    assert "hr_demo, hr_other" in out and "removed-sources" in out

    for path in [*folder.glob("hr_*")]:
        path.unlink()
    code, out = run_cli(capsys, "refresh")
    assert code == 1 and layout.current_release() == first
    assert "marts.indicators: rows of source 'hr_demo' disappeared" in out
    assert "marts.indicators: rows of source 'hr_other' disappeared" in out

    code, out = run_cli(capsys, "refresh", "--allow-shrink", "removed-sources")
    assert code == 0, out
    accepted = read_manifest(layout.current_release())["accepted_shrinks"]
    assert {line.split("'")[1] for line in accepted} == {"hr_demo", "hr_other"}
    assert all("disappeared" in line for line in accepted)
